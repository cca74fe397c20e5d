"""The kinds round 10's blind set showed the reader getting wrong about urgency, each in new words (never the set's
lines): someone in a lift that will not move or open and is struggling inside, a power strip or charger lying in
water and still on, a smell at a gas thing the resident doubts; false alarms (救命 over a blocked car, a what-if
about someone shut in, a rash after spraying, a ceiling soaked through beside another problem)."""

import pytest

from nlp import analyze


@pytest.mark.parametrize("text", [
    "我闺女在电梯里头上不去下不来，电话里说憋得难受",
    "电梯停在三楼不动了，里头有个快递小哥一直在砸门",
    "电梯卡在地下二层十几分钟了，我老公在里面喘不上气",
    "俺娘在电梯里上不来下不去，说里面闷得很",
])
def test_someone_in_a_lift_that_will_not_move_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "trapped")


@pytest.mark.parametrize("text", [
    "车库里的接线板泡在水里了，上面还插着好几个充电器在充",
    "楼道地上全是积水，排插就泡在水里，还通着电",
    "自行车棚漏雨，插排整个浸在水里还在给电瓶充电",
])
def test_a_power_strip_lying_in_water_and_still_on_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent) == ("complaint", True)


@pytest.mark.parametrize("text", [
    "燃气表旁边好像有点味，也说不准是不是我鼻子的问题",
    "气表那儿隐隐约约有股味儿，不知道是不是闻错了",
    "5-2-301 厨房煤气表附近有点味道，我也不确定",
])
def test_a_smell_at_a_gas_thing_even_doubted_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent) == ("complaint", True)


@pytest.mark.parametrize("text", [
    "救命啊，我的车又被人挡住了，挪车电话也打不通",
    "电梯的对讲机坏了，万一真有人被关里面咋整",
    "楼下刚打完除草剂，孩子在草地上玩了一会，腿上起了好多小红点",
    "卫生间顶板被楼上的水泡透了，还有楼道的电动车天天堆着充电",
])
def test_dramatic_words_a_what_if_a_rash_and_a_soaked_ceiling_are_not_urgent(text):
    assert analyze(text).urgent is False


@pytest.mark.parametrize("text", [
    "电梯停在五楼半天不动 里面还有个大爷一直在敲门",
    "二单元的电梯卡住了，里头有个送快递的在拍门喊人",
])
def test_someone_knocking_inside_a_stopped_lift_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "trapped")


@pytest.mark.parametrize("text", [
    "电梯的紧急呼叫按了没反应，这要真困住人可咋整",
    "小区刚喷完杀虫药，我家小孩在草坪上打滚玩，回来胳膊上一片红点",
    "楼上洗衣机的水漏下来，我家厨房吊顶泡塌了，地上全是水渍",
])
def test_a_dead_call_button_a_child_playing_and_a_soaked_ceiling_are_not_urgent(text):
    assert analyze(text).urgent is False


@pytest.mark.parametrize("text", [
    "我爸肚子疼得在床上打滚，叫了半天救护车还没来",
    "楼道里有个老人倒在地上，喊他没反应",
])
def test_pain_and_a_person_not_answering_stay_urgent(text):
    assert analyze(text).urgent is True
