"""What a verdict message says besides the verdict (满意 但是6号楼三楼楼道着火了): handlers.intake.report_rest files it
as a report, an emergency at once, and says nothing when it reports nothing. The verdict handler hands it the rest
of the message; here the rest is handed to it the same way, in the middle of a real conversation."""
import itertools

from bot.domain.message import Message
from handlers.followup import report_rest
from tests.conversation import (GRID2, SECRETARY, config_changes, number_in, numbers_in, pushes,  # noqa: F401
                                settings, ticket)

_keys = itertools.count(7_000_000)


def rest_of(runtime, sender: str, said: str, rest: str, rated=None) -> str | None:
    """What the verdict handler does with the rest of `said`: a message seen for the first time."""
    message = Message(sender=sender, type="text", key=str(next(_keys)), text=said)
    ctx = runtime.context(message)
    ctx.fresh = True
    return report_rest(message, ctx, rest, rated)


def fixed(wechat, sender: str) -> str:
    number = number_in(wechat.say("6号楼门口的树枝挡路了", sender=sender))
    wechat.say(f"完成 {number} 树枝剪了", sender=GRID2)
    return number


def test_a_fire_said_with_a_verdict_is_filed_at_once_and_pushed(wechat, runtime, fake_wechat):
    rated = fixed(wechat, "r11")
    reply = rest_of(runtime, "r11", "满意 但是6号楼三楼楼道着火了 好大的烟", "但是6号楼三楼楼道着火了 好大的烟",
                    ticket(runtime, rated))
    fire = ticket(runtime, number_in(reply))
    assert reply.startswith("⚠️") and "119" in reply
    assert (fire.urgent, fire.building, fire.assignee_openid, fire.text) == (
        True, "6", GRID2, "但是6号楼三楼楼道着火了 好大的烟")
    wechat.run_jobs()
    assert pushes(fake_wechat, GRID2, "【紧急】", fire.number) and pushes(fake_wechat, SECRETARY, "【紧急】", fire.number)


def test_another_problem_said_with_a_verdict_is_its_own_report(wechat, runtime):
    rated = fixed(wechat, "r11b")
    reply = rest_of(runtime, "r11b", "满意，另外10号楼门口的井盖松了", "另外10号楼门口的井盖松了",
                    ticket(runtime, rated))
    cover = ticket(runtime, number_in(reply))
    assert (cover.category, cover.building) == ("facilities", "10") and cover.number != rated


def test_a_problem_without_a_building_is_asked_about_like_any_report(wechat, runtime):
    rated = fixed(wechat, "r11c")
    assert "几号楼" in rest_of(runtime, "r11c", "满意 还有路灯也坏了", "还有路灯也坏了", ticket(runtime, rated))
    light = ticket(runtime, number_in(wechat.say("9号楼", sender="r11c")))
    assert (light.category, light.building) == ("lighting", "9")


def test_thanks_or_more_about_the_ticket_rated_is_not_a_report(wechat, runtime):
    rated = ticket(runtime, fixed(wechat, "r11d"))
    assert rest_of(runtime, "r11d", "满意 谢谢你们", "谢谢你们", rated) is None
    assert rest_of(runtime, "r11d", "不满意 树枝还是挡路", "树枝还是挡路", rated) is None
    assert rest_of(runtime, "r11d", "满意", "", rated) is None
    assert wechat.ticket_count() == 1


def test_a_report_said_with_a_verdict_while_a_question_waits_keeps_that_question(wechat, runtime):
    fixed(wechat, "r11e")
    assert "几号楼" in wechat.say("楼道灯坏了", sender="r11e")
    reply = rest_of(runtime, "r11e", "满意，另外3号楼着火了", "另外3号楼着火了")
    assert reply.startswith("⚠️") and len(numbers_in(reply)) == 1
    light = ticket(runtime, number_in(wechat.say("2号楼", sender="r11e")))
    assert (light.category, light.building) == ("lighting", "2")
