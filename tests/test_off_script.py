"""Transcripts of residents, grid workers and a secretary who leave the script (issue #22): emergencies followed up,
several problems in one message, places that are not buildings, questions and grumbles, and staff lists that put
what cannot wait first."""
from datetime import datetime, timedelta

import pytest

from bot.models import Ticket
from handlers import texts
from tests.conversation import (GRID1, GRID2, SECRETARY, by_category, config_changes, number_in,  # noqa: F401
                                numbers_in, pushes, rows, settings, ticket)
from tests.fakeclock import FakeClock, install

T0 = datetime(2030, 3, 4, 1, 0)  # Monday 09:00 in Shanghai


@pytest.fixture
def clock(monkeypatch):
    return install(monkeypatch, FakeClock(T0))


# Case 7: grid workers see urgent work first, with its time left; 帮助 lists the commands.

def test_the_urgent_ticket_near_its_deadline_leads_every_list_of_the_grid_worker(wechat, runtime, clock):
    lift = number_in(wechat.say("6号楼电梯里有人被困住了", sender="w1"))
    others = [number_in(wechat.say(said, sender=f"w{i}")) for i, said in
              enumerate(["5号楼楼道灯坏了", "7号楼门口垃圾没人收", "8号楼下水道堵了"], 2)]
    clock.advance(minutes=11)  # the lift must be accepted within 15 minutes: 4 are left
    ack = wechat.say("收到", sender=GRID2)
    assert lift in ack and ack.index(lift) < min(ack.index(n) for n in others if n in ack)
    assert "还剩4分钟" in ack
    listing = wechat.say("我的任务", sender=GRID2)
    first = listing.splitlines()[1]
    assert lift in first and "还剩4分钟" in first
    assert f"接单{others[0]}" in wechat.say(f"接单 {others[0]}", sender=GRID2).replace("已", "")
    assert wechat.say("帮助", sender=GRID2) == texts.STAFF_USAGE


# Case 9: the secretary asks for what is overdue, and escalations never say late before the deadline.

def test_the_secretary_asking_for_overdue_tickets_gets_them_or_hears_there_are_none(wechat, runtime, clock):
    assert wechat.say("超期的工单", sender=SECRETARY) == "目前没有超期工单。"
    lift = number_in(wechat.say("6号楼电梯坏了", sender="w9"))  # accept within 1 hour
    light = number_in(wechat.say("2号楼路灯不亮", sender="w9b"))  # within 2 hours
    clock.advance(minutes=75)
    reply = wechat.say("超期的工单", sender=SECRETARY)
    assert reply.startswith("目前超期工单共1件") and lift in reply and "超期15分钟" in reply and light not in reply
    assert "三率" not in reply


def test_an_escalation_sent_a_moment_before_the_deadline_does_not_say_it_is_a_minute_late(wechat, runtime, clock):
    from workers.escalation import recipients

    number = number_in(wechat.say("6号楼电梯坏了", sender="w9c"))
    found = ticket(runtime, number)
    (_, push), = recipients(runtime, found, "escalate:accept:1", found.accept_due_at - timedelta(seconds=0.5))
    assert "超过" not in push.text and "已到接单时限" in push.text
    (_, push), = recipients(runtime, found, "escalate:accept:1", found.accept_due_at + timedelta(minutes=3))
    assert "已超过接单时限3分钟" in push.text


# Case 1: an emergency has one ticket; follow-ups join it, reach whoever holds it at once, and hear the facts.

def test_the_gas_emergency_told_again_joins_its_ticket_and_reaches_its_holder_at_once(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("7号楼1单元302煤气味很大", sender="e1"))
    wechat.run_jobs()
    reply = wechat.say("人呢？煤气味还是很大！", sender="e1")
    assert wechat.ticket_count() == 1 and "几号楼" not in reply and "位置待确认" not in reply
    assert number in reply and "96777" in reply and "张海燕" in reply and "还没有回复接单" in reply
    assert ticket(runtime, number).text.endswith("补充：人呢？煤气味还是很大！")
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID2, "【紧急】", number, "煤气味还是很大")
    asked = wechat.say("网格员电话多少", sender="e1")
    assert "正在安排人" not in asked and number in asked and "96777" in asked and "010-00000011" in asked
    assert wechat.ticket_count() == 1
    wechat.say(f"接单 {number}", sender=GRID2)
    later = wechat.say("到底有没有人来啊", sender="e1")
    assert "张海燕已于" in later and "接单" in later and "96777" in later


def test_a_relative_outside_a_stuck_lift_hears_where_it_stands_and_the_lift_rescue_number(wechat, runtime,
                                                                                          fake_wechat):
    number = number_in(wechat.say("6号楼电梯困人了，我妈在里面", sender="e2"))
    reply = wechat.say("到底有没有人来", sender="e2")
    assert number in reply and "96333" in reply and "已补充到工单" not in reply and wechat.ticket_count() == 1
    again = wechat.say("电梯里还困着人呢，快点！", sender="e2")
    assert wechat.ticket_count() == 1 and number in again and "96333" in again


def test_a_neighbour_smelling_the_same_gas_joins_the_emergency(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("7号楼煤气味很大", sender="e3"))
    reply = wechat.say("7号楼楼道里一股煤气味", sender="e3_neighbour")
    assert number in reply and wechat.ticket_count() == 1


# Case 8: a 不满意 about slowness reopens a solved emergency as a normal ticket; the danger said back keeps it urgent.

@pytest.mark.parametrize("verdict, urgent", [("不满意，太慢了，等了一个多小时才来人", False),
                                             ("不满意 煤气味又出来了，很大", True)])
def test_a_verdict_on_a_solved_emergency_reopens_it_urgent_only_when_the_danger_is_back(
        wechat, runtime, fake_wechat, clock, verdict, urgent):
    number = number_in(wechat.say("7号楼1单元煤气泄漏了", sender="e8"))
    wechat.say(f"接单 {number}", sender=GRID2)
    wechat.say(f"完成 {number} 已关阀门，燃气公司检修完毕", sender=GRID2)
    clock.advance(minutes=30)
    wechat.say(verdict, sender="e8")
    reopened = ticket(runtime, number)
    assert reopened.status == "dispatched" and reopened.reopened_count == 1 and reopened.urgent is urgent
    # Gas is accepted within 30 minutes, an emergency within 15.
    assert reopened.accept_due_at - clock.now == timedelta(minutes=15 if urgent else 30)
    assert wechat.ticket_count() == 1


# Case 2: a half-told report is always filed after `conversation.draft_timeout`, re-asked or not.

def test_a_report_re_asked_is_filed_when_its_timer_runs_a_moment_early(wechat, runtime, fake_wechat, monkeypatch):
    import time

    assert "几号楼" in wechat.say("垃圾好几天没人收了", sender="d1")
    assert "没看出是几号楼" in wechat.say("就在楼下", sender="d1")  # asked again: a new deadline
    deadline = runtime.state.get("d1")["deadline"]
    # RQ's scheduler counts whole seconds: the job can run up to a second before the deadline it was set for.
    monkeypatch.setattr(time, "time", lambda: deadline - 0.5)
    wechat.run_due_jobs()
    assert wechat.ticket_count() == 0  # not yet: the resident may still answer
    monkeypatch.setattr(time, "time", lambda: deadline + 1.5)
    wechat.run_due_jobs()
    (filed,) = wechat.tickets()
    assert filed.assignee_openid == SECRETARY and filed.text.startswith("垃圾好几天没人收了")
    assert any("已先为您登记" in t and filed.number in t for t in fake_wechat.texts_to("d1"))


# Case 6: the building a resident answers 几号楼 with is home, even when the answer joined a neighbour's ticket.

def test_home_is_remembered_when_the_answer_joins_a_neighbours_ticket(wechat, runtime):
    number = number_in(wechat.say("3号楼楼顶漏水了", sender="h1"))
    assert "几号楼" in wechat.say("楼顶漏水了，家里天花板都湿了", sender="h2")
    joined = wechat.say("3号楼", sender="h2")
    assert number in joined and "已有邻居反映" in joined and wechat.ticket_count() == 1
    assert "是在您家3号楼吗" in wechat.say("路灯不亮了", sender="h2")
