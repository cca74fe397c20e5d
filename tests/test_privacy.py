"""Personal data stays out of logs and digests: openids and phone numbers appear masked, or not at all.

Removal on unsubscribe: test_resident_conversations.test_unsubscribe_removes_personal_data_and_keeps_the_anonymised_ticket.
"""
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError

from bot.domain.privacy import mask_key, mask_openid, mask_phone
from tests.conversation import number_in
from tests.desk import open_ticket

PHONE, RESIDENT = "13812345678", "oX7rT2w9_resident_private_openid"


def test_masks_keep_enough_to_match_lines_and_no_more():
    assert mask_phone(f"电话{PHONE}，座机010-62345678") == "电话138****5678，座机010-****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone("工单号：100001，3号楼") == "工单号：100001，3号楼"
    assert mask_openid(RESIDENT) == "oX7r…" and mask_openid(None) == "-"
    assert mask_key(f"evt:{RESIDENT}:1700000000:subscribe") == "evt:oX7r…:1700000000:subscribe"
    assert mask_key("msg:24512345") == "msg:24512345"


def test_a_conversation_with_a_phone_number_leaves_neither_it_nor_the_openid_in_the_logs(wechat, runtime, caplog):
    caplog.set_level(logging.DEBUG)
    wechat.event("subscribe", sender=RESIDENT)
    assert "几号楼" in wechat.say(f"楼道灯坏了，联系电话{PHONE}", sender=RESIDENT)
    number = number_in(wechat.say("3号楼", sender=RESIDENT))
    wechat.run_jobs()
    assert number in wechat.say("我的工单", sender=RESIDENT)
    # The error channel names the message it failed on: an event's key holds the sender's openid.
    event = _message(RESIDENT)
    runtime.on_error(RuntimeError("a handler broke"), event)
    runtime.on_error(OperationalError("SELECT 1", {}, Exception("database is locked")), event)
    said = [record.getMessage() + (record.exc_text or "") for record in caplog.records
            if record.name != "minhu.standin"]  # the stand-in plays WeChat's servers: not our log
    assert any("handler failed" in line for line in said) and any("spooled" in line for line in said)
    assert not [line for line in said if PHONE in line or RESIDENT in line]


def test_the_daily_digest_names_no_resident_and_no_phone_number(runtime):
    from bot.domain.digest import compose, recipients

    zone = ZoneInfo("Asia/Shanghai")
    t = open_ticket(runtime, f"3号楼楼顶漏水，我的电话{PHONE}，找我", resident=RESIDENT, days_ago=3)
    day = (datetime.now(zone) - timedelta(days=1)).date()
    (recipient,) = recipients(runtime.directory)
    with runtime.sessions() as session:
        text = compose(session, runtime.directory, recipient, day)
    assert t.number in text  # listed as overdue, by number and place only
    assert PHONE not in text and "5678" not in text and RESIDENT not in text and "oX7r" not in text


def _message(sender):
    from bot.domain.message import Message

    return Message(sender=sender, type="event", key=f"evt:{sender}:1700000000:click", created_at=datetime.now())


def test_unsubscribing_masks_phone_and_id_numbers_however_they_are_written(wechat, runtime):
    from bot.store.models import TicketEvent
    from tests.conversation import rows, ticket

    wechat.event("subscribe", sender="o_gone")
    said = "10号楼楼顶漏水，电话138 1234 5678，身份证11010519491231002X"
    number = number_in(wechat.say(said, sender="o_gone"))
    assert "已补充" in wechat.say("10号楼楼顶漏得更厉害了，找我老伴也行 139-8765-4321，座机010 6234 5678", sender="o_gone")
    kept = ticket(runtime, number)
    assert "138 1234 5678" in kept.text and "139-8765-4321" in kept.text  # kept while they follow the account
    wechat.event("unsubscribe", sender="o_gone")
    kept = ticket(runtime, number)
    digits = "".join(c for c in kept.text if c.isdigit())
    for private in ("12345678", "87654321", "62345678", "19491231", "110105"):
        assert private not in digits, kept.text
    assert "10号楼楼顶漏水" in kept.text and "漏得更厉害了" in kept.text
    for event in rows(runtime, TicketEvent, TicketEvent.ticket_id == kept.id):
        assert "8765" not in str(event.detail) and "1234 5678" not in str(event.detail)


def test_unsubscribing_masks_numbers_in_chinese_numerals_dots_and_brackets_and_forgets_the_room(wechat, runtime):
    from bot.store.models import TicketEvent
    from tests.conversation import rows, ticket

    wechat.event("subscribe", sender="o_left")
    said = "10号楼2单元1502室厨房水管漏水了，我叫刘桂芳，电话一三八一二三四五六七八"
    number = number_in(wechat.say(said, sender="o_left"))
    assert "已补充" in wechat.say("10号楼厨房水管漏得更厉害了，也可以打(139)8765.4321，身份证 1101 0519 4912 3100 2X",
                                 sender="o_left")
    kept = ticket(runtime, number)
    assert kept.room == "1502" and "一三八一二三四五六七八" in kept.text  # kept while they follow the account
    wechat.event("unsubscribe", sender="o_left")
    kept = ticket(runtime, number)
    private = ("1502", "一二三四", "五六七八", "8765", "4321", "1101", "0519", "4912", "3100", "刘桂芳")
    assert not [word for word in private if word in kept.text], kept.text
    for event in rows(runtime, TicketEvent, TicketEvent.ticket_id == kept.id):
        assert not [word for word in private if word in str(event.detail)], event.detail
    assert "10号楼" in kept.text and "水管漏水" in kept.text and "漏得更厉害了" in kept.text
    assert kept.room is None and kept.building == "10"  # the room is the household's; the building is the place


def test_a_neighbour_who_unsubscribes_takes_their_number_out_of_the_ticket_they_followed(wechat, runtime):
    from tests.conversation import ticket

    number = number_in(wechat.say("11号楼电动车飞线充电，电话13812345678", sender="o_reporter"))
    wechat.say("11号楼有人从窗户拉电线给电动车充电", sender="o_neighbour")  # follows the reporter's ticket
    assert "已补充" in wechat.say(f"{number} 晚上还在充，我电话一三九八七六五四三二一", sender="o_neighbour")
    wechat.event("unsubscribe", sender="o_neighbour")
    kept = ticket(runtime, number)
    assert "八七六五" not in kept.text and "晚上还在充" in kept.text, kept.text
    assert "13812345678" in kept.text and kept.resident_openid == "o_reporter"  # the reporter's stays theirs
