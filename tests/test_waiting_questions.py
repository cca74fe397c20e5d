"""Transcripts of what residents say while the bot waits for an answer (几号楼? 是A还是B? where is the emergency?):
an emergency is handled at once, another problem is its own report, details are kept, questions in between are
answered, and nothing the resident said is lost."""
import pytest

from bot.store.models import Attachment, TicketEvent
from tests.conversation import (GRID1, GRID2, SECRETARY, config_changes, number_in, rows,  # noqa: F401 (fixtures)
                                settings, ticket)

GRID3 = "o_demo_grid3_chen"


def numbers_in(reply: str) -> list[str]:
    import re

    return re.findall(r"工单号：(\d{6})", reply or "")


def by_category(wechat) -> dict:
    return {t.category: t for t in wechat.tickets()}


def test_an_emergency_told_as_the_answer_is_handled_at_once_and_the_waiting_report_keeps_its_question(
        wechat, runtime, fake_wechat):
    assert "几号楼" in wechat.say("楼道灯坏了", sender="o_gas")
    reply = wechat.say("5号楼煤气味很大", sender="o_gas")
    # The emergency comes first: safety advice, its own urgent ticket at the building it names. That building is
    # the gas's, not the light's: the light is still asked about.
    (gas,) = wechat.tickets()
    assert reply.startswith("⚠️") and "不要点火" in reply and numbers_in(reply) == [gas.number]
    assert (gas.category, gas.urgent, gas.building, gas.text) == ("gas", True, "5", "5号楼煤气味很大")
    assert reply.endswith("您刚才反映的照明问题还没登记完：请问是几号楼？")
    wechat.run_jobs()
    assert any(gas.number in text and "【紧急】" in text for text in fake_wechat.texts_to(SECRETARY))
    light = ticket(runtime, number_in(wechat.say("3号楼", sender="o_gas")))
    assert (light.urgent, light.building, light.text) == (False, "3", "楼道灯坏了")
    assert runtime.state.get("o_gas") is None


def test_an_emergency_naming_no_building_is_filed_and_located_and_the_waiting_report_goes_to_the_secretary(
        wechat, runtime):
    wechat.say("楼道灯坏了", sender="o_gas2")
    reply = wechat.say("煤气泄漏了，快来人", sender="o_gas2")
    assert reply.startswith("⚠️") and reply.endswith("请马上告诉我们是几号楼，方便网格员赶到。")
    gas, light = by_category(wechat)["gas"], by_category(wechat)["lighting"]
    assert light.assignee_openid == SECRETARY and light.text == "楼道灯坏了"
    assert "第二网格" in wechat.say("6号楼", sender="o_gas2")
    assert ticket(runtime, gas.number).building == "6"


def test_the_waiting_problem_turning_urgent_is_one_urgent_ticket_with_both_messages(wechat, runtime, fake_wechat):
    wechat.say("电梯坏了", sender="o_lift")
    reply = wechat.say("5号楼有人被困在电梯里了", sender="o_lift")
    (lift,) = wechat.tickets()
    assert reply.startswith("⚠️") and number_in(reply) == lift.number
    assert (lift.urgent, lift.building, lift.text) == (True, "5", "电梯坏了\n补充：5号楼有人被困在电梯里了")
    wechat.run_jobs()
    assert "【紧急】" in fake_wechat.texts_to(SECRETARY)[0]


def test_another_complaint_naming_a_building_is_its_own_report_and_the_question_still_stands(wechat, runtime):
    assert "几号楼" in wechat.say("樓道燈壞了", sender="o_car")
    reply = wechat.say("5号楼门口有车堵了消防通道", sender="o_car")
    (car,) = wechat.tickets()
    assert numbers_in(reply) == [car.number] and "另外，您说的停车问题" in reply
    assert (car.building, car.text) == ("5", "5号楼门口有车堵了消防通道")
    # 5号楼 is where the car is; the light is asked about again.
    assert reply.endswith("您刚才反映的照明问题还没登记完：请问是几号楼？")
    light = ticket(runtime, number_in(wechat.say("2号楼", sender="o_car")))
    assert (light.building, light.text) == ("2", "樓道燈壞了")


def test_an_answer_with_details_adds_them_to_the_report(wechat, runtime):
    wechat.say("下水道堵了", sender="o_drain")
    opened = ticket(runtime, number_in(wechat.say("在3号楼后面，已经堵了三天了，味道很大", sender="o_drain")))
    assert (opened.building, opened.text) == ("3", "下水道堵了\n补充：在3号楼后面，已经堵了三天了，味道很大")
    # A plain answer adds nothing to the text.
    wechat.say("路灯不亮了", sender="o_plain")
    assert ticket(runtime, number_in(wechat.say("不是，是9号楼", sender="o_plain"))).text == "路灯不亮了"


def test_a_second_complaint_without_a_building_waits_for_the_same_answer(wechat, runtime):
    wechat.say("楼道灯坏了", sender="o_two")
    reply = wechat.say("还有垃圾也没人收", sender="o_two")
    assert "环境卫生的问题也记下了" in reply and "几号楼" in reply and wechat.ticket_count() == 0
    both = wechat.say("6号楼", sender="o_two")
    light, garbage = by_category(wechat)["lighting"], by_category(wechat)["sanitation"]
    assert numbers_in(both) == [light.number, garbage.number]
    assert (light.building, garbage.building, garbage.text) == ("6", "6", "还有垃圾也没人收")


def test_a_second_complaint_is_filed_too_when_the_resident_never_answers(wechat, runtime, fake_wechat, monkeypatch):
    wechat.say("楼道灯坏了", sender="o_gone")
    wechat.say("还有垃圾也没人收", sender="o_gone")
    import workers.drafts

    later = workers.drafts.time.time() + 11 * 60
    monkeypatch.setattr(workers.drafts.time, "time", lambda: later)
    wechat.run_due_jobs()
    assert {t.category: t.assignee_openid for t in wechat.tickets()} == {"lighting": SECRETARY, "sanitation": SECRETARY}
    (told,) = [t for t in fake_wechat.texts_to("o_gone") if "已先为您登记" in t]
    assert len(numbers_in(told)) == 2


def test_questions_in_between_are_answered_and_the_question_still_stands(wechat, runtime):
    mine = number_in(wechat.say("2号楼门禁坏了", sender="o_mid"))
    wechat.say("楼道灯坏了", sender="o_mid")
    detail = wechat.say(mine, sender="o_mid")
    assert f"工单{mine}：公共设施" in detail and detail.endswith("您刚才反映的照明问题还没登记完：请问是几号楼？")
    assert "没有待评价的工单" in wechat.say("满意", sender="o_mid")
    assert f"工单{mine}已取消" in wechat.say(f"取消 {mine}", sender="o_mid")
    assert "还没登记完" in wechat.say("谢谢", sender="o_mid")
    assert ticket(runtime, number_in(wechat.say("9号楼", sender="o_mid"))).category == "lighting"


def test_a_verdict_while_a_question_waits_is_taken_and_the_question_still_stands(wechat, runtime, fake_wechat):
    wechat.say("楼道灯坏了", sender="o_both")
    number = number_in(wechat.say("4号楼2单元", sender="o_both"))  # and that is their home from now on
    wechat.say(f"接单 {number}", sender=GRID1)
    wechat.say(f"完成 {number} 已更换灯泡", sender=GRID1)
    wechat.say("垃圾桶满了没人收", sender="o_both")  # 是在您家4号楼2单元吗？
    assert "能说说哪里还不满意" in wechat.say("不满意", sender="o_both")
    passed = wechat.say("灯还是一闪一闪的", sender="o_both")
    assert "已转给网格员" in passed and "环境卫生问题还没登记完：是在您家4号楼2单元吗" in passed
    assert ticket(runtime, number).rating_note == "灯还是一闪一闪的"
    garbage = ticket(runtime, number_in(wechat.say("是", sender="o_both")))
    assert (garbage.category, garbage.building) == ("sanitation", "4")


@pytest.mark.parametrize("config_changes", [{"nlp": {"min_margin": 0.99}}])
@pytest.mark.parametrize("answer, chosen", [("一", 0), ("第一个", 0), ("第二个", 1), ("2", 1)])
def test_the_category_question_takes_the_choice_said_in_words(wechat, runtime, answer, chosen):
    question = wechat.say("3号楼厨房下水管漏水", sender="o_which")
    choices = [line.split(". ", 1)[1] for line in question.splitlines()[1:]]
    (opened,) = [ticket(runtime, number_in(wechat.say(answer, sender="o_which")))]
    assert runtime.settings.config.categories[opened.category].name == choices[chosen]


def test_a_building_the_estate_does_not_have_is_asked_again(wechat, runtime):
    reply = wechat.say("15号楼漏水", sender="o_typo")
    assert "没找到幸福苑的15号楼" in reply and wechat.ticket_count() == 0
    opened = ticket(runtime, number_in(wechat.say("5号楼", sender="o_typo")))
    assert (opened.building, opened.grid_id, opened.text) == ("5", "grid-2", "15号楼漏水")


def test_an_emergency_at_a_building_the_estate_does_not_have_is_filed_at_once_and_placed_after(wechat, runtime):
    reply = wechat.say("15号楼煤气泄漏了", sender="o_typo2")
    gas = ticket(runtime, number_in(reply))
    assert reply.startswith("⚠️") and "没找到幸福苑的15号楼，请马上告诉我们是几号楼" in reply
    assert (gas.urgent, gas.building, gas.assignee_openid) == (True, None, SECRETARY)
    wechat.say("5号楼", sender="o_typo2")
    assert ticket(runtime, gas.number).assignee_openid == GRID2


def test_while_an_emergency_waits_for_its_place_what_the_resident_says_goes_to_the_ticket(
        wechat, runtime, fake_wechat):
    number = number_in(wechat.say("有人被困在电梯里了", sender="o_child"))
    reply = wechat.say("快点来啊，里面是个孩子", sender="o_child")
    assert "已马上转告社区" in reply and reply.endswith("请马上告诉我们是几号楼，方便网格员赶到。")
    wechat.run_jobs()
    assert any("【紧急】" in t and "里面是个孩子" in t for t in fake_wechat.texts_to(SECRETARY))
    # Not knowing is an answer: the secretary, who has it, sends someone; nothing is asked again.
    reply = wechat.say("我不知道几号楼，我是路过的，在小区东门", sender="o_child")
    assert "没关系" in reply and "几号楼" not in reply
    (lift,) = wechat.tickets()
    assert lift.number == number and "在小区东门" in lift.text and "里面是个孩子" in lift.text
    assert lift.assignee_openid == SECRETARY
    # A building named later still places it.
    assert "第一网格" in wechat.say("是2号楼", sender="o_child")
    assert ticket(runtime, number).grid_id == "grid-1"


def test_placing_an_emergency_is_said_once_not_pushed_again(wechat, runtime, fake_wechat):
    wechat.say("电梯困人了！快来人", sender="o_once")
    assert "已转给第二网格网格员张海燕处理" in wechat.say("6号楼", sender="o_once")
    wechat.run_jobs()
    assert fake_wechat.texts_to("o_once") == []
    assert any("新工单" in t for t in fake_wechat.texts_to(GRID2))


def test_a_photo_sent_before_the_words_goes_with_the_report(wechat, runtime):
    assert "照片会一起登记" in wechat.image(sender="o_photo", media_id="IMG_FIRST")
    # Words that say nothing of the problem get the question again, not small talk.
    assert "请用文字说一下是什么问题" in wechat.say("你们看看这个", sender="o_photo")
    opened = ticket(runtime, number_in(wechat.say("10号楼门口的健身器材坏了", sender="o_photo")))
    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == opened.id)
    assert (photo.kind, photo.media_id) == ("image", "IMG_FIRST")


def test_ticket_numbers_are_looked_up_however_they_are_typed(wechat, runtime):
    number = number_in(wechat.say("2号楼门禁坏了", sender="o_look"))
    wide = number[:4].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + number[4:]
    for asked in (wide, f"查一下{number}", f"{number}怎么样了"):
        assert wechat.say(asked, sender="o_look").startswith(f"工单{number}：公共设施")
    assert "没有找到您的工单999999" in wechat.say("999999", sender="o_look")
    assert f"没有找到您的工单{number}" in wechat.say(f"查一下{number}", sender="o_nosy")


def test_the_same_message_twice_is_said_to_be_reported_already(wechat, runtime):
    number = number_in(wechat.say("3号楼楼道灯坏了", sender="o_twice"))
    assert f"已经登记在工单{number}" in wechat.say("3号楼楼道灯坏了", sender="o_twice")
    assert ticket(runtime, number).text == "3号楼楼道灯坏了"
    assert not [e for e in rows(runtime, TicketEvent) if e.kind == "added"]


def test_a_video_a_link_a_blank_message_and_an_unknown_button_get_a_short_answer(wechat, runtime):
    number = number_in(wechat.say("3号楼楼道灯坏了", sender="o_odd"))
    video = wechat.message("o_odd", "video", "<MediaId><![CDATA[VID1]]></MediaId>")
    assert video == f"视频已附到工单{number}，谢谢！"
    assert "链接" in wechat.message("o_odd", "link", "<Title><![CDATA[t]]></Title><Url><![CDATA[http://x]]></Url>")
    assert "没收到文字内容" in wechat.say("   ", sender="o_odd")
    assert "3号楼楼顶漏水了" in wechat.click("NO_SUCH_BUTTON", sender="o_odd")
    assert wechat.event("SCAN", sender="o_odd") is None
