"""The desk's day work: a phone ticket entered, junk and duplicates closed with a reason, tickets merged, a category
corrected and exported, bulk steps, common replies, and the list putting what cannot wait first."""
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.domain import steps
from bot.cli.main import main
from bot.store.models import Attachment, Follower, Ticket, TicketEvent
from tests.conversation import GRID1, number_in
from tests.desk import add_user, csrf, login, open_ticket


@pytest.fixture
def secretary(client, runtime):
    add_user(runtime)
    assert login(client).status_code == 302
    return client


def post(client, path, data, page=None):
    token = csrf(client.get(page or "/tickets").get_data(as_text=True))
    return client.post(path, data=data | {"csrf_token": token})


def one(runtime, number) -> Ticket:
    with runtime.sessions() as db:
        return db.scalar(select(Ticket).where(Ticket.number == number))


def events(runtime, number, kind):
    with runtime.sessions() as db:
        return list(db.scalars(select(TicketEvent).join(Ticket).where(Ticket.number == number,
                                                                      TicketEvent.kind == kind)))


def test_a_phone_call_becomes_a_ticket_routed_and_counted_like_a_residents(secretary, runtime, wechat, fake_wechat):
    answer = post(secretary, "/tickets/new", {"source": "phone", "text": "3号楼2单元楼顶漏水，天花板在滴水",
                                              "building": "3", "unit": "2", "contact": "13800001111"},
                  page="/tickets/new")
    assert answer.status_code == 302
    (ticket,) = wechat.tickets()
    assert (ticket.source, ticket.contact, ticket.category, ticket.grid_id) == ("phone", "13800001111", "leak",
                                                                                 "grid-1")
    assert ticket.resident_openid is None and ticket.accept_due_at is not None
    (entered,) = events(runtime, ticket.number, "entered")
    assert entered.detail == {"source": "phone", "by": "王书记", "contact": "13800001111"}
    wechat.run_jobs()
    assert any(ticket.number in text for text in fake_wechat.texts_to(GRID1))
    page = secretary.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "电话" in page and "13800001111" in page and "工作人员代报" in page
    assert "电话 1" in secretary.get("/stats").get_data(as_text=True)
    assert "来源：电话1件" in wechat.say("日报", sender="o_demo_secretary_wang")


def test_an_entry_without_words_is_refused_and_nothing_is_opened(secretary, wechat):
    answer = post(secretary, "/tickets/new", {"source": "phone", "text": "", "building": "99"}, page="/tickets/new")
    assert answer.status_code == 400 and "请写上反映的问题" in answer.get_data(as_text=True)
    assert "没有99号楼" in answer.get_data(as_text=True) and wechat.ticket_count() == 0


def test_closing_as_invalid_tells_the_resident_kindly_and_asks_no_verdict(secretary, runtime, wechat, fake_wechat):
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_a"))
    wechat.run_jobs()
    answer = post(secretary, f"/tickets/{number}/dispose", {"reason": "invalid", "reply": "1"})
    assert answer.status_code == 302
    closed = one(runtime, number)
    assert (closed.status, closed.disposal, closed.satisfaction) == ("closed", "invalid", None)
    wechat.run_jobs()
    (told,) = fake_wechat.texts_to("o_a")
    assert "经社区核实暂不需要处理" in told and "未发现您反映的问题" in told and "评价" not in told
    assert any("无需再处理" in text for text in fake_wechat.texts_to(GRID1))
    wechat.say("满意", sender="o_a")
    assert one(runtime, number).satisfaction is None
    assert "已关闭（无效）" in secretary.get(f"/tickets/{number}").get_data(as_text=True)


def test_referred_to_a_department_says_where(secretary, runtime, wechat, fake_wechat):
    number = number_in(wechat.say("5号楼门口井盖松了", sender="o_b"))
    post(secretary, f"/tickets/{number}/dispose", {"reason": "referred", "department": "市政道路养护所"})
    wechat.run_jobs()
    assert one(runtime, number).disposal == "referred"
    assert any("已转市政道路养护所处理" in text for text in fake_wechat.texts_to("o_b"))


def test_a_duplicate_closes_into_the_first_ticket_and_its_reporter_follows_it(secretary, runtime, wechat,
                                                                               fake_wechat):
    first = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_c"))
    second = number_in(wechat.say("7号楼路灯不亮", sender="o_d"))  # filed under the wrong problem, say
    answer = post(secretary, f"/tickets/{second}/dispose", {"reason": "duplicate", "of": first})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/tickets/{first}")
    gone = one(runtime, second)
    assert (gone.status, gone.disposal, gone.merged_into) == ("closed", "duplicate", one(runtime, first).id)
    wechat.run_jobs()
    wechat.run_jobs()
    told = [t for t in fake_wechat.texts_to("o_d") if "合并" in t]
    assert len(told) == 1 and f"工单{first}" in told[0]
    with runtime.sessions() as db:
        assert db.scalar(select(Follower.openid).where(Follower.ticket_id == one(runtime, first).id)) == "o_d"


def test_merging_moves_followers_photos_and_events_and_tells_residents_once(secretary, runtime, wechat, fake_wechat):
    keep = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_e"))
    other = number_in(wechat.say("3号楼2单元电梯坏了", sender="o_f"))
    wechat.image(sender="o_f", media_id="GONE_ALREADY")
    runtime.tickets.join("o_g", "电梯又停了", ticket_id=one(runtime, other).id)
    answer = post(secretary, f"/tickets/{other}/merge", {"into": keep})
    assert answer.status_code == 302
    wechat.run_jobs()
    wechat.run_jobs()
    target = one(runtime, keep)
    with runtime.sessions() as db:
        followers = set(db.scalars(select(Follower.openid).where(Follower.ticket_id == target.id)))
        photos = list(db.scalars(select(Attachment).where(Attachment.ticket_id == target.id)))
        kinds = [e.kind for e in db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == target.id))]
    assert followers == {"o_f", "o_g"} and target.households == 3 and len(photos) == 1
    assert kinds.count("created") == 2 and "merged" in kinds and "attached" in kinds
    for resident in ("o_f", "o_g"):
        assert len([t for t in fake_wechat.texts_to(resident) if "已合并一起处理" in t]) == 1
    assert not [t for t in fake_wechat.texts_to("o_e") if "合并" in t]
    refused = post(secretary, f"/tickets/{other}/merge", {"into": keep})
    assert refused.status_code == 302
    assert "已经关闭，不能再合并" in secretary.get(refused.headers["Location"]).get_data(as_text=True)


def test_a_corrected_category_is_recorded_and_exported_for_retraining(secretary, runtime, wechat, env):
    number = number_in(wechat.say("3号楼2单元楼道里堆满了杂物", sender="o_h"))
    before = one(runtime, number).category
    post(secretary, f"/tickets/{number}/category", {"category": "safety"})
    assert one(runtime, number).category == "safety"
    (event,) = events(runtime, number, "recategorized")
    assert event.detail["from"] == before and event.detail["to"] == "safety"
    result = CliRunner().invoke(main, ["corrections"], env=env)
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(row) for row in result.output.splitlines() if row.startswith("{")]
    assert line["text"] == "3号楼2单元楼道里堆满了杂物" and line["predicted"] == before and line["category"] == "safety"


def test_bulk_assign_and_bulk_close(secretary, runtime, wechat, fake_wechat):
    numbers = [open_ticket(runtime, text=f"{b}号楼路灯不亮", category="lighting", building=str(b),
                           resident=f"o_bulk{b}").number for b in (3, 4)]
    junk = open_ticket(runtime, text="测试一下", category="other", building="5", resident="o_bulk5").number
    answer = post(secretary, "/tickets/bulk", {"action": "assign:o_demo_grid2_zhang", "number": numbers})
    assert answer.status_code == 302
    assert {one(runtime, n).assignee_openid for n in numbers} == {"o_demo_grid2_zhang"}
    post(secretary, "/tickets/bulk", {"action": "resolve", "reply": "2", "number": numbers})
    assert {one(runtime, n).status for n in numbers} == {"resolved"}
    assert one(runtime, numbers[0]).resolution_note == "已联系物业处理完毕，如还有问题请随时告诉我们。"
    post(secretary, "/tickets/bulk", {"action": "invalid", "number": [junk]})
    assert one(runtime, junk).disposal == "invalid"


def test_a_reply_chosen_on_the_desk_reaches_the_resident(secretary, runtime, wechat, fake_wechat):
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_i"))
    post(secretary, f"/tickets/{number}/close", {"reply": "3", "note": "明早再去看一次"})
    wechat.run_jobs()
    (told,) = [t for t in fake_wechat.texts_to("o_i") if "已处理" in t]
    assert "已现场查看并清理干净，感谢您对社区的支持。 明早再去看一次" in told and "请您评价" in told


def test_the_list_puts_urgent_then_nearly_late_first_and_names_reopened_and_verdicts(secretary, runtime, wechat):
    old = open_ticket(runtime, text="9号楼下水道堵了", category="drainage", building="9", days_ago=1,
                      resident="o_j1").number
    fresh = open_ticket(runtime, text="7号楼楼道灯坏了", category="lighting", building="7", resident="o_j2").number
    urgent = open_ticket(runtime, text="10号楼煤气味很大", category="gas", building="10", urgent=True, days_ago=2,
                         resident="o_j3").number
    with runtime.sessions() as db:  # accepted, with its resolution deadline far away: no reason to pin it
        row = db.scalar(select(Ticket).where(Ticket.number == old))
        row.status, row.accepted_at, row.resolve_due_at = "accepted", row.created_at, row.created_at + timedelta(days=9)
        db.commit()
    page = secretary.get("/tickets").get_data(as_text=True)
    order = sorted((urgent, fresh, old), key=page.index)
    assert order == [urgent, fresh, old]
    assert "将超时" in page or "超时" in page

    reopened = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_k"))
    ticket = one(runtime, reopened)
    steps.resolve(runtime.tickets, ticket.id, GRID1, "李建国", "修好了")
    wechat.say("不满意 还在滴水", sender="o_k")
    assert "已重新打开" in secretary.get("/tickets").get_data(as_text=True)
    timeline = secretary.get(f"/tickets/{reopened}").get_data(as_text=True)
    assert "重新打开</b>：<span class=\"verdict v-unsatisfied\">不满意" in timeline


def test_a_rate_without_data_says_why(secretary):
    page = secretary.get("/stats").get_data(as_text=True)
    assert "这段时间还没有居民评价" in page and "这段时间没有到接单时限的工单" in page


def test_a_kept_photo_is_served_only_to_who_may_see_its_ticket(client, runtime, wechat, fake_wechat):
    from tests.test_media import photo_with_position

    fake_wechat.put_media("PHOTO_DESK", photo_with_position((500, 400)))
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_p"))
    wechat.image(sender="o_p", media_id="PHOTO_DESK")
    wechat.run_jobs()
    with runtime.sessions() as db:
        photo_id = db.scalar(select(Attachment.id))
    assert client.get(f"/media/{photo_id}/thumb").status_code == 302  # to the login page
    add_user(runtime, username="zhang", role="grid_worker", grid="grid-2", name="张海燕")
    login(client, "zhang")
    assert client.get(f"/media/{photo_id}").status_code == 404  # another grid's ticket
    add_user(runtime, username="li", role="grid_worker", grid="grid-1", name="李建国")
    login(client, "li")
    thumb = client.get(f"/media/{photo_id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg" and thumb.data[:2] == b"\xff\xd8"
    assert f'/media/{photo_id}/thumb' in client.get(f"/tickets/{number}").get_data(as_text=True)
    assert client.get("/media/999999").status_code == 404
