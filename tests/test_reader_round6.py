"""The kinds round 6's blind set showed the reader getting wrong, each in new words (never the set's lines):
emergencies high up over where people pass, false alarms, and the category boundaries other/noise, other/safety
and safety/facilities."""

import pytest

from nlp import analyze


def _read(text):
    a = analyze(text)
    return a.intent, a.urgent


@pytest.mark.parametrize("text", [
    "楼顶的招牌被风刮得晃来晃去 下面是人行道 天天有人走",
    "12楼外面的空调架子锈断了一边 晃晃悠悠的 底下就是单元门",
    "屋顶那块铁皮被风掀起来了 一直在晃 下面是小孩放学走的路",
    "阳台上那块玻璃松了 风一吹就晃 楼下就是停车场 人来人往",
])
def test_something_loose_or_swaying_high_up_over_where_people_pass_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "fall")


@pytest.mark.parametrize("text", [
    "刚才外墙掉了一块瓷砖 砸在人行道上 上面还有好几块翘着 随时会掉",
    "楼上窗户掉下来一块玻璃 摔碎在门口 剩下那半扇也快掉了",
    "单元门上的雨棚刚掉了一块板子 剩下的还悬着 随时还会掉",
    "外墙的保温板掉下来一大片 落在路边 上面还有一片松着",
])
def test_more_about_to_fall_after_one_fell_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "fall")


@pytest.mark.parametrize("text", [
    "燃气报警器刚才嘀了一声就没动静了 这是什么意思",
    "烟感半夜叫了一下就停了 这正常吗 要不要换电池",
    "煤气报警器响了一声又不响了 要不要紧啊",
])
def test_a_question_about_what_an_alarm_that_beeped_once_means_is_no_emergency(text):
    assert analyze(text).urgent is False


@pytest.mark.parametrize("text", [
    "刚才报的煤气味不用来了 是我闻错了 是邻居家在熬中药",
    "着火那个别管了 搞错了 是楼下烧烤的烟",
    "燃气泄漏那单撤了吧 我看错了 表没问题",
    "冒烟那事不用来了 是我家孩子点的蚊香",
])
def test_a_cancel_that_names_the_danger_is_no_emergency(text):
    assert analyze(text).urgent is False


@pytest.mark.parametrize("text", [
    "大风把车棚刮塌了 还好里面没人",
    "垃圾站的顶棚塌下来了 大晚上的也没人",
    "树倒了压在凉亭上 亭子塌了一半",
])
def test_a_thing_fallen_where_nobody_is_is_no_emergency(text):
    assert analyze(text).urgent is False


@pytest.mark.parametrize("text", [
    "楼下的狗没拴绳 冲着我女儿扑过来 孩子吓哭了 狗主人说它不咬人",
    "一条大黄狗追着老太太跑 把人吓得不轻 还好没咬着",
    "邻居的狗扑到我儿子身上 孩子吓坏了 没伤着",
])
def test_a_fright_with_nobody_hurt_is_no_emergency(text):
    assert analyze(text).urgent is False


@pytest.mark.parametrize("text", [
    "狗把孩子咬了 腿上一直流血",
    "车棚塌了 压住一个人",
    "燃气报警器一直在响 满屋子都是味",
    "广告牌快倒了 正对着公交站",
    "着火了 快来人 3号楼",
])
def test_the_emergencies_beside_these_kinds_stay_urgent(text):
    assert analyze(text).urgent is True


@pytest.mark.parametrize("text, category", [
    ("对门养的八哥天天学救护车叫 一大早就开始", "noise"),
    ("楼下群租房那帮人每天凌晨回来大声打电话 隔音太差了", "noise"),
    ("小区的流浪猫一到晚上就叫春 叫得跟小孩哭一样", "noise"),
    ("楼上养的几条大狗白天黑夜轮着嚎", "noise"),
])
def test_animals_and_people_heard_through_walls_are_noise_not_other(text, category):
    assert (analyze(text).intent, analyze(text).category) == ("complaint", category)


@pytest.mark.parametrize("text, category", [
    ("出租屋里住了十几个人 连个灭火器都没有", "safety"),
    ("隔断房的走廊堆得死死的 烟感也被房东拆了", "safety"),
    ("群租房里有人用电炉子煮东西 锅着火了", "safety"),
])
def test_fire_risks_and_fire_equipment_in_rentals_are_safety_not_other(text, category):
    assert (analyze(text).intent, analyze(text).category) == ("complaint", category)


@pytest.mark.parametrize("text, category", [
    ("车棚里的电瓶又被人偷了 这个月第三回", "safety"),
    # After one retrain the model still leans to facilities (0.60, safety second): a door is a door to it.
    pytest.param("楼顶天台的门一直开着 小孩子上去玩 太危险了", "safety",
                 marks=pytest.mark.xfail(strict=True, reason="a rooftop door left open still reads as facilities")),
    ("安全出口被人用铁链锁上了 真着火了怎么跑", "safety"),
    ("单元门的门禁坏了 刷卡没反应", "facilities"),
])
def test_theft_and_doors_left_open_onto_danger_are_safety_a_broken_door_is_facilities(text, category):
    assert (analyze(text).intent, analyze(text).category) == ("complaint", category)
