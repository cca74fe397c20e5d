"""Transcripts of what answers a question and what does not: a report called off is never filed, the category
question takes 都不是 and the kind said in words, a building said with another problem is that problem's, an answer
that comes after the report was filed still places it, and 对对对 or 就是我家那栋 is a yes."""
import pytest

from bot.store.models import Follower
from workers.drafts import file_draft
from tests.conversation import (GRID1, GRID2, GRID3, SECRETARY, by_category, config_changes,  # noqa: F401
                                number_in, numbers_in, pushes, rows, settings, ticket)


def time_passes(monkeypatch, minutes: int = 11) -> None:
    """The draft's deadline passes: its filing job finds it overdue."""
    import workers.drafts

    later = workers.drafts.time.time() + minutes * 60
    monkeypatch.setattr(workers.drafts.time, "time", lambda: later)


# Finding 5: "forget it" is heard however it is said, and the report is never filed.

@pytest.mark.parametrize("called_off", ["算了吧，反正也没人管", "不用了，我自己找物业", "算了算了", "我说算了 不报了"])
def test_a_report_called_off_in_a_longer_message_is_dropped_and_never_filed(wechat, runtime, monkeypatch,
                                                                             called_off):
    assert "几号楼" in wechat.say("垃圾桶坏了", sender="r2")
    assert "先不登记" in wechat.say(called_off, sender="r2")
    assert runtime.state.get("r2") is None
    time_passes(monkeypatch)
    wechat.run_due_jobs()
    assert wechat.ticket_count() == 0


def test_the_auditors_second_forget_it_finds_nothing_left_to_file(wechat, runtime, monkeypatch):
    wechat.say("垃圾桶坏了", sender="r2b")
    wechat.say("算了吧，反正也没人管", sender="r2b")
    assert "已受理" not in wechat.say("我说算了 不报了", sender="r2b")
    time_passes(monkeypatch)
    wechat.run_due_jobs()
    assert wechat.ticket_count() == 0


def test_a_slip_corrected_with_the_building_is_an_answer_not_a_drop(wechat, runtime):
    wechat.say("楼道灯坏了", sender="r2d")
    light = ticket(runtime, number_in(wechat.say("发错了，是5号楼", sender="r2d")))
    assert (light.category, light.building) == ("lighting", "5")


# The category question is what this test follows: asked whatever the reader's confidence in this message.
@pytest.mark.parametrize("config_changes", [{"nlp": {"min_confidence": 1.0}}])
def test_a_report_called_off_at_the_category_question_is_dropped(wechat, runtime):
    assert "1. " in wechat.say("6号楼外墙的瓷砖掉下来了，好危险", sender="r2c")
    assert "先不登记" in wechat.say("不报了，我自己找物业吧", sender="r2c")
    assert wechat.ticket_count() == 0


# Finding 7: the category question has a way out, and an answer is never a ticket of its own.

# The category question is what this test follows: asked whatever the reader's confidence in this message.
@pytest.mark.parametrize("config_changes", [{"nlp": {"min_confidence": 1.0}}])
def test_neither_choice_files_one_ticket_with_the_residents_words(wechat, runtime):
    question = wechat.say("6号楼地下室有水", sender="r7")  # 供水 or 漏水渗水?
    assert "3. 都不是" in question
    reply = wechat.say("都不是 是下水道返上来的", sender="r7")
    (water,) = wechat.tickets()
    assert numbers_in(reply) == [water.number] and "也记下了" not in reply
    assert water.category not in ("water_supply", "leak") and (water.building, water.assignee_openid) == ("6", GRID2)
    assert water.text == "6号楼地下室有水\n补充：都不是 是下水道返上来的"


# The category question is what this test follows: asked whatever the reader's confidence in this message.
@pytest.mark.parametrize("config_changes", [{"nlp": {"min_confidence": 1.0}}])
def test_three_is_neither_and_a_number_out_of_range_is_asked_again(wechat, runtime):
    wechat.say("6号楼外墙的瓷砖掉下来了，好危险", sender="r7b")
    assert "1. " in wechat.say("4", sender="r7b") and wechat.ticket_count() == 0
    (wall,) = [ticket(runtime, number_in(wechat.say("3", sender="r7b")))]
    assert wall.category == "other" and wall.building == "6" and wechat.ticket_count() == 1


# The category question is what this test follows: asked whatever the reader's confidence in this message.
@pytest.mark.parametrize("config_changes", [{"nlp": {"min_confidence": 1.0}}])
def test_a_word_for_the_thing_answers_the_question_and_is_kept(wechat, runtime):
    wechat.say("6号楼外墙的瓷砖掉下来了，好危险", sender="r7c")
    reply = wechat.say("瓷砖", sender="r7c")
    (wall,) = wechat.tickets()
    assert numbers_in(reply) == [wall.number] and wall.text.endswith("补充：瓷砖") and wall.category == "facilities"


# The category question is what this test follows: asked whatever the reader's confidence in this message.
@pytest.mark.parametrize("config_changes", [{"nlp": {"min_confidence": 1.0}}])
def test_the_kind_said_in_words_is_the_answer_not_a_neighbours_ticket_to_follow(wechat, runtime, fake_wechat):
    leak = number_in(wechat.say("5号楼煤气管道漏气了", sender="rx"))
    assert "1. " in wechat.say("5号楼燃气管道 物业也不管", sender="rk")  # 物业服务 or 燃气?
    reply = wechat.say("燃气的", sender="rk")
    assert len(numbers_in(reply)) == 1 and "已有邻居反映" not in reply
    own = ticket(runtime, number_in(reply))
    assert (own.category, own.building, own.resident_openid) == ("gas", "5", "rk")
    assert rows(runtime, Follower, Follower.openid == "rk") == []
    assert ticket(runtime, leak).households == 1
    wechat.run_jobs()
    assert not pushes(fake_wechat, GRID2, "燃气的")


# Finding 8: a building said with another problem belongs to that problem.

def test_another_problem_at_its_own_building_is_filed_there_and_the_first_is_still_asked(wechat, runtime):
    assert "几号楼" in wechat.say("路灯坏了", sender="r1")
    reply = wechat.say("另外9号楼门口的垃圾桶满了", sender="r1")
    (garbage,) = wechat.tickets()
    assert (garbage.category, garbage.building, garbage.assignee_openid) == ("sanitation", "9", GRID3)
    assert numbers_in(reply) == [garbage.number] and reply.endswith("您刚才反映的照明问题还没登记完：请问是几号楼？")
    light = ticket(runtime, number_in(wechat.say("路灯在3号楼", sender="r1")))
    assert (light.category, light.building, light.assignee_openid) == ("lighting", "3", GRID1)
    assert wechat.ticket_count() == 2 and rows(runtime, Follower, Follower.openid == "r1") == []


def test_a_car_at_its_building_leaves_the_light_waiting_for_its_own(wechat, runtime):
    wechat.say("楼道灯坏了", sender="r1b")
    wechat.say("还有5号楼门口有车堵了消防通道", sender="r1b")
    assert by_category(wechat)["parking"].building == "5" and "lighting" not in by_category(wechat)
    wechat.say("2号楼", sender="r1b")
    assert by_category(wechat)["lighting"].building == "2"


def test_a_building_said_first_answers_and_the_problem_after_it_is_there_too(wechat, runtime):
    wechat.say("楼道灯坏了", sender="r1c")
    reply = wechat.say("5号楼，另外门口垃圾桶也满了", sender="r1c")
    assert len(numbers_in(reply)) == 2
    assert {t.category: t.building for t in wechat.tickets()} == {"lighting": "5", "sanitation": "5"}


# Finding 14: an answer that comes after the report was filed still places it.

def test_a_building_sent_after_the_draft_was_filed_places_the_ticket(wechat, runtime, fake_wechat, monkeypatch):
    wechat.say("垃圾好几天没人收了", sender="r14")
    time_passes(monkeypatch)
    wechat.run_due_jobs()
    (filed,) = wechat.tickets()
    assert filed.assignee_openid == SECRETARY
    assert pushes(fake_wechat, "r14", "已先为您登记", "几号楼")
    reply = wechat.say("5号楼", sender="r14")
    assert reply == f"已记下：5号楼。工单{filed.number}已转给第二网格网格员张海燕处理。"
    placed = ticket(runtime, filed.number)
    assert (placed.building, placed.assignee_openid) == ("5", GRID2)
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID2, "新工单待处理", filed.number)


def test_a_building_after_not_knowing_it_places_the_ticket(wechat, runtime):
    wechat.say("路灯坏了", sender="r14b")
    filed = ticket(runtime, number_in(wechat.say("不知道", sender="r14b")))
    assert filed.assignee_openid == SECRETARY
    assert "第一网格" in wechat.say("3栋", sender="r14b")
    assert ticket(runtime, filed.number).building == "3"


def test_after_a_filed_report_another_problem_with_a_building_is_its_own(wechat, runtime):
    wechat.say("路灯坏了", sender="r14c")
    light = number_in(wechat.say("不清楚", sender="r14c"))
    garbage = ticket(runtime, number_in(wechat.say("9号楼垃圾桶满了", sender="r14c")))
    assert garbage.building == "9" and ticket(runtime, light).building is None


def bind_home(wechat, sender: str, address: str = "3号楼2单元") -> None:
    wechat.click("BIND_ADDRESS", sender=sender)
    assert "已绑定住址" in wechat.say(address, sender=sender)


def test_就是我家那栋_is_yes_to_the_home_question(wechat, runtime):
    bind_home(wechat, "wang_ayi")
    assert "是在您家3号楼2单元吗" in wechat.say("楼道灯坏了", sender="wang_ayi")
    light = ticket(runtime, number_in(wechat.say("就是我家那栋啊", sender="wang_ayi")))
    assert (light.building, light.assignee_openid) == ("3", GRID1)


# Finding 19: yes said the way people say it; binding an address the estate does not have.

@pytest.mark.parametrize("yes", ["对对对", "是的呀", "嗯嗯", "是啊", "对，就在我家楼下"])
def test_yes_said_many_ways_takes_the_home(wechat, runtime, yes):
    bind_home(wechat, "r19", "5号楼1单元")
    wechat.say("垃圾桶满了没人收", sender="r19")
    garbage = ticket(runtime, number_in(wechat.say(yes, sender="r19")))
    assert (garbage.building, garbage.unit) == ("5", "1")


def test_not_my_home_is_not_a_yes(wechat, runtime):
    bind_home(wechat, "r19b", "5号楼1单元")
    wechat.say("垃圾桶满了没人收", sender="r19b")
    assert "几号楼" in wechat.say("不是我家", sender="r19b") and wechat.ticket_count() == 0


def test_binding_an_unknown_building_asks_again_and_keeps_listening(wechat, runtime):
    wechat.click("BIND_ADDRESS", sender="r19c")
    assert "没找到幸福苑的15号楼" in wechat.say("15栋1单元", sender="r19c")
    assert "没看出是几号楼" in wechat.say("就是那个小区", sender="r19c")
    assert "已绑定住址：5号楼1单元" in wechat.say("5栋1单元", sender="r19c")
    # Twice no address at all: whatever it is, it is not the address, and the bot stops asking.
    wechat.click("BIND_ADDRESS", sender="r19c")
    assert "没看出是几号楼" in wechat.say("随便问问", sender="r19c")
    assert "没看出是几号楼" not in wechat.say("好吧", sender="r19c") and runtime.state.get("r19c") is None


def test_binding_can_be_called_off(wechat, runtime):
    wechat.click("BIND_ADDRESS", sender="r19d")
    assert "先不绑定" in wechat.say("算了", sender="r19d")
    assert runtime.state.get("r19d") is None


def test_binding_a_home_in_the_middle_of_a_report_keeps_the_report(wechat, runtime):
    # The menu's 绑定住址 pressed while the bot waits for a report's building: the report is not lost.
    assert "几号楼" in wechat.say("楼道灯坏了好几天了", sender="r20")
    bind_home(wechat, "r20", "5号楼1单元")
    assert wechat.ticket_count() == 0
    light = ticket(runtime, number_in(wechat.say("5号楼", sender="r20")))
    assert (light.building, light.category) == ("5", "lighting") and light.text.startswith("楼道灯坏了")


def test_a_report_left_waiting_under_a_home_being_bound_is_still_filed_at_its_deadline(wechat, runtime):
    assert "几号楼" in wechat.say("下水道堵了污水往外冒", sender="r21")
    wechat.click("BIND_ADDRESS", sender="r21")  # and then nothing more: the report's timer still files it
    pending = runtime.state.get("r21")
    draft = (pending.get("resume") or pending)["draft"]
    runtime.state.set("r21", pending | ({"resume": pending["resume"] | {"deadline": 0}} if "resume" in pending
                                        else {"deadline": 0}))
    assert file_draft("r21", draft["id"]) == "filed" and wechat.ticket_count() == 1
