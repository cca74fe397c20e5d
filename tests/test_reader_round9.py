"""The kinds round 9's blind set showed the reader getting wrong about urgency, each in new words (never the set's
lines): someone shut in a lift said in 闽南 words, concrete or tiles that fell and are still coming down, a gas smell
that goes on for days with gas named earlier in the message; false alarms (火星 as Mars, a near miss told with the
person first, a thing fallen on the ground, 天塌了 as a figure of speech)."""

import pytest

from nlp import analyze


@pytest.mark.parametrize("text", [
    "电梯停牢咧，阮阿嬷佇内底出袂来",
    "阮囝佇电梯内底，门拍袂开，一直咧哭",
    "电梯卡佇半路，内底有一个阿伯，喊半晡无人应",
    "升降梯关牢咯，阮老爸佇内底，按怎揤都开袂开",
])
def test_someone_shut_in_a_lift_said_in_minnan_words_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "trapped")


@pytest.mark.parametrize("text", [
    "地库顶上的混凝土崩下来一块，落在车位边上，现在还在往下掉碎渣",
    "楼道天花板砸下来一大块水泥，上面还一直往下掉",
    "外墙的瓷砖掉了好几块砸在电动车边上，上头还在不停往下掉",
    "单元门上方的雨檐塌了一块，碎石头还在往下落",
])
def test_concrete_that_fell_and_is_still_coming_down_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent) == ("complaint", True)


@pytest.mark.parametrize("text", [
    "燃气表换完以后，师傅说好了就走了，接口那里这两三天一直有股味",
    "煤气灶那边这几天老有股怪味，开窗通风也没用",
    "天然气管道改完线，家里好几天了都还有一股味儿",
    "液化气罐换了个新阀门，到现在还是有味道",
])
def test_a_gas_smell_that_goes_on_with_gas_named_before_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent) == ("complaint", True)


@pytest.mark.parametrize("text", [
    "修个门禁等了两个礼拜，师傅是从火星出发的吗",
    "物业回消息的速度，火星人都比你们快",
    "路灯报修一个月了，维修工去火星取零件了吧",
])
def test_mars_is_no_spark(text):
    a = analyze(text)
    assert a.urgent is False


@pytest.mark.parametrize("text", [
    "地下室一盏灯都不亮，我差点从台阶上摔下去",
    "楼梯太黑了，我妈差一点滚下去，赶紧装个灯吧",
    "黑灯瞎火的，孩子险些从楼梯上跌下来",
])
def test_a_near_miss_told_with_the_person_first_is_not_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent) == ("complaint", False)


@pytest.mark.parametrize("text", [
    "单元门口的铁栏杆也倒在地上一个礼拜了",
    "小区门口那块指示牌倒在地上没人扶",
    "车棚的挡雨板也躺在地上好几天了",
])
def test_a_thing_fallen_on_the_ground_is_not_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent) == ("complaint", False)


@pytest.mark.parametrize("text", [
    "天塌了，快递柜又被塞满了😭",
    "我的天都塌了，楼上又开始装修",
    "天要塌了 停水停到第三天了",
])
def test_the_sky_falling_is_a_figure_of_speech(text):
    a = analyze(text)
    assert a.urgent is False


@pytest.mark.parametrize("text", [
    "电梯停在三楼不动了，我爸在里面出不来",
    "一个老人倒在地上起不来，在2号楼门口",
    "阳台顶上的水泥块掉下来了，上面还有几块松的随时会掉",
    "厨房里一股很重的煤气味",
    "插座冒火星了，还在滋滋响",
    "顶棚塌下来了，压到人了",
])
def test_controls_that_stay_emergencies(text):
    assert analyze(text).urgent is True
