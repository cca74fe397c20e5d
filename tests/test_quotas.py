"""One resident flooding the account: past config.yaml's `quotas` a kind answer, not more tickets, pushes or pages;
staff are never held back, and WeChat's retries of one message count once."""
import re
from datetime import datetime

import pytest

from tests.conversation import GRID1, SECRETARY, config_changes, number_in, settings, ticket  # noqa: F401
from tests.fakeclock import FakeClock, install, run_due

FLOOD = "o_flood"
CALL = "010-00000010"  # config.yaml's 社区服务站, the number a resident held back is given
# Thirty distinct complaints, each its own ticket when nothing holds them back.
COMPLAINTS = [f"{b}号楼{kind}" for kind in ("楼道灯坏了", "门口垃圾堆了好几天没人收", "下水道堵了")
              for b in range(1, 13)][:30]
# The secretary's urgent pages: the chat's (【紧急】工单100001：…), the timers' a minute later (…）\n居民反映), words
# added (…）居民补充); not the reminders and escalations that follow when nobody acts.
PAGE = re.compile(r"【紧急】工单\d{6}(：|（[^）]*）(\n居民反映|居民补充))")
# Twenty emergencies at distinct places: each its own urgent ticket.
EMERGENCIES = [f"{b}号楼{kind}" for kind in ("煤气味很大", "电梯里有人被困") for b in range(1, 13)][:20]


def messages_to_staff(fake_wechat) -> list[dict]:
    """Every push (customer-service or template message) that went to anyone but the flooding resident."""
    return [m for m in fake_wechat.messages if m["touser"] != FLOOD]


def pages(fake_wechat) -> list[str]:
    """The secretary's urgent pages: of a new emergency, or of words added to one."""
    return [t for t in fake_wechat.texts_to(SECRETARY) if PAGE.match(t)]


def test_thirty_complaints_in_a_burst_open_only_a_minutes_worth_of_tickets(wechat, fake_wechat):
    replies = [wechat.say(text, sender=FLOOD) for text in COMPLAINTS]
    wechat.run_jobs()
    assert wechat.ticket_count() == 10 and all("工单号" in reply for reply in replies[:10])
    assert len(messages_to_staff(fake_wechat)) == 10
    for reply in replies[10:]:
        assert reply == f"您发得太快了，请稍等一分钟再发。紧急情况请直接拨打社区服务站电话{CALL}。"


def test_a_staff_member_is_never_held_back_while_a_resident_is(wechat, runtime):
    number = number_in(wechat.say("2号楼楼顶漏水了", sender="o_neighbour"))
    for _ in range(12):
        assert wechat.say("我的任务", sender=GRID1).startswith("您的待办工单共1件")
    assert wechat.say(f"接单 {number}", sender=GRID1).startswith(f"已接单{number}")
    assert ticket(runtime, number).status == "accepted"
    said = [wechat.say("我的工单", sender=FLOOD) for _ in range(12)]
    assert all("太快" not in reply for reply in said[:10])
    assert all(reply.startswith("您发得太快了") for reply in said[10:])


def test_wechats_retries_of_one_message_count_once(wechat):
    first = wechat.say(COMPLAINTS[0], sender=FLOOD, msg_id="77001")
    for _ in range(3):  # WeChat tries a message up to three more times
        assert wechat.say(COMPLAINTS[0], sender=FLOOD, msg_id="77001") == first
    replies = [wechat.say(text, sender=FLOOD) for text in COMPLAINTS[1:11]]
    assert all("工单号" in reply for reply in replies[:9]) and wechat.ticket_count() == 10
    assert replies[9].startswith("您发得太快了")


@pytest.mark.parametrize("config_changes", [{"quotas": {"messages_per_minute": 100}}])
def test_twenty_emergencies_page_the_secretary_a_few_times_an_hour_each_ticket_once(wechat, runtime, fake_wechat):
    replies = [wechat.say(text, sender=FLOOD) for text in EMERGENCIES]
    assert all(reply.startswith("⚠️ 已按紧急情况优先处理！") and "工单号" in reply for reply in replies)
    wechat.run_jobs()
    # A minute later the timers page the secretary of an emergency the chat did not page: take that step now.
    from workers.timers import run_step

    tickets = wechat.tickets()
    steps_taken = [run_step(ticket.id, "page:urgent") for ticket in tickets]
    assert set(steps_taken) <= {"paged by the chat", "done"}
    assert len(tickets) == 20 and all(t.urgent for t in tickets)
    # Every grid worker still has each emergency as an urgent task; only the secretary is spared.
    urgent_tasks = [m for m in fake_wechat.messages if m["touser"] != SECRETARY and "【紧急】新工单" in m["content"]]
    assert len(urgent_tasks) == 20
    paged = pages(fake_wechat)
    assert len(paged) == 3
    numbers = [re.search(r"工单(\d{6})", text).group(1) for text in paged]
    assert len(set(numbers)) == len(numbers)


@pytest.mark.parametrize("config_changes", [{"quotas": {"messages_per_minute": 100}}])
def test_words_poured_onto_an_emergency_page_the_secretary_a_few_times_and_the_rest_come_together(
        wechat, runtime, fake_wechat, monkeypatch):
    clock = install(monkeypatch, FakeClock(datetime(2030, 3, 4, 1, 0)))
    number = number_in(wechat.say("煤气味很大", sender=FLOOD))  # no building: the secretary holds it until one comes
    run_due(runtime)
    clock.advance(minutes=1)
    said = [f"燃气味越来越浓了，第{i}次闻到" for i in range(1, 11)]
    for text in said:
        assert "已马上转告社区" in wechat.say(text, sender=FLOOD)
        run_due(runtime)
    # The ticket's own page took one of the hour's three (no push: the secretary has its task until it is placed).
    assert [text.rsplit("：", 1)[1] for text in pages(fake_wechat)] == said[:2]
    assert all(f"补充：{text}" in ticket(runtime, number).text for text in said)
    clock.advance(minutes=5)
    run_due(runtime)
    # The rest reach whoever holds the ticket in one push, once followup.tell_added_every has passed.
    assert fake_wechat.texts_to(SECRETARY)[-1] == (f"【紧急】工单{number}（燃气，位置待确认）居民补充了8条：\n"
                                                   + "\n".join(f"· {text}" for text in said[2:]))


@pytest.mark.parametrize("config_changes", [{"quotas": {"messages_per_minute": 100, "tickets_per_day": 5}}])
def test_past_the_days_tickets_a_report_is_added_to_the_newest_open_ticket_or_the_resident_told_to_call(
        wechat, runtime, fake_wechat, monkeypatch):
    clock = install(monkeypatch, FakeClock(datetime(2030, 3, 4, 1, 0)))  # 09:00 in Shanghai
    replies = [wechat.say(text, sender=FLOOD) for text in COMPLAINTS[:8]]
    numbers = [number_in(reply) for reply in replies[:5]]
    assert wechat.ticket_count() == 5
    for text, reply in zip(COMPLAINTS[5:8], replies[5:]):
        assert reply == (f"您今天反映的问题比较多，这条已补充到工单{numbers[-1]}，网格员会一并看到。"
                         f"着急的话请直接拨打社区服务站电话{CALL}。")
        assert f"补充：{text}" in ticket(runtime, numbers[-1]).text
    for number in numbers:
        assert wechat.say(f"取消 {number}", sender=FLOOD).startswith(f"工单{number}已取消")
    full = f"您今天反映的问题比较多，这条先不新开工单了，明天可以再发。着急的话请直接拨打社区服务站电话{CALL}。"
    assert wechat.say("12号楼楼道灯坏了", sender=FLOOD) == full
    emergency = wechat.say("12号楼门口井盖没了", sender=FLOOD)  # the safety advice first, as for any emergency
    assert emergency.startswith("⚠️ 已按紧急情况优先处理！\n请先注意安全") and emergency.endswith(full)
    assert wechat.ticket_count() == 5
    # A neighbour is not held back by this resident's count, nor is the resident the next day.
    assert "工单号" in wechat.say("11号楼楼道灯坏了", sender="o_neighbour")
    clock.advance(hours=15)  # 00:00 in Shanghai
    assert "工单号" in wechat.say("12号楼楼道灯坏了", sender=FLOOD) and wechat.ticket_count() == 7


def test_a_quota_redis_cannot_count_lets_everything_through(settings, monkeypatch):
    import socket

    from bot.store.queue import _Outage, connect
    from bot.domain.quotas import Quotas

    monkeypatch.setattr(_Outage, "until", 0.0)  # this test's outage is not the next test's
    with socket.socket() as free:  # a loopback port nothing listens on: Redis refuses at once
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    quotas = Quotas(connect(f"redis://127.0.0.1:{port}/0", fast=True), settings.config.quotas, settings.zone)
    assert all(quotas.take(kind, FLOOD) for kind in ("message", "ticket", "page") for _ in range(20))
