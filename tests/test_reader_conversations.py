"""Transcripts of messages that name a problem without reporting one (issue #21): a thank-you for the fixed lift, a
status question told as a story, a report called off because it fixed itself. Through the real webhook, Redis and
database: each gets its answer, and none opens a ticket."""
from tests.conversation import config_changes, number_in, settings  # noqa: F401 (fixtures)


def test_a_thank_you_that_names_the_fixed_thing_is_thanked_and_opens_no_ticket(wechat):
    assert wechat.say("谢谢师傅，电梯终于修好了", sender="o_thanks") == "不客气！有事随时找我们。"
    assert wechat.say("楼道灯亮了，辛苦网格员！", sender="o_thanks") == "不客气！有事随时找我们。"
    assert wechat.ticket_count() == 0


def test_a_status_question_told_as_a_story_is_answered_with_the_residents_tickets(wechat):
    reply = wechat.say("我妈前天打电话报的漏水，咋还没动静", sender="o_story")
    assert "您还没有提交过工单" in reply and wechat.ticket_count() == 0
    number = number_in(wechat.say("3号楼电梯坏了", sender="o_lift"))
    reply = wechat.say("前几天报的电梯那个事，现在处理到哪一步了", sender="o_lift")
    assert number in reply and "工单号" not in reply and wechat.ticket_count() == 1  # the chase of it, no new one


def test_a_report_called_off_because_it_fixed_itself_opens_no_ticket(wechat):
    number = number_in(wechat.say("5号楼楼顶漏水了", sender="o_cancel"))
    reply = wechat.say("楼上自己修好了，漏水的单子撤了吧", sender="o_cancel")
    assert "取消" in reply and number in reply and wechat.ticket_count() == 1
    assert wechat.say("下水道自己通了，不用派人了", sender="o_nothing") == "您没有可以取消的工单。"
    assert wechat.ticket_count() == 1



def test_a_message_unsure_between_a_report_and_not_that_names_no_place_is_asked_about_not_filed(wechat):
    from nlp import analyze
    for text in ("停车费这么贵 还不如坐公交", "垃圾没人收 说了也白说"):
        a = analyze(text)
        assert a.intent == "complaint" and a.intent_unsure and not (a.location or a.location.spot or a.venting)
    assert "回复1" in wechat.say("停车费这么贵 还不如坐公交", sender="o_unsure") and wechat.ticket_count() == 0
    assert "不登记" in wechat.say("2", sender="o_unsure") and wechat.ticket_count() == 0
    assert "回复1" in wechat.say("垃圾没人收 说了也白说", sender="o_report")
    assert "几号楼" in wechat.say("1", sender="o_report") and wechat.ticket_count() == 0
    assert "工单号" in wechat.say("3号楼", sender="o_report") and wechat.ticket_count() == 1
    # More about the ticket just opened is added to it, as before, not asked about.
    number = number_in(wechat.say("5号楼门口垃圾桶满了 很臭", sender="o_more"))
    assert number in wechat.say("还是臭 根本没弄干净", sender="o_more") and wechat.ticket_count() == 2
    # Named with a place, the same words are a report, filed as before.
    assert "工单号" in wechat.say("5号楼停车费这么贵 还不如坐公交", sender="o_place")
