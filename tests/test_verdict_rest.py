"""Transcripts of verdicts that say more than the verdict (满意，另外…着火了) and of verdicts that could be about more
than one ticket: the verdict is kept, a report in the rest is filed (an emergency first), and the bot asks which
ticket it is when it cannot tell."""
import re

from bot.store.models import TicketEvent
from tests.conversation import GRID1, GRID2, SECRETARY, number_in, rows, ticket  # noqa: F401 (fixtures)
from tests.test_verdicts import fixed

GRID3 = "o_demo_grid3_chen"


def numbers_in(reply: str) -> list[str]:
    return re.findall(r"工单号：(\d{6})", reply or "")


def choice_of(reply: str, number: str) -> str:
    """The figure the bot's which-ticket question gives this ticket ("1. 100003 照明…" gives "1")."""
    (line,) = [line for line in reply.splitlines() if number in line]
    return line.split(".")[0].strip()


def test_a_fire_said_with_a_verdict_is_an_emergency_first_and_the_verdict_still_counts(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("6号楼门口的树枝挡路了", sender="r11"))
    fixed(wechat, number, worker=GRID2, note="树枝剪了")
    reply = wechat.say("满意 但是6号楼三楼楼道着火了 好大的烟", sender="r11")
    (fire_number,) = numbers_in(reply)
    fire = ticket(runtime, fire_number)
    # The emergency comes first: safety advice and its ticket; then the thanks for the verdict.
    assert reply.startswith("⚠️") and reply.index(fire_number) < reply.index(f"工单{number}已办结")
    assert (fire.urgent, fire.category, fire.building, fire.assignee_openid) == (True, "safety", "6", GRID2)
    assert fire.text == "6号楼三楼楼道着火了 好大的烟"
    rated = ticket(runtime, number)
    assert (rated.status, rated.satisfaction, rated.rating_note) == ("closed", "satisfied", None)
    wechat.run_jobs()
    assert any("【紧急】" in t and fire_number in t for t in fake_wechat.texts_to(GRID2))
    assert any("【紧急】" in t and fire_number in t for t in fake_wechat.texts_to(SECRETARY))


def test_a_loose_manhole_cover_said_with_a_verdict_is_filed_at_its_own_building(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("6号楼门口的树枝挡路了", sender="r12"))
    fixed(wechat, number, worker=GRID2, note="树枝剪了")
    reply = wechat.say("满意，另外10号楼门口的井盖松了", sender="r12")
    cover = ticket(runtime, number_in(reply))
    assert (cover.category, cover.building, cover.assignee_openid) == ("facilities", "10", GRID3)
    assert cover.text == "10号楼门口的井盖松了" and f"工单{number}已办结" in reply
    assert (ticket(runtime, number).status, ticket(runtime, number).rating_note) == ("closed", None)
    assert wechat.ticket_count() == 2


def test_a_plain_report_after_a_verdict_comes_after_the_thanks(wechat, runtime):
    number = number_in(wechat.say("6号楼门口的树枝挡路了", sender="r13"))
    fixed(wechat, number, worker=GRID2)
    reply = wechat.say("基本满意。对了，9号楼楼下垃圾桶满了没人倒", sender="r13")
    bins = ticket(runtime, number_in(reply))
    assert reply.startswith("感谢您的评价") and reply.index(f"工单{number}") < reply.index(bins.number)
    assert (bins.urgent, bins.category, bins.building, bins.text) == (False, "sanitation", "9", "9号楼楼下垃圾桶满了没人倒")
    assert ticket(runtime, number).satisfaction == "basically"


def test_a_report_after_a_verdict_asks_where_like_any_report(wechat, runtime):
    number = number_in(wechat.say("6号楼门口的树枝挡路了", sender="r14"))
    fixed(wechat, number, worker=GRID2)
    reply = wechat.say("满意，另外楼道灯坏了", sender="r14")
    assert f"工单{number}已办结" in reply and "几号楼" in reply and wechat.ticket_count() == 1
    light = ticket(runtime, number_in(wechat.say("3号楼", sender="r14")))
    assert (light.category, light.building, light.assignee_openid) == ("lighting", "3", GRID1)
    assert ticket(runtime, number).rating_note is None


def test_not_satisfied_and_another_problem_reopens_the_ticket_and_files_the_problem(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("6号楼门口的树枝挡路了", sender="r15"))
    fixed(wechat, number, worker=GRID2)
    reply = wechat.say("不满意，另外3号楼楼道灯也坏了", sender="r15")
    light = ticket(runtime, number_in(reply))
    assert f"工单{number}已重新打开" in reply and "能说说" not in reply
    assert (light.category, light.building) == ("lighting", "3")
    reopened = ticket(runtime, number)
    assert (reopened.status, reopened.rating_note) == ("dispatched", None)
    assert runtime.state.get("r15") is None  # no question waits: the next message is read afresh
    wechat.run_jobs()
    assert [t for t in fake_wechat.texts_to(GRID2) if "重新打开" in t][-1].count("楼道灯") == 0


def test_not_satisfied_and_a_gas_smell_is_an_emergency_first(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("4号楼2单元楼道灯坏了", sender="r16"))
    fixed(wechat, number)
    reply = wechat.say("不满意 而且5号楼2单元煤气味很大", sender="r16")
    gas = ticket(runtime, number_in(reply))
    assert reply.startswith("⚠️") and reply.index("不要点火") < reply.index(f"工单{number}已重新打开")
    assert (gas.urgent, gas.category, gas.building) == (True, "gas", "5")
    assert ticket(runtime, number).status == "dispatched"


def test_what_is_not_a_report_stays_the_verdicts_note(wechat, runtime):
    number = number_in(wechat.say("6号楼门口的树枝挡路了", sender="r17"))
    fixed(wechat, number, worker=GRID2)
    assert f"工单{number}已办结" in wechat.say("满意 谢谢你们，辛苦了", sender="r17")
    assert ticket(runtime, number).rating_note == "谢谢你们，辛苦了" and wechat.ticket_count() == 1
    other = number_in(wechat.say("6号楼门口路灯不亮", sender="r17"))
    fixed(wechat, other, worker=GRID2)
    assert "已把您的意见转给网格员" in wechat.say("不满意，物业的人态度太差了", sender="r17")
    assert ticket(runtime, other).rating_note == "物业的人态度太差了" and wechat.ticket_count() == 2


def two_fixed(wechat, resident: str) -> tuple[str, str]:
    """A light and a garbage bin, both fixed: two tickets waiting for this resident's verdict."""
    light = number_in(wechat.say("4号楼2单元楼道灯坏了", sender=resident))
    bins = number_in(wechat.say("3号楼门口垃圾桶坏了", sender=resident))
    fixed(wechat, light, note="换了灯泡")
    fixed(wechat, bins, note="换了新垃圾桶")
    return light, bins


def test_a_bare_verdict_with_two_tickets_waiting_asks_which(wechat, runtime, fake_wechat):
    light, bins = two_fixed(wechat, "r9")
    reply = wechat.say("不满意", sender="r9")
    assert "哪一个" in reply and light in reply and bins in reply
    assert {ticket(runtime, n).status for n in (light, bins)} == {"resolved"}
    reply = wechat.say(choice_of(reply, light), sender="r9")
    assert f"工单{light}已重新打开" in reply and "能说说哪里还不满意" in reply
    assert "已转给网格员" in wechat.say("灯还是不亮", sender="r9")
    assert (ticket(runtime, light).status, ticket(runtime, light).rating_note) == ("dispatched", "灯还是不亮")
    assert ticket(runtime, bins).status == "resolved" and wechat.ticket_count() == 2
    wechat.run_jobs()
    assert any("补充意见：灯还是不亮" in t for t in fake_wechat.texts_to(GRID1))
    assert "感谢您的评价" in wechat.say("满意", sender="r9")  # only the bin waits now: no question
    assert ticket(runtime, bins).status == "closed"


def test_the_verdicts_own_words_pick_the_ticket(wechat, runtime):
    light, bins = two_fixed(wechat, "r9b")
    reply = wechat.say("不满意 灯还是不亮", sender="r9b")
    assert f"工单{light}已重新打开" in reply and "哪一个" not in reply
    assert ticket(runtime, light).rating_note == "灯还是不亮" and ticket(runtime, bins).status == "resolved"


def test_which_ticket_is_answered_by_its_number_its_words_or_both(wechat, runtime):
    light, bins = two_fixed(wechat, "r9c")
    assert "哪一个" in wechat.say("满意", sender="r9c")
    assert f"工单{bins}已办结" in wechat.say("垃圾桶那个", sender="r9c")
    assert ticket(runtime, light).status == "resolved"
    light2, bins2 = two_fixed(wechat, "r9d")
    assert "哪一个" in wechat.say("基本满意", sender="r9d")
    assert f"工单{bins2}已办结" in wechat.say(bins2, sender="r9d")
    light3, bins3 = two_fixed(wechat, "r9e")
    assert "哪一个" in wechat.say("满意", sender="r9e")
    reply = wechat.say("都满意", sender="r9e")
    assert f"工单{light3}" in reply and f"工单{bins3}" in reply
    assert {ticket(runtime, n).satisfaction for n in (light3, bins3)} == {"satisfied"}


def test_a_new_report_instead_of_an_answer_to_which_is_a_report(wechat, runtime):
    light, bins = two_fixed(wechat, "r9f")
    assert "哪一个" in wechat.say("不满意", sender="r9f")
    lamp = ticket(runtime, number_in(wechat.say("5号楼门口路灯坏了", sender="r9f")))
    assert (lamp.category, lamp.building) == ("lighting", "5")
    assert {ticket(runtime, n).status for n in (light, bins)} == {"resolved"}
    assert not [e for e in rows(runtime, TicketEvent) if e.kind in ("rated", "reopened")]


def test_which_ticket_asked_while_a_report_waits_for_its_building_loses_neither(wechat, runtime):
    light, bins = two_fixed(wechat, "r9g")
    assert "几号楼" in wechat.say("楼下绿化带里有人种菜", sender="r9g")
    reply = wechat.say(choice_of(wechat.say("满意", sender="r9g"), bins), sender="r9g")
    assert f"工单{bins}已办结" in reply and "绿化问题还没登记完" in reply
    greens = ticket(runtime, number_in(wechat.say("9号楼", sender="r9g")))
    assert (greens.category, greens.building) == ("greenery", "9") and ticket(runtime, light).status == "resolved"


def test_the_building_said_instead_of_which_ticket_answers_the_report_waiting(wechat, runtime):
    light, bins = two_fixed(wechat, "r9h")
    assert "几号楼" in wechat.say("楼下绿化带里有人种菜", sender="r9h")
    assert "哪一个" in wechat.say("满意", sender="r9h")
    greens = ticket(runtime, number_in(wechat.say("9号楼", sender="r9h")))
    assert (greens.category, greens.building) == ("greenery", "9")
    assert {ticket(runtime, n).status for n in (light, bins)} == {"resolved"}


def test_a_verdict_with_its_number_after_which_ticket_ends_that_question(wechat, runtime):
    light, bins = two_fixed(wechat, "r9i")
    assert "哪一个" in wechat.say("满意", sender="r9i")
    assert f"工单{light}已办结" in wechat.say(f"满意 {light}", sender="r9i")
    assert runtime.state.get("r9i") is None
    assert "已办结" not in wechat.say("1", sender="r9i")  # no question waits for a figure any more
    assert ticket(runtime, bins).status == "resolved"


def test_an_emergency_instead_of_an_answer_to_which_is_an_emergency(wechat, runtime, fake_wechat):
    light, bins = two_fixed(wechat, "r9j")
    assert "哪一个" in wechat.say("不满意", sender="r9j")
    reply = wechat.say("4号楼2单元楼道灯冒烟了", sender="r9j")
    sparks = ticket(runtime, number_in(reply))
    assert reply.startswith("⚠️") and (sparks.urgent, sparks.building) == (True, "4")
    assert {ticket(runtime, n).status for n in (light, bins)} == {"resolved"}
