"""The kinds round 8's blind set showed the reader getting wrong about urgency, each in new words (never the set's
lines): someone shut in a lift said in 粤 or 吴 words, a child slipped into a pond or a pool; false alarms (救命 as
exasperation with nothing dangerous named, a danger over and made safe, a cancel that names gas, a gas meter that
does not turn)."""

import pytest

from nlp import analyze


@pytest.mark.parametrize("text", [
    "部升降机卡喺十楼同十一楼中间，我老豆喺入面",
    "升降机停咗，入面有两个细路哥喺度喊",
    "升降机门开唔到，入面有个阿伯，撳咗警铃都冇人理",
    "电梯停牢勒当中，阿拉外婆勒里向出勿来",
    "伊拉屋里个小囡关勒电梯里厢，门开勿开",
])
def test_someone_shut_in_a_lift_said_in_dialect_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "trapped")


@pytest.mark.parametrize("text", [
    "喷水池那边一个小朋友掉下去了，几个家长在往上拉",
    "人工湖边上有个小孩滑到水里了，旁边的人正在拉他",
    "鱼池里跌进去一个娃，大人在捞",
    "有个小朋友栽进小区的河道里了 路过的大哥跳下去拉",
    "会所泳池有个孩子滑下去了 呛了好几口水",
])
def test_a_child_slipped_into_a_pond_or_a_pool_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent) == ("complaint", True)


@pytest.mark.parametrize("text", [
    "救命 楼上的钢琴从早弹到晚",
    "救命啊 垃圾站那股臭味我真的受不了了",
    "救命！！对面装修电钻又响了一整天",
    "救命 楼道灯忽明忽暗的 晚上回家吓死人",
    "救命救命 楼下广场舞音响开到最大 孩子根本睡不着",
])
def test_jiuming_as_exasperation_with_nothing_dangerous_named_is_not_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent) == ("complaint", False)


@pytest.mark.parametrize("text", [
    "电梯刚才猛地往下沉了一下，停住以后门开了，我自己走出来了",
    "早上电梯突然下坠了一层 吓得腿软 还好门开了 我们都逃出来了",
    "插座冒了一股烟，我把插头拔了，现在不冒了",
    "充电器刚才有点冒烟，已经拔掉了，没烟了",
    "电暖器那边冒了点烟 赶紧拔了插头 已经没烟了 插座烧黑一块要换",
])
def test_a_danger_over_and_made_safe_is_not_urgent(text):
    assert analyze(text).urgent is False


@pytest.mark.parametrize("text", [
    "刚才说的燃气味是邻居家炖肉烧干了，撤回",
    "不好意思 煤气那个是我弄混了 是楼下垃圾桶的味 取消吧",
    "天然气那个单子取消 是我家锅里的粥烧糊了的味",
])
def test_a_cancel_that_names_gas_is_no_emergency(text):
    a = analyze(text)
    assert a.urgent is False
    assert a.intent == "cancel"


@pytest.mark.parametrize("text", [
    "煤气表好像坏了，灶开着火表上数字一点不动",
    "燃气表字不走，开着火做了一顿饭也没变",
    "我家燃气表不转了，开着火都没反应，是不是要换",
])
def test_a_gas_meter_that_does_not_turn_is_no_emergency(text):
    a = analyze(text)
    assert (a.intent, a.category, a.urgent) == ("complaint", "gas", False)


@pytest.mark.parametrize("text", [
    "救命 电梯停了 我和孩子在里面",
    "救命 楼道里全是烟",
    "救命 我爸在厕所摔倒了起不来",
    "救命 有个孩子爬到窗户外面了",
    "插座冒烟了，拔了插头还在冒",
    "电梯往下掉了好几层，人还在里面出不来",
    "厨房一股煤气味 阀门关了还是有",
    "升降机入面有人喺度喊救命",
    "水池边有个小孩掉进去了",
    "燃气表在走字，可家里一个火都没开",
])
def test_controls_that_stay_emergencies(text):
    assert analyze(text).urgent is True
