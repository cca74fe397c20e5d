"""Transcripts of residents chasing their own open ticket (催办): the chase is recorded on that ticket, whoever holds
it is told, and the resident hears where it stands; it never opens another ticket, and an emergency is never taken
for a chase."""
from datetime import datetime

import pytest

from bot.store.models import TicketEvent
from bot.domain import texts
from tests.conversation import (GRID1, GRID2, config_changes, number_in, numbers_in, pushes, rows,  # noqa: F401
                                settings, ticket)
from tests.fakeclock import FakeClock, install


def a_while_later(runtime, *openids: str) -> None:
    """The addendum window passes: the residents' next words no longer add to the ticket just opened."""
    for openid in openids:
        runtime.recent.clear(openid)


def chases_of(runtime, number: str) -> list[TicketEvent]:
    return [e for e in rows(runtime, TicketEvent, TicketEvent.ticket_id == ticket(runtime, number).id)
            if e.kind == "chased"]


def test_a_complaint_about_slowness_chases_the_residents_open_ticket(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("5号楼物业保安态度很差", sender="rp"))
    wechat.run_jobs()
    a_while_later(runtime, "rp")
    reply = wechat.say("你们效率太低了 都半个小时了还没人来", sender="rp")
    dispatched = texts.STATUS["dispatched"]  # the status word the desk and the bot share
    assert reply == (f"已帮您催办工单{number}（物业服务，5号楼）：现在{dispatched}，由第二网格网格员张海燕负责，"
                     f"已提醒尽快处理。有进展会第一时间告诉您。")
    assert wechat.ticket_count() == 1 and runtime.state.get("rp") is None
    (event,) = chases_of(runtime, number)
    assert event.actor == "rp" and event.detail["text"] == "你们效率太低了 都半个小时了还没人来"
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID2, "【催办】", number, "你们效率太低了")


@pytest.mark.parametrize("said", ["又没人管了", "到底有没有人管", "怎么还是没人来处理啊"])
def test_nobody_acting_said_alone_chases_the_newest_open_ticket(wechat, runtime, said):
    wechat.say("2号楼门口井盖松了", sender="rq")
    number = number_in(wechat.say("7号楼门口有车堵了消防通道", sender="rq"))
    reply = wechat.say(said, sender="rq")
    assert reply.startswith(f"已帮您催办工单{number}（停车，7号楼）") and wechat.ticket_count() == 2
    assert [e.detail["text"] for e in chases_of(runtime, number)] == [said]
    # With no ticket open, the same words name no problem: no ticket, and the resident is asked to say what it is.
    before = wechat.ticket_count()
    wechat.say(said, sender="rq_nothing_open")
    assert wechat.ticket_count() == before


def test_a_neighbour_following_the_ticket_chases_it_too(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("6号楼电梯坏了", sender="rz"))
    assert number in wechat.say("6号楼电梯又停了", sender="r10")  # r10 follows it
    reply = wechat.say("电梯坏了！！！到底有没有人管！！！", sender="r10")
    assert reply.startswith(f"已帮您催办工单{number}（电梯，6号楼）") and wechat.ticket_count() == 1
    assert "几号楼" not in reply
    chased = wechat.say("怎么还没人来修", sender="r10")
    assert chased.startswith(f"已帮您催办工单{number}")
    assert len(chases_of(runtime, number)) == 2
    wechat.run_jobs()
    # Chased twice in a minute: both recorded, the grid worker told once.
    assert len(pushes(fake_wechat, GRID2, "【催办】", number)) == 1


@pytest.mark.parametrize("question", [
    "电梯修好了吗",
    "人呢", "网格员啥时候来", "都半个小时了还没人来",
])
def test_a_question_after_the_ticket_chases_it(wechat, runtime, fake_wechat, question):
    number = number_in(wechat.say("6号楼电梯坏了", sender="r10b"))
    a_while_later(runtime, "r10b")
    assert wechat.say(question, sender="r10b").startswith(f"已帮您催办工单{number}（电梯，6号楼）")
    assert wechat.ticket_count() == 1 and len(chases_of(runtime, number)) == 1
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID2, "【催办】", question)


@pytest.mark.parametrize("question", ["我妈前天打电话报的漏水，咋还没动静", "停车那事咋样了", "路灯修好了吗"])
def test_a_question_about_another_kind_of_problem_does_not_chase_the_one_ticket_open(wechat, runtime, question):
    number = number_in(wechat.say("6号楼电梯坏了", sender="r10c"))
    a_while_later(runtime, "r10c")
    reply = wechat.say(question, sender="r10c")
    assert "催办" not in reply and number in reply  # their tickets, listed: the one open is about a lift
    assert chases_of(runtime, number) == [] and wechat.ticket_count() == 1


def test_saying_the_same_report_again_later_chases_it(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("3号楼楼道灯坏了", sender="r15"))
    a_while_later(runtime, "r15")
    reply = wechat.say("3号楼楼道灯还是不亮", sender="r15")
    assert reply.startswith(f"已帮您催办工单{number}（照明，3号楼）") and wechat.ticket_count() == 1
    assert ticket(runtime, number).text == "3号楼楼道灯坏了"  # the chase is an event, the report stays as told
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID1, "【催办】", "还是不亮")


def test_the_list_of_tickets_is_still_a_list_and_two_open_tickets_are_told_apart(wechat, runtime):
    light = number_in(wechat.say("2号楼路灯不亮", sender="r15b"))
    lift = number_in(wechat.say("6号楼电梯坏了", sender="r15b"))
    a_while_later(runtime, "r15b")
    listing = wechat.say("我的工单", sender="r15b")
    assert light in listing and lift in listing and "催办" not in listing
    assert "催办" not in wechat.say("进度怎么样了", sender="r15b")  # which one? the list says both
    assert wechat.say("路灯怎么还没修好", sender="r15b").startswith(f"已帮您催办工单{light}")
    assert chases_of(runtime, lift) == []


def test_an_emergency_is_never_taken_for_a_chase(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("6号楼电梯坏了", sender="r15c"))
    a_while_later(runtime, "r15c")
    reply = wechat.say("6号楼电梯里有人被困住了 快来人", sender="r15c")
    assert reply.startswith("⚠️") and "不要扒门" in reply and "催办" not in reply
    (trapped,) = [t for t in wechat.tickets() if t.urgent]
    assert trapped.number != number
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID2, "【紧急】", trapped.number)


def test_a_fixed_ticket_is_not_chased(wechat, runtime):
    number = number_in(wechat.say("2号楼门禁坏了", sender="r15d"))
    wechat.say(f"接单 {number}", sender=GRID1)
    wechat.say(f"完成 {number} 已修好", sender=GRID1)
    a_while_later(runtime, "r15d")
    assert "待评价" in wechat.say("怎么还没人来修", sender="r15d")
    assert chases_of(runtime, number) == []


def test_days_later_the_same_kind_of_problem_is_a_new_report(wechat, runtime, monkeypatch):
    clock = install(monkeypatch, FakeClock(datetime(2026, 11, 2, 2, 0)))
    number = number_in(wechat.say("6号楼电梯坏了", sender="r15e"))
    a_while_later(runtime, "r15e")
    clock.advance(days=8)
    assert "几号楼" in wechat.say("电梯又坏了", sender="r15e")
    assert chases_of(runtime, number) == [] and numbers_in(wechat.say("8号楼", sender="r15e")) != [number]


def the_window_passes(runtime, clock: FakeClock, reporter: str, *others: str) -> None:
    """The one-second addendum window passes on minhu's clock; Redis forgets the reporter's newest ticket with it."""
    assert 0 < runtime.redis.ttl(runtime.recent.key(reporter)) <= 1  # Redis's own expiry, at the window's length
    clock.advance(seconds=1.1)
    a_while_later(runtime, reporter, *others)


@pytest.mark.parametrize("config_changes", [{"conversation": {"addendum_window": 1}}])  # one second
def test_a_chase_a_while_after_the_last_tells_the_grid_worker_again(wechat, runtime, fake_wechat, monkeypatch):
    clock = install(monkeypatch, FakeClock(datetime(2026, 11, 2, 2, 0)))
    number = number_in(wechat.say("6号楼电梯坏了", sender="r15f"))
    the_window_passes(runtime, clock, "r15f")
    wechat.say("电梯修好了吗", sender="r15f")
    clock.advance(seconds=1.1)
    wechat.say("怎么还没人来修", sender="r15f")
    wechat.run_jobs()
    assert len(pushes(fake_wechat, GRID2, "【催办】", number)) == 2
    assert pushes(fake_wechat, GRID2, "（第2次）：怎么还没人来修")


@pytest.mark.parametrize("config_changes", [{"conversation": {"addendum_window": 1}}])  # one second
def test_many_neighbours_chasing_at_once_make_one_push_and_the_next_counts_them(wechat, runtime, fake_wechat,
                                                                               monkeypatch):
    clock = install(monkeypatch, FakeClock(datetime(2026, 11, 2, 2, 0)))
    number = number_in(wechat.say("6号楼电梯坏了", sender="rb0"))
    for n in range(1, 5):
        assert number in wechat.say("6号楼电梯又停了", sender=f"rb{n}")  # they follow it
    the_window_passes(runtime, clock, *(f"rb{n}" for n in range(5)))
    for n in range(1, 5):  # told again with the building: a follower's chase, written with the join
        assert wechat.say("6号楼电梯又停了", sender=f"rb{n}").startswith(f"已帮您催办工单{number}（电梯，6号楼）")
    assert wechat.say("6号楼电梯又停了", sender="rb1").startswith(f"已帮您催办工单{number}")  # the same words again
    assert [e.detail["count"] for e in chases_of(runtime, number)] == [1, 2, 3, 4]
    wechat.run_jobs()
    assert len(pushes(fake_wechat, GRID2, "【催办】", number)) == 1
    clock.advance(seconds=1.1)
    wechat.say("6号楼电梯还是不行 老人下不了楼", sender="rb2")
    wechat.run_jobs()
    assert len(pushes(fake_wechat, GRID2, "【催办】", number)) == 2
    assert pushes(fake_wechat, GRID2, "（第5次）：6号楼电梯还是不行")
    assert wechat.ticket_count() == 1


def test_a_question_naming_ones_ticket_chases_it_instead_of_opening_a_report(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="rn"))
    wechat.run_jobs()
    a_while_later(runtime, "rn")
    reply = wechat.say(f"请问{number}有人去看了吗", sender="rn")
    assert reply.startswith(f"已帮您催办工单{number}（漏水渗水，3号楼2单元）")
    assert wechat.ticket_count() == 1 and runtime.state.get("rn") is None  # no draft asking what the problem is
    (event,) = chases_of(runtime, number)
    assert event.detail["text"] == f"请问{number}有人去看了吗"
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID1, "【催办】", number)


def test_news_naming_ones_ticket_is_added_to_it_and_the_question_waiting_is_asked_again(wechat, runtime):
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="rn"))
    a_while_later(runtime, "rn")
    asked = wechat.say("楼下有人停车堵住了出口", sender="rn")
    assert "几号楼" in asked
    reply = wechat.say(f"{number} 现在漏得更厉害了，水都滴到床上了", sender="rn")
    assert reply.startswith(f"已补充到工单{number}") and "几号楼" in reply  # the parking report still waits
    assert ticket(runtime, number).text.endswith("\n补充：现在漏得更厉害了，水都滴到床上了")
    assert runtime.state.get("rn")["draft"]["text"] == "楼下有人停车堵住了出口"
    assert "已受理" in wechat.say("8号楼", sender="rn") and wechat.ticket_count() == 2


def test_naming_someone_elses_ticket_adds_nothing_to_it(wechat, runtime):
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="rn"))
    wechat.say(f"{number} 现在漏得更厉害了", sender="stranger")
    assert "补充" not in ticket(runtime, number).text and not chases_of(runtime, number)


def test_an_emergency_naming_ones_urgent_ticket_is_added_to_it_and_pushed_at_once(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("2号楼3单元楼道里电线冒火花", sender="rn"))
    wechat.run_jobs()
    a_while_later(runtime, "rn")
    reply = wechat.say(f"{number} 现在不冒火花了，但是有焦味", sender="rn")
    assert reply.startswith("⚠️") and f"已补充到工单{number}，已马上转告" in reply
    assert wechat.ticket_count() == 1 and ticket(runtime, number).text.endswith("有焦味")
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID1, number, "有焦味")


def test_an_emergency_naming_ones_ticket_is_reported_at_its_building(wechat, runtime):
    number = number_in(wechat.say("5号楼1单元楼道灯坏了", sender="rn"))
    a_while_later(runtime, "rn")
    reply = wechat.say(f"{number} 灯那里冒烟了，有火星", sender="rn")
    assert reply.startswith("⚠️") and "几号楼" not in reply
    urgent = number_in(reply)
    assert urgent != number and "（5号楼1单元）" in reply  # an emergency of its own, where the light is
    assert ticket(runtime, urgent).urgent and (ticket(runtime, urgent).building, ticket(runtime, urgent).unit) == ("5", "1")
