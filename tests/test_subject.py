"""The subject of a report: what exactly is broken, within its category (nlp/subject.py)."""
import pytest

import nlp
from nlp.analyzer import CATEGORIES
from nlp.subject import SUBJECTS, TABLE, name_of, subject_of, unit_matters


def test_the_table_names_known_categories_and_each_code_once():
    assert set(TABLE) <= set(CATEGORIES)
    codes = [code for rows in TABLE.values() for code, *_ in rows]
    assert len(codes) == len(set(codes)) == len(SUBJECTS)
    assert all(len(code) <= 32 for code in codes)  # tickets.subject is String(32)


@pytest.mark.parametrize("text, subject", [
    ("1号楼门口井盖没了，晚上黑看不见，很危险", "manhole"),
    ("1号楼单元门门禁坏了，刷卡刷不开", "door_access"),
    ("4号楼1单元门口的垃圾桶坏了", "bin"),
    ("1号楼门口的健身器材坏了", "exercise"),  # 门口 says where, not that the door is broken
    ("2单元门口的地砖翘起来了", "road"),
    ("6号楼墙皮掉下来了 差点砸到人", "wall_surface"),
    ("外墙瓷砖掉下来了", "wall_surface"),
    ("3号楼楼门关不上", "door_access"),
    ("4号楼垃圾堆了好几天没人收", "garbage"),
    ("垃圾桶满了没人收", "garbage"),
    ("天然气管道老化了，担心出事 4号楼", "gas_pipe"),
    ("4号楼煤气味很大", "gas_leak"),
    ("9号楼门口的路灯不亮了", "street_light"),
    ("9号楼2单元楼道灯坏了", "corridor_light"),
    ("樓道燈壞了", "corridor_light"),  # traditional characters
    ("3号楼楼到灯坏了", "corridor_light"),  # a dictation slip
    ("3号楼灯坏了", None),
    ("3号楼顶上漏雨，家里天花板都湿了", "roof"),
    ("楼上往下漏水，天花板全湿了", "upstairs_leak"),
    ("楼上的水漏到我家卫生间顶上了", "upstairs_leak"),
    ("3号楼上个月开始楼顶漏水", "roof"),
    ("1号楼楼道里堆了好多纸箱", "clutter"),
    ("11号楼有人从窗户拉电线给电动车充电", "flying_lead"),
])
def test_the_subject_is_the_thing_broken(text, subject):
    analysis = nlp.analyze(text)
    assert analysis.subject == subject_of(text, analysis.category) == subject


def test_units_matter_for_what_each_unit_has_its_own():
    assert unit_matters("corridor_light") and unit_matters("door_access") and unit_matters("lift")
    assert not unit_matters("roof") and not unit_matters("street_light") and not unit_matters(None)
    assert name_of("corridor_light") == "楼道灯" and name_of(None) is None


def test_only_complaints_have_a_subject():
    assert nlp.analyze("你好").subject is None and nlp.analyze("我的工单").subject is None
