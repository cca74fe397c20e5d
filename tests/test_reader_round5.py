"""The kinds of emergency (and of false alarm) round 5's blind set showed the reader getting wrong, each in new words
(never the set's lines)."""

import pytest

from nlp import analyze
from nlp.text import normalize


def _urgent(text):
    a = analyze(text)
    return a.intent, a.urgent


@pytest.mark.parametrize("text, word", [
    ("厨房里一股然起味 我妈在里面做饭呢", "燃气味"),
    ("我家然起表那块味道冲得很 孩子在屋里睡觉", "燃气表"),
    ("楼道里然汽的味道越来越大", "燃气的味"),
    ("液化器罐子漏了 满屋子都是味", "液化气"),
    ("三楼那家着伙了", "着火"),
    ("插座那块露电了 孩子刚摸了一下", "漏电"),
])
def test_danger_words_as_dictation_writes_them_are_read_as_the_words(text, word):
    assert word in normalize(text)
    assert _urgent(text) == ("complaint", True)


@pytest.mark.parametrize("text", ["突然起火了 楼道全是烟", "虽然起晚了 还是闻到一股怪味", "突然汽车冲过来了"])
def test_a_real_word_ending_in_ran_is_no_homophone_of_gas(text):
    assert "燃气" not in normalize(text)


@pytest.mark.parametrize("text", [
    "有个老人关电梯里二十分钟了",
    "我妈关梯里了 按了半天",
    "我老公在电梯里快一个钟头了 手机信号也没有",
    "孩子锁电梯里头了 物业电话打不通",
])
def test_someone_shut_in_a_lift_said_without_zai_or_kun_is_trapped(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "trapped")


@pytest.mark.parametrize("text", ["电梯里有人抽烟，呛死了", "我在电梯里看到有人贴小广告", "电梯里有人遛狗不牵绳，吓人"])
def test_someone_merely_in_a_lift_is_not_trapped(text):
    assert _urgent(text) == ("complaint", False)


@pytest.mark.parametrize("text", [
    "小区后门的路塌了个大坑 能掉下去个孩子 放学的马上就出来了",
    "幼儿园门口地陷了一个洞 小孩能掉进去 一会儿就放学出来了",
    "健身器材旁边塌了个坑 一人多深 老人们等会儿就出来锻炼了",
])
def test_a_pit_a_child_can_fall_into_is_urgent_when_people_are_about_to_come(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "fall")


@pytest.mark.parametrize("text", [
    "外墙的瓷砖一块块往下掉 底下是幼儿园门口 家长都在那等",
    "广告牌被风刮得快倒了 正对着公交站 好多人在等车",
    "楼顶的铁皮被风掀起来了 一直往下掉 下面是人行道",
    "工地的塔吊歪了 还在往下倒 下面就是小区的路 人来人往",
    "一棵大杨树被风刮得直往下倒 树底下就是人行道 人来回走",
])
def test_something_big_falling_now_where_people_walk_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "fall")


@pytest.mark.parametrize("text", [
    "银杏树的枝子裂开了 耷拉下来 下面平时好多老人下棋",
    "空调外机的架子锈了 松了 底下经常有人晾衣服",
    "梧桐树有个大杈裂了 底下每天有孩子玩 麻烦修剪一下",
])
def test_a_crack_or_a_droop_over_where_people_usually_are_is_a_hazard_not_an_emergency(text):
    assert _urgent(text) == ("complaint", False)


@pytest.mark.parametrize("text", [
    "楼道里堆满了纸箱子 着火了怎么办",
    "消防通道堵死了 失火了咋整",
    "那些纸壳子离电箱那么近 着起来可咋弄",
    "楼下的杂物都堆到电表箱了 烧起来咋办",
])
def test_a_fire_feared_as_what_then_is_no_fire_now(text):
    assert _urgent(text) == ("complaint", False)


@pytest.mark.parametrize("text", ["楼道着火了！怎么办 快来人", "我家厨房着火了怎么办", "俺爹困电梯里头了咋整"])
def test_a_danger_told_with_its_place_then_what_to_do_is_urgent(text):
    assert _urgent(text) == ("complaint", True)


@pytest.mark.parametrize("text", [
    "北门边上的围墙塌了 晚上外人随便进",
    "院墙坍塌了一段，存在安全隐患，望尽快处理",
    "围墙塌了一大片，好几天了，也没人管",
])
def test_a_wall_fallen_is_a_gap_to_mend_not_a_hole_to_fall_into(text):
    a = analyze(text)
    assert (a.intent, a.category, a.urgent) == ("complaint", "facilities", False)


@pytest.mark.parametrize("text", ["围墙塌了 压着一个路过的老人", "路面塌了一大块 有个人掉下去了"])
def test_a_collapse_with_a_person_under_or_in_it_stays_urgent(text):
    assert _urgent(text) == ("complaint", True)


@pytest.mark.parametrize("text", [
    "楼上丢下一袋垃圾 差滴滴就砸中我屋老汉",
    "楼上掟咗个樽落嚟 差啲砸中个细路",
    "不知道谁从窗户扔了个铁罐 险险砸中我儿子",
    "刚才阳台上掉下个花盆 好险砸中楼下的阿姨",
])
def test_a_near_miss_from_above_already_over_is_not_urgent(text):
    a = analyze(text)
    assert (a.intent, a.category, a.urgent) == ("complaint", "safety", False)


def test_a_thing_from_above_that_hit_someone_stays_urgent():
    assert _urgent("楼上扔下个花盆 砸中了我儿子 头破了") == ("complaint", True)
