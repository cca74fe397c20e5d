"""The kinds round 7's blind set showed the reader getting wrong, each in new words (never the set's lines): water
reaching electrics, a tree on a live line, a person fallen and now drowsy; false alarms (water hissing from a pipe,
a pothole people twist ankles in, a swollen battery parked, a report closed); questions and grumbles that name a
category word; and several problems joined in one message."""

import pytest

from nlp import analyze


@pytest.mark.parametrize("text", [
    "楼上漏的水沿着楼梯间的墙一直淌 淌到三楼的电闸上了",
    "屋顶的积水顺着外墙一路往下淌 淌到一楼那个电箱上了",
    "暴雨顺着窗缝漫进配电房 漫到配电柜底下了",
    "热水器的水管崩了 水溅到插座上 刚才啪的一声",
    "雨水灌进楼道 一直流到电表箱那里 电表箱刚刚闪了一下",
])
def test_water_reaching_electrics_or_a_flash_at_the_box_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "electric")


@pytest.mark.parametrize("text", [
    "树倒了压在电线上 线都压弯了",
    "那棵歪脖子树倒下来靠在高压线上了",
    "昨晚台风 幼儿园门口那根大树枝断了 现在还搭在电线上",
    "竹子被雪压断了 横着压到路边的电缆上",
])
def test_a_tree_or_a_branch_on_a_live_line_is_urgent(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "electric")


@pytest.mark.parametrize("text", [
    "我妈在卫生间摔了一跤 现在迷迷糊糊的 问话也不怎么答",
    "外婆从凳子上跌下来 磕了一下 这会儿昏昏沉沉的",
    "楼下大爷骑车栽进沟里 撞到头 喊他不太应",
    "孩子从滑梯上摔下来 眼睛睁不开 一直想睡",
])
def test_a_person_fallen_and_now_drowsy_or_hardly_answering_is_urgent_medical(text):
    a = analyze(text)
    assert (a.intent, a.urgent, a.danger) == ("complaint", True, "medical")


@pytest.mark.parametrize("text", [
    "阳台洗衣机的水管嘶嘶地往外喷水 总阀在哪",
    "卫生间水龙头底下的接头嘶嘶响 一直在冒水",
    "小区路上塌了个坑 好几个老人崴了脚",
    "东门进来那段路塌了一块 坑里积着水 已经有人扭了脚",
    "车棚里有辆电动车的电池鼓包了 停了好几天没人管",
    "那辆电瓶车电池都鼓包了 还天天推进电梯",
    "我报的单子怎么被关掉了 路灯还是不亮",
    "工单被关了是什么意思",
    "我那个投诉怎么被关了 下水道还是堵的",
    "楼下那棵树的枝子长到电线上了 风一吹就蹭 该修剪了",
])
def test_water_only_a_pit_to_fill_a_parked_swollen_battery_or_a_closed_report_is_no_emergency(text):
    assert analyze(text).urgent is False


@pytest.mark.parametrize("text", [
    "燃气表那里嘶嘶响 一股味",
    "楼道里电动车在充电 电池鼓包了 还发烫",
    "路面塌了个大坑 刚才有个孩子掉进去了",
    "电梯坏了 孩子被关在里面了",
])
def test_controls_that_stay_emergencies(text):
    assert analyze(text).urgent is True


@pytest.mark.parametrize("text", [
    "老小区嘛 漏水停水都是家常便饭",
    "现在的物业公司啊 收钱的时候最积极",
    "停车费这么贵 还不如坐公交",
    "住顶楼就这点不好 一下雨就担心漏",
    "电梯房就是方便 比我以前住的老小区强多了",
])
def test_a_grumble_with_nothing_concrete_that_names_a_category_word_is_small_talk_or_asked_about(text):
    # After round 8's retrain the model still reads four of these as reports, but no longer sure ones (0.42-0.75):
    # the handlers ask (回复1 反映问题 / 2 其他) before filing them (tests/test_reader_conversations.py).
    a = analyze(text)
    assert (a.intent, a.problems) == ("chitchat", ()) or (a.intent_unsure and not a.location)


@pytest.mark.parametrize("text", [
    "楼道里那个灭火器归谁管 过期了找谁换",
    "小区的路灯归物业管还是归路灯所 坏了找谁",
    pytest.param("单元门口的监控是谁装的 坏了该谁修", marks=pytest.mark.xfail(
        strict=True, reason="after round 8's retrain a report at 0.58 (intent_unsure: asked about, not filed)")),
    "家里的燃气表是找物业还是燃气公司",
])
def test_a_question_whose_job_a_thing_is_asks_for_information(text):
    assert analyze(text).intent == "help"


@pytest.mark.parametrize("text", [
    "物业说电梯配件下周到 都过去两周了",
    "师傅说周一来换楼道灯 今天都周四了",
    "说是等水泵的零件 零件到了没",
    "维修师傅说下午来修灯 现在都晚上九点了",
])
def test_a_promise_and_the_time_since_is_a_status_query(text):
    assert analyze(text).intent == "status_query"


@pytest.mark.parametrize("text, categories", [
    ("厨房天花板一直在滴水，还有楼道里的声控灯也不亮了", ["leak", "lighting"]),
    ("车库的排水沟堵了 积水一大片 另外车库的灯也坏了好几盏", ["drainage", "lighting"]),
    ("单元门的门禁刷不开，而且门口的垃圾桶也满出来了", ["facilities", "sanitation"]),
    ("楼上天天半夜剁肉，楼道的灯也坏了一个月了", ["noise", "lighting"]),
    ("停水一上午了，另外我们这个单元的楼道灯也坏了好久了", ["water_supply", "lighting"]),
    ("单元门口堆了好多装修垃圾，我们这栋的楼道灯也坏了好久了", ["sanitation", "lighting"]),
])
def test_two_problems_joined_are_each_their_own_problem(text, categories):
    a = analyze(text)
    assert [p.category for p in a.problems] == categories


@pytest.mark.parametrize("text", [
    "楼道灯坏了 也没人来修",
    "电梯停了 而且停了一整天了 我家老人下不了楼",
    "垃圾没人收 另外味道也太大了",
])
def test_one_problem_told_with_a_joiner_stays_one(text):
    assert len(analyze(text).problems) == 1
