"""Transcripts of residents talking to the bot: through the real webhook, Redis, database and a fake WeChat."""
import pytest

from bot.store.models import Attachment, Delivery, Follower, Resident, TicketEvent
from tests.conversation import (GRID1, GRID2, SECRETARY, config_changes, number_in, rows,  # noqa: F401 (fixtures)
                                settings, ticket)


def test_follow_gets_a_two_line_welcome(wechat, runtime):
    welcome = wechat.event("subscribe", sender="o_new")
    assert "欢迎" in welcome and len(welcome.splitlines()) == 2
    assert rows(runtime, Resident, Resident.openid == "o_new")[0].subscribed


def test_menu_buttons_answer(wechat):
    assert "几号楼" in wechat.click("REPORT")
    assert "还没有提交过工单" in wechat.click("MY_TICKETS")
    assert "3号楼" in wechat.click("HELP")


def test_address_is_asked_then_offered_as_the_default(wechat, runtime):
    assert "几号楼" in wechat.say("楼道里的灯坏了好几天了", sender="o_lin")
    first = wechat.say("5栋2单元", sender="o_lin")
    assert ticket(runtime, number_in(first)).building == "5"
    # The answer became the home address: next time it is offered, and 是 takes it.
    offer = wechat.say("垃圾桶满了没人收", sender="o_lin")
    assert "是在您家5号楼2单元吗" in offer
    second = ticket(runtime, number_in(wechat.say("是", sender="o_lin")))
    assert (second.building, second.unit, second.grid_id) == ("5", "2", "grid-2")
    # Somewhere else this time: the resident names another building instead.
    wechat.say("路灯不亮了", sender="o_lin")
    third = ticket(runtime, number_in(wechat.say("不是，是9号楼", sender="o_lin")))
    assert third.building == "9" and third.grid_id == "grid-3"


def test_a_report_that_says_where_they_live_gives_the_home_address(wechat, runtime):
    first = ticket(runtime, number_in(wechat.say("我家住3号楼，楼顶漏水了", sender="o_home")))
    assert first.building == "3"
    # Their next report without a building is offered that home, and 是 takes it.
    assert "是在您家3号楼吗" in wechat.say("电梯又坏了", sender="o_home")
    second = ticket(runtime, number_in(wechat.say("是", sender="o_home")))
    assert (second.building, second.category) == ("3", "elevator")
    # A building named for something else is no home: the next report is asked where, with no offer.
    wechat.say("我家孩子在5号楼门口摔倒了，井盖松了", sender="o_kid")
    asked = wechat.say("楼道灯坏了", sender="o_kid")
    assert "几号楼" in asked and "您家" not in asked


def test_a_resident_asking_for_a_number_gets_the_communitys(wechat):
    reply = wechat.say("物业电话多少", sender="o_phone")
    assert "幸福里社区的联系电话" in reply and "幸福苑物业服务中心：010-00000011（24小时）" in reply
    assert "社区服务站：010-00000010（工作日 8:30–17:30）" in reply and wechat.ticket_count() == 0
    assert "010-00000011" in wechat.say("居委会电话", sender="o_phone")
    # A question only the community can answer gets the numbers to ask; how to report is still told how.
    asked = wechat.say("小区停车怎么收费", sender="o_phone")
    assert "查不到" in asked and "010-00000011" in asked and wechat.ticket_count() == 0
    for person in ("我要找人工", "客服在吗"):
        wanted = wechat.say(person, sender="o_phone")
        assert "工作人员" in wanted and "010-00000010" in wanted and wechat.ticket_count() == 0
    for how in ("怎么报修", "你好"):
        told = wechat.say(how, sender="o_phone")
        assert "3号楼楼顶漏水了" in told and "010-" not in told


def test_bind_address_from_the_menu(wechat, runtime):
    assert "住址" in wechat.click("BIND_ADDRESS", sender="o_he")
    assert "已绑定住址：7号楼1单元301室" in wechat.say("7号楼1单元301", sender="o_he")
    assert "是在您家7号楼1单元301室吗" in wechat.say("楼道灯坏了", sender="o_he")


@pytest.mark.parametrize("config_changes", [{"nlp": {"min_margin": 0.99}}])
def test_close_categories_are_asked_with_two_choices(wechat, runtime):
    question = wechat.say("3号楼厨房下水管漏水", sender="o_qian")
    assert "1. " in question and "2. " in question and wechat.ticket_count() == 0
    second = question.splitlines()[2].split(". ", 1)[1]
    reply = wechat.say("2", sender="o_qian")
    (opened,) = wechat.tickets()
    assert runtime.settings.config.categories[opened.category].name == second
    assert number_in(reply) == opened.number and opened.building == "3"


def test_urgent_gas_gets_safety_advice_at_once_and_the_secretary_hears(wechat, runtime, fake_wechat):
    reply = wechat.say("5号楼2单元楼道里煤气味特别大！", sender="o_zhou")
    assert reply.index("不要开关电器") < reply.index("工单号")
    assert "燃气抢修" in reply
    opened = ticket(runtime, number_in(reply))
    assert opened.urgent and opened.category == "gas"
    wechat.run_jobs()
    assert "【紧急】" in fake_wechat.texts_to(GRID2)[0]
    assert "【紧急】" in fake_wechat.texts_to(SECRETARY)[0]


@pytest.mark.parametrize("said, advice, not_advice", [
    ("6号楼门口电线裸露，一直在冒火花", "不要用手碰", "拨打119，用湿毛巾"),  # sparks: the wire advice, not fire's
    ("6号楼楼道里着火了，好大的烟", "用湿毛巾捂住口鼻", "拉下电闸"),
])
def test_the_safety_advice_fits_the_danger(wechat, said, advice, not_advice):
    reply = wechat.say(said, sender="o_tang")
    assert "紧急" in reply and advice in reply and not_advice not in reply


def test_urgent_without_a_building_is_filed_first_then_placed(wechat, runtime, fake_wechat):
    reply = wechat.say("电梯困人了！快来人", sender="o_wu")
    assert "警铃" in reply and "几号楼" in reply
    number = number_in(reply)
    assert ticket(runtime, number).assignee_openid == SECRETARY
    assert "第一网格" in wechat.say("2号楼", sender="o_wu")
    placed = ticket(runtime, number)
    assert (placed.building, placed.grid_id, placed.assignee_openid) == ("2", "grid-1", GRID1)
    wechat.run_jobs()
    assert any(number in text for text in fake_wechat.texts_to(GRID1))


def test_a_neighbours_report_joins_the_open_ticket(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("3号楼楼顶漏水了", sender="o_a"))
    joined = wechat.say("3号楼顶上漏雨，家里天花板都湿了", sender="o_b")
    assert "已有邻居反映" in joined and "已为您关注此工单" in joined and number in joined
    assert wechat.ticket_count() == 1
    wechat.run_jobs()
    assert "共2户" in fake_wechat.texts_to(GRID1)[-1]
    # Both hear of progress, and the neighbour sees it among their tickets.
    wechat.say(f"接单 {number}", sender=GRID1)
    wechat.run_jobs()
    for resident in ("o_a", "o_b"):
        assert any("已由李建国接单" in text for text in fake_wechat.texts_to(resident))
    assert f"{number} 漏水渗水 处理中（关注）" in wechat.say("我的工单", sender="o_b")


def test_in_a_burst_the_grid_worker_hears_at_the_configured_household_counts(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("5号楼电梯又停了", sender="o_burst_0"))
    wechat.run_jobs()
    told = len(fake_wechat.texts_to(GRID2))  # the new ticket
    for n in range(1, 11):
        assert number in wechat.say(f"5号楼电梯坏了，{n}楼的也下不去", sender=f"o_burst_{n}")
    wechat.run_jobs()
    pushes = fake_wechat.texts_to(GRID2)[told:]
    assert [p.split("共")[1].split("户")[0] for p in pushes] == ["2", "3", "5", "10"]  # config.yaml's list
    assert "9楼的也下不去" in pushes[-1]  # what the ninth neighbour, the tenth household, said
    # Every neighbour is still recorded and will hear of progress.
    assert len(rows(runtime, Follower)) == 10
    assert len([e for e in rows(runtime, TicketEvent) if e.kind == "joined"]) == 10
    assert ticket(runtime, number).households == 11
    wechat.say(f"取消 {number}", sender="o_burst_4")  # a neighbour withdraws: one household fewer
    assert ticket(runtime, number).households == 10 and len(rows(runtime, Follower)) == 9


def test_neighbours_writing_at_the_same_moment_make_one_ticket(app, runtime, fake_wechat, wechat):
    import threading

    from tests.conftest import TOKEN
    from tests.helpers import WeChatDriver

    senders = [f"o_same_{i}" for i in range(8)]
    replies, start = {}, threading.Barrier(len(senders))

    def report(sender):
        driver = WeChatDriver(app.test_client(), runtime, fake_wechat, TOKEN)
        start.wait()
        replies[sender] = driver.say("9号楼电梯停了，困在半路", sender=sender)

    threads = [threading.Thread(target=report, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert wechat.ticket_count() == 1
    (number,) = {number_in(reply) for reply in replies.values()}
    assert ticket(runtime, number).households == 8 and len(rows(runtime, Follower)) == 7


def test_a_second_message_adds_to_the_ticket_just_opened(wechat, runtime):
    number = number_in(wechat.say("8号楼门口下水道堵了", sender="o_c"))
    assert f"已补充到工单{number}" in wechat.say("下水道都冒出来了，味道很大", sender="o_c")
    assert wechat.ticket_count() == 1 and "补充：下水道都冒出来了" in ticket(runtime, number).text


def test_photos_and_locations_attach_to_the_report(wechat, runtime):
    assert "几号楼" in wechat.say("路灯坏了", sender="o_d")
    assert "一起登记" in wechat.image(sender="o_d", media_id="IMG1")
    number = number_in(wechat.say("6号楼", sender="o_d"))
    # After the ticket opens, a photo (even sent three times by WeChat) attaches once, and a location too.
    for _ in range(3):
        assert f"照片已附到工单{number}" in wechat.image(sender="o_d", media_id="IMG2", msg_id="880001")
    assert number in wechat.location(31.2304, 121.4737, "幸福苑6号楼", sender="o_d")
    kinds = sorted((a.kind, a.media_id) for a in rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id))
    assert kinds == [("image", "IMG1"), ("image", "IMG2"), ("location", None)]


def test_voice_uses_recognition_or_asks_for_text(wechat, runtime):
    reply = wechat.voice("四号楼楼道灯坏了", sender="o_e", media_id="VOICE1")
    number = number_in(reply)
    (voice,) = rows(runtime, Attachment, Attachment.ticket_id == ticket(runtime, number).id)
    assert voice.kind == "voice" and voice.media_id == "VOICE1"
    assert "文字" in wechat.voice("", sender="o_e", media_id="VOICE2")


def test_my_tickets_and_one_ticket_only_for_its_resident(wechat, runtime):
    number = number_in(wechat.say("2号楼门禁坏了", sender="o_f"))
    listing = wechat.say("我的工单", sender="o_f")
    assert f"{number} 公共设施 已受理" in listing
    detail = wechat.say(number, sender="o_f")
    assert f"工单{number}" in detail and "2号楼" in detail
    assert f"没有找到您的工单{number}" in wechat.say(number, sender="o_stranger")
    # Asked in the middle of a report: answered, and the question about the building still stands.
    assert "几号楼" in wechat.say("绿化带里有人种菜", sender="o_f")
    assert number in wechat.say("我的工单", sender="o_f")
    assert ticket(runtime, number_in(wechat.say("9号楼", sender="o_f"))).category == "greenery"


def test_cancel_own_open_ticket_and_the_grid_worker_is_told(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("1号楼楼道堆满了杂物", sender="o_g"))
    assert "没有找到" in wechat.say(f"取消 {number}", sender="o_other")
    assert "取消 工单号" in wechat.say("取消", sender="o_g")
    wechat.say("1号楼楼道里堆了好多纸箱", sender="o_g2")  # a neighbour follows it; they can only unfollow
    assert f"已为您取消关注工单{number}" in wechat.say(f"取消 {number}", sender="o_g2")
    assert ticket(runtime, number).status == "new"
    assert f"工单{number}已取消" in wechat.say(f"取消 {number}", sender="o_g")
    assert ticket(runtime, number).status == "cancelled"
    wechat.run_jobs()
    assert "已由居民取消" in fake_wechat.texts_to(GRID1)[-1]


def test_resolve_then_rating_unsatisfied_reopens_with_the_reason(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("4号楼2单元楼道灯坏了", sender="o_h"))
    wechat.say(f"接单 {number}", sender=GRID1)
    assert "已标记完成" in wechat.say(f"完成 {number} 已更换灯泡", sender=GRID1)
    wechat.run_jobs()
    told = fake_wechat.texts_to("o_h")
    assert "已由李建国接单" in told[0] and "已更换灯泡" in told[1] and "不满意" in told[1]
    assert "待评价" in wechat.say("我的工单", sender="o_h")
    assert "能说说哪里还不满意" in wechat.say("不满意", sender="o_h")
    assert "已转给网格员" in wechat.say("灯还是一闪一闪的", sender="o_h")
    reopened = ticket(runtime, number)
    assert (reopened.status, reopened.reopened_count, reopened.satisfaction) == ("dispatched", 1, "unsatisfied")
    assert reopened.rating_note == "灯还是一闪一闪的"
    wechat.run_jobs()
    to_worker = fake_wechat.texts_to(GRID1)
    assert "重新打开" in to_worker[-2] and "一闪一闪" in to_worker[-1]
    # Fixed again, and this time the resident is content.
    wechat.say(f"接单 {number}", sender=GRID1)
    wechat.say(f"完成 {number} 更换了整套灯具", sender=GRID1)
    assert "感谢您的评价" in wechat.say("满意", sender="o_h")
    assert (ticket(runtime, number).status, ticket(runtime, number).satisfaction) == ("closed", "satisfied")


def test_an_abandoned_report_is_filed_and_the_resident_told(wechat, runtime, fake_wechat, monkeypatch):
    assert "几号楼" in wechat.say("垃圾好几天没人收了", sender="o_i")
    import workers.drafts

    later = workers.drafts.time.time() + 11 * 60
    monkeypatch.setattr(workers.drafts.time, "time", lambda: later)
    wechat.run_due_jobs()
    (filed,) = wechat.tickets()
    assert filed.assignee_openid == SECRETARY and filed.text == "垃圾好几天没人收了"
    assert any("已先为您登记" in t and filed.number in t for t in fake_wechat.texts_to("o_i"))
    # Nothing is asked any more; a building said now still places the ticket (tests/test_waiting_answers.py).
    assert runtime.state.get("o_i") == {"step": "unplaced", "estate_id": "xingfuyuan", "tickets": [
        {"id": filed.id, "number": filed.number, "category": "sanitation"}]}


def test_a_report_dropped_by_the_resident_is_said_so_and_never_filed(wechat, runtime):
    assert "几号楼" in wechat.say("楼上太吵了", sender="o_j")
    assert "先不登记" in wechat.say("算了", sender="o_j")
    wechat.run_due_jobs()
    assert wechat.ticket_count() == 0


def test_unsubscribe_removes_personal_data_and_keeps_the_anonymised_ticket(wechat, runtime):
    wechat.event("subscribe", sender="o_k")
    number = number_in(wechat.say("10号楼楼顶漏水，电话13812345678", sender="o_k"))
    wechat.image(sender="o_k", media_id="IMG_K")
    other = number_in(wechat.say("11号楼电动车飞线充电", sender="o_l"))
    wechat.say("11号楼有人从窗户拉电线给电动车充电", sender="o_k")  # joins o_l's ticket
    wechat.click("BIND_ADDRESS", sender="o_k")
    wechat.say("10号楼1单元", sender="o_k")
    wechat.say(f"接单 {number}", sender="o_demo_grid3_chen")
    wechat.run_jobs()
    assert rows(runtime, Delivery, Delivery.recipient == "o_k")
    assert wechat.event("unsubscribe", sender="o_k") is None
    kept = ticket(runtime, number)
    assert kept.resident_openid is None and "13812345678" not in kept.text and "漏水" in kept.text
    assert rows(runtime, Resident, Resident.openid == "o_k") == []
    assert rows(runtime, Follower, Follower.openid == "o_k") == []
    assert all(a.added_by is None for a in rows(runtime, Attachment, Attachment.ticket_id == kept.id))
    assert rows(runtime, TicketEvent, TicketEvent.actor == "o_k") == []
    assert runtime.state.get("o_k") is None
    assert rows(runtime, Delivery, Delivery.recipient == "o_k") == []
    assert ticket(runtime, other).resident_openid == "o_l"
    assert "还没有提交过工单" in wechat.say("我的工单", sender="o_k")


@pytest.mark.parametrize("config_changes", [{"wechat": {"notice_template": {
    "id": "TPL_NOTICE", "data": {"keyword1": "{number}", "keyword2": "{title}"}}}}])
def test_outside_the_window_a_resident_gets_a_template_message(wechat, fake_wechat):
    number = number_in(wechat.say("12号楼楼道灯坏了", sender="o_m"))
    fake_wechat.close_window("o_m")
    wechat.say(f"接单 {number}", sender="o_demo_grid3_chen")
    wechat.run_jobs()
    (template,) = [m for m in fake_wechat.messages if m["kind"] == "template" and m["touser"] == "o_m"]
    assert template["template_id"] == "TPL_NOTICE" and template["data"]["keyword1"]["value"] == number
