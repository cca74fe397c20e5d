"""Messages in voices the corpus does not hold word for word (issue #21, round 2): grumbles and thanks that name no
new problem open nothing, a thanks that goes on to a new problem reports it, English and the season's greetings are
read, and emergencies told in a resident's own words are urgent while their look-alikes are not."""

import pytest

import nlp


@pytest.mark.parametrize("text", ["你们到底还管不管啊", "根本就没人管嘛", "反映了也是白反映"])
def test_a_grumble_with_nothing_concrete_is_no_report(text):
    assert nlp.analyze(text).intent != "complaint"


@pytest.mark.parametrize("text, intent", [
    ("谢谢，楼道灯已经亮了", "thanks"),
    ("电梯修好了，辛苦师傅们", "thanks"),
    ("漏水那个单子撤了吧，楼上自己修好了", "cancel"),
    ("我前几天报的下水道，现在有人管了吗", "status_query"),
])
def test_thanks_cancels_and_chases_that_name_a_category_open_nothing(text, intent):
    result = nlp.analyze(text)
    assert result.intent == intent and result.category is None


@pytest.mark.parametrize("text, category", [
    ("谢谢师傅，不过单元门的门禁又刷不开了", "facilities"),
    ("灯修好了谢谢，可楼道里的垃圾三天没人收了", "sanitation"),
])
def test_a_thanks_that_goes_on_to_a_new_problem_reports_it(text, category):
    result = nlp.analyze(text)
    assert result.intent == "complaint" and result.category == category


@pytest.mark.parametrize("text, intent", [
    ("Any update on my complaint?", "status_query"),
    ("No need to come anymore, cancel it", "cancel"),
    ("在？", "greeting"),
    ("新年好", "greeting"),
    ("100231", "status_query"),
])
def test_english_greetings_and_ticket_numbers_are_read(text, intent):
    assert nlp.analyze(text).intent == intent


def test_an_english_report_gets_its_category():
    result = nlp.analyze("The elevator in our building has been broken for two days")
    assert result.intent == "complaint" and result.category == "elevator"


@pytest.mark.parametrize("text, danger", [
    ("屋里有股怪味，我妈说头晕", "gas"),
    ("厨房管子那里嘶嘶响，还有味", "gas"),
    ("有个大爷在花坛边突然倒了，叫他没反应", "medical"),
    ("楼下那根电线一直在打火", "electric"),
    ("楼道里的烟越来越浓了", "fire"),
    ("我们困梯了，快派人", "trapped"),
])
def test_an_emergency_told_in_a_resident_s_own_words_is_urgent(text, danger):
    result = nlp.analyze(text)
    assert result.urgent and result.danger == danger and result.intent == "complaint"


@pytest.mark.parametrize("text", ["物业打的药味道太冲，熏得我头疼", "小区门口的公告栏倒了", "电动车放电瓶的地方在哪",
                                  "篮球场上有人打球吵架"])
def test_look_alikes_of_those_words_are_no_emergency(text):
    assert not nlp.analyze(text).urgent
