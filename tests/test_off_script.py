"""Transcripts of residents, grid workers and a secretary who leave the script (issue #22): emergencies followed up,
several problems in one message, places that are not buildings, questions and grumbles, and staff lists that put
what cannot wait first."""
from datetime import datetime, timedelta

import pytest

from bot.domain import texts
from tests.conversation import (GRID1, GRID2, GRID3, SECRETARY, by_category, config_changes, number_in,  # noqa: F401
                                numbers_in, pushes, settings, ticket)
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
    fire = number_in(wechat.say("3号楼2单元着火了", sender="e2_fire"))
    worse = wechat.say("火越来越大了！", sender="e2_fire")
    assert fire in worse and "119" in worse and wechat.ticket_count() == 1
    number = number_in(wechat.say("6号楼电梯困人了，我妈在里面", sender="e2"))
    reply = wechat.say("到底有没有人来", sender="e2")
    assert number in reply and "96333" in reply and "已补充到工单" not in reply and wechat.ticket_count() == 2
    again = wechat.say("电梯里还困着人呢，快点！", sender="e2")
    assert wechat.ticket_count() == 2 and number in again and "96333" in again


def test_a_neighbour_smelling_the_same_gas_joins_the_emergency_and_a_question_hears_the_number(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("7号楼煤气味很大", sender="e3"))
    reply = wechat.say("7号楼楼道里一股煤气味", sender="e3_neighbour")
    assert number in reply and wechat.ticket_count() == 1 and "96777" in reply and "还没有回复接单" in reply
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID2, "【紧急】", number, "7号楼楼道里一股煤气味")
    # A fall, then no more word from the one who fell: a question, answered with the facts and 120.
    fall = number_in(wechat.say("我家老人摔倒了，叫不应，5号楼3单元", sender="e4"))
    asked = wechat.say("人还是没醒，怎么办", sender="e4")
    assert fall in asked and "120" in asked and wechat.ticket_count() == 2


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


# Case 4: several problems in one message become one ticket each; a clarification is not a second problem.

def test_two_problems_in_one_message_become_two_tickets_answered_in_one_reply(wechat, runtime, fake_wechat):
    reply = wechat.say("5号楼楼道灯坏了，还有垃圾桶满了", sender="m1")
    kinds = by_category(wechat)
    assert set(kinds) == {"lighting", "sanitation"} and wechat.ticket_count() == 2
    assert numbers_in(reply) == [kinds["lighting"].number, kinds["sanitation"].number]
    assert kinds["sanitation"].building == "5" and kinds["sanitation"].assignee_openid == GRID2
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID2, kinds["lighting"].number) and pushes(fake_wechat, GRID2, kinds["sanitation"].number)
    # A retry of the same message (same MsgId) opens nothing more.
    wechat.say("6号楼路灯坏了，另外6号楼门口垃圾满了", sender="m1b", msg_id="77001")
    wechat.say("6号楼路灯坏了，另外6号楼门口垃圾满了", sender="m1b", msg_id="77001")
    assert wechat.ticket_count() == 4


def test_a_rant_about_noise_and_a_blocked_fire_exit_keeps_both_problems(wechat, runtime):
    reply = wechat.say("楼上天天半夜装修吵死了，而且楼道里堆满杂物把消防通道都堵了，物业也不管，3号楼", sender="m2")
    assert "1. " not in reply and len(numbers_in(reply)) == 2 and wechat.ticket_count() == 2
    assert "noise" in by_category(wechat)


def test_a_correction_right_after_a_report_is_added_to_it_not_a_second_problem(wechat, runtime):
    number = number_in(wechat.say("3号楼楼下那个东西坏了好久了", sender="m3"))
    reply = wechat.say("我说的是楼下的路灯", sender="m3")
    assert number in reply and wechat.ticket_count() == 1
    assert ticket(runtime, number).text.endswith("补充：我说的是楼下的路灯")


# Case 3: a question or a grumble with no problem in it is answered, never filed; the category question offers
# only real choices.

@pytest.mark.parametrize("asked", ["这周末社区有没有体检活动", "社区这周有没有免费体检？", "什么时候发鸡蛋"])
def test_a_question_only_the_community_can_answer_gets_its_numbers_and_no_ticket(wechat, runtime, fake_wechat, asked):
    reply = wechat.say(asked, sender="q1")
    assert "查不到" in reply and "010-00000010" in reply and "1. " not in reply
    wechat.run_jobs()
    assert wechat.ticket_count() == 0 and runtime.state.get("q1") is None


@pytest.mark.parametrize("said", ["物业都是垃圾", "你们网格员就是一群废物", "能不能管管"])
def test_a_grumble_or_an_insult_is_answered_and_never_filed(wechat, runtime, said):
    reply = wechat.say(said, sender="q2")
    assert wechat.ticket_count() == 0 and "工单号" not in reply and "1. " not in reply
    assert runtime.state.get("q2") is None  # nothing asked: no quiz, no 几号楼


@pytest.mark.parametrize("said", ["3号楼物业保洁不干活", "5号楼的保安天天睡觉不干活"])
def test_staff_not_working_at_a_place_is_a_report_not_a_grumble(wechat, runtime, said):
    reply = wechat.say(said, sender="q4")
    assert wechat.ticket_count() == 1 and "工单号" in reply


def test_a_grumble_from_a_resident_with_a_ticket_open_hears_where_it_stands(wechat, runtime):
    number = number_in(wechat.say("5号楼楼道灯坏了", sender="q3"))
    runtime.recent.clear("q3")
    assert number in wechat.say("物业都是垃圾", sender="q3") and wechat.ticket_count() == 1


# Case 10: English gets a short English answer.

@pytest.mark.parametrize("said", ["hello, how do I report a problem?", "I need help with my water", "Hello"])
def test_english_gets_a_short_english_answer(wechat, runtime, said):
    reply = wechat.say(said, sender="en1")
    assert reply.startswith("Hello!") and "building" in reply and not any("\u4e00" <= c <= "\u9fff" for c in reply
                                                                           if c not in "3号楼楼道灯坏了")
    assert wechat.ticket_count() == 0 and runtime.state.get("en1") is None


def test_ok_typed_in_a_chinese_chat_is_not_english(wechat, runtime):
    assert not wechat.say("ok", sender="en2").startswith("Hello!")


@pytest.mark.parametrize("config_changes", [{"nlp": {"min_confidence": 1.0}}])  # the reader is never sure
def test_the_category_question_never_offers_other_beside_its_neither(wechat, runtime):
    reply = wechat.say("楼道里有个东西", sender="q4")
    # Asked which kind (or, read as one kind, which building): never 其他 as a choice, which 都不是 already is.
    assert "其他" not in reply and ("几号楼" in reply or "都不是" in reply)


# Case 5: places that are not a building are routed to the grid that covers them.

@pytest.mark.parametrize("said, spot, grid", [("小区大门口的路灯坏了", "大门口", GRID1),
                                              ("北门旁边垃圾堆了好几天", "北门", GRID2),
                                              ("地下车库漏水很严重", "地下车库", GRID3)])
def test_a_report_at_an_estate_spot_is_routed_without_a_building(wechat, runtime, fake_wechat, said, spot, grid):
    reply = wechat.say(said, sender="s1")
    (filed,) = wechat.tickets()
    assert number_in(reply) == filed.number and "几号楼" not in reply and spot in reply
    assert (filed.building, filed.assignee_openid) == (spot, grid)
    wechat.run_jobs()
    assert pushes(fake_wechat, grid, filed.number, spot)


def test_the_spot_answers_the_building_question(wechat, runtime):
    assert "几号楼" in wechat.say("路灯坏了好几天了", sender="s2")
    reply = wechat.say("在北门旁边", sender="s2")
    (filed,) = wechat.tickets()
    assert number_in(reply) == filed.number and (filed.building, filed.assignee_openid) == ("北门", GRID2)
    assert "是在您家" not in wechat.say("垃圾没人收", sender="s2")  # a spot is never taken for home


def test_a_place_the_estate_does_not_list_goes_to_the_secretary_without_a_loop(wechat, runtime):
    assert "几号楼" in wechat.say("路灯坏了好几天了", sender="s3")
    reply = wechat.say("在篮球场那边", sender="s3")
    (filed,) = wechat.tickets()
    assert number_in(reply) == filed.number and filed.assignee_openid == SECRETARY and "篮球场" in filed.text


def test_a_spot_naming_a_grid_the_estate_lacks_stops_start_up_naming_the_key(tmp_path, env):
    import yaml

    from bot.settings import ConfigError, load_settings
    from tests.conversation import REPO

    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw["communities"][0]["estates"][0]["spots"] = [{"name": "大门口", "grid": "grid-9"}]
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"spots.*grid-9"):
        load_settings(path, env)
