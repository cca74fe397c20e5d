"""What exactly is broken, within a category (井盖 or 门禁, 路灯 or 楼道灯): a short subject code from a small table.

Two reports are one ticket only when their subjects agree (or one of them names none), so the table
decides what counts as "the same problem"; the store matches on the code (bot/store/tickets.py).
"""

import re
from dataclasses import dataclass

# Per category, its subjects, most specific first: a message's subject is the first whose words it has.
# Columns: code (unique, stored on the ticket), name (what residents and staff read), per unit, words.
# Per unit ("unit"): each unit has its own (a corridor light, a unit door, a lift), so two units' reports
# are two problems; otherwise ("bldg") the building has one (its roof, the manhole cover at its door).
# Words are separated by spaces; each may be a small regular expression.
TABLE = {
    "leak": [
        # Before the roof: "楼上的水漏到我家顶上" is the flat above. Not "3号楼上个月".
        ("upstairs_leak", "楼上漏水", "unit", "楼上(的|家|邻居|住户|卫生间|厨房|往下|漏|渗|水)"),
        ("roof", "楼顶漏水", "bldg", "楼顶 屋顶 房顶 顶楼 顶层 (号|栋|幢)楼?顶 漏雨 渗雨"),  # not 厨房顶上, 卫生间防水
        ("water_pipe", "水管漏水", "unit", "水管 管子 爆管 管道 暖气 接头 阀门 立管"),
        ("outer_wall", "外墙渗水", "bldg", "外墙"),
    ],
    "drainage": [
        ("septic_tank", "化粪池", "bldg", "化粪池 粪池"),
        ("drain_stack", "下水管", "unit", "下水管 地漏 马桶 卫生间 厨房 返水 反水 往上返"),
        ("rainwater", "雨水排水", "bldg", "雨水 积水 排水不畅 排不走 蹚水 淹"),
        ("sewer", "下水道", "bldg", "下水道 污水井 窨井 下水井 下水 污水"),
    ],
    "water_supply": [
        ("water_quality", "水质", "bldg", "黄水 浑 发黄 水是黄 铁锈 水质 黄汤 漂白粉 沉淀 怪味 异味 沙子"),
        ("water_pressure", "水压低", "bldg", "水压 水小 水细 水流小 加压 水泵 修泵"),
        ("water_outage", "停水", "bldg", "停水 没水 没有水 断水 一滴水 来水"),
    ],
    "parking": [
        ("fire_lane", "占消防通道", "bldg", "消防 生命通道"),
        ("zombie_car", "僵尸车", "bldg", "僵尸车 废弃 长期不动 落满灰"),
        ("barrier", "道闸", "bldg", "道闸 抬杆 栏杆 杆子"),
        ("parking_fee", "停车费", "bldg", "停车费 收费 月租"),
        ("parking_space", "车位", "bldg", "车位 地锁 占位"),
    ],
    "lighting": [
        ("street_light", "路灯", "bldg", "路灯 景观灯 庭院灯 草坪灯 高杆灯"),
        ("garage_light", "车库灯", "bldg", "车库 地库 地下室 停车场"),
        ("corridor_light", "楼道灯", "unit", "楼道 声控 感应灯 楼梯 走廊 过道 门厅 大堂"),
    ],
    "elevator": [
        ("lift_install", "加装电梯", "bldg", "加装 分摊 集资 装电梯"),
        ("lift", "电梯", "unit", "电梯 梯 轿厢 困"),
    ],
    "sanitation": [
        ("renovation_waste", "装修垃圾", "bldg", "装修垃圾 建筑垃圾 渣土"),
        # A full bin is garbage not collected; a bin is the subject when the bin itself is the trouble.
        ("bin", "垃圾桶", "bldg", r"垃圾(桶|箱)[^,，。]{0,4}(坏|破|裂|烂|盖|丢|没了|不见|不够|太少|倒了|翻了) "
                                 r"(没有|缺|少|加|添|增加|多放)[^,，。]{0,3}垃圾(桶|箱) 桶盖"),
        ("flyers", "小广告", "unit", "小广告 牛皮癣 广告 办证 开锁 乱贴 乱画 乱涂 贴满 喷码"),
        ("clutter", "楼道堆物", "unit", r"杂物 纸箱 纸壳 破沙发 旧家具 废品 "
                                       r"(楼道|走廊|过道|楼梯)[^,，。]{0,6}(堆|放|摆|占)"),
        ("pet_waste", "宠物粪便", "bldg", "狗屎 狗粪 猫屎 粪便 拉屎 拉尿 遛狗"),
        ("pests", "老鼠蟑螂", "bldg", "老鼠 蟑螂 苍蝇 蚊子"),
        ("garbage", "垃圾清运", "bldg", "垃圾 清运 没人收 没人清"),
    ],
    "gas": [
        ("gas_leak", "燃气泄漏", "unit", "味 泄漏 泄露 漏 臭鸡蛋 报警 嘶嘶"),
        ("gas_outage", "停气", "bldg", "停气 没气 通气"),
        ("gas_meter", "燃气表", "unit", "气表 的表 燃气卡 充值 计量"),
        ("gas_pipe", "燃气管道", "bldg", "管道 燃气管 气管 管子 立管 老化"),
    ],
    "ebike": [
        ("flying_lead", "飞线充电", "bldg", "飞线 拉电线 私拉 拉线 拉根电线 电线下来 吊下来 窗户 插线板"),
        ("charging_point", "充电桩", "bldg", "充电桩 充电口 充电站 充电设施 没地方充"),
        ("ebike_indoors", "电动车进楼", "unit", "楼道 电梯 推上楼 推进 走廊 楼梯 推回家 拎回家 拎上楼 带回家 家里充"),
    ],
    "noise": [
        ("renovation_noise", "装修噪音", "unit", "装修 电钻 砸墙 敲敲打打 电锤 切割"),
        ("construction", "施工噪音", "bldg", "施工 打桩 工地"),
        ("dancing", "广场舞", "bldg", "广场舞 音响 喇叭 唱歌 跳舞 ktv"),
        ("dogs", "狗叫", "bldg", "狗 犬"),
        ("upstairs_noise", "楼上噪音", "unit", "楼上 跑跳 拖椅子 咚咚 跑步机 钢琴"),
    ],
    "facilities": [
        ("manhole", "井盖", "bldg", "井盖 窨井 下水井 井口"),
        # "门口" is where, not what: "1号楼门口的健身器材" and "2单元门口的垃圾桶" are not about the door.
        ("door_access", "门禁/单元门", "unit", "门禁 单元门(?!口) 防盗门 (?<![号栋幢座])楼门(?!口) 闭门器 门锁 刷卡 门卡 "
                                            "刷不开 人脸识别 对讲"),
        ("gate", "小区大门", "bldg", "大门(?!口) 伸缩门 侧门(?!口)"),
        ("exercise", "健身器材", "bldg", "健身 器材 滑梯 秋千 单杠 跷跷板"),
        ("mailbox", "信报箱", "unit", "信报箱 信箱 报箱"),
        ("camera", "监控", "bldg", "监控 摄像头"),
        ("railing", "栏杆扶手", "bldg", "栏杆 护栏 扶手"),
        ("seating", "座椅凉亭", "bldg", "长椅 座椅 椅子 凉亭 亭子 顶棚 雨棚"),
        ("window", "窗户玻璃", "unit", "玻璃 窗户"),
        ("bike_shed", "车棚", "bldg", "车棚"),
        ("wall", "围墙", "bldg", "围墙"),
        ("wall_surface", "墙皮墙砖", "bldg", "墙皮 墙砖 外墙 瓷砖"),  # before the road: 砖 of a wall is no paving
        ("road", "路面", "bldg", "路面 坑 塌陷 窟窿 地砖 砖 台阶 路坏 大洞"),
    ],
    "greenery": [
        ("vegetables", "种菜", "bldg", "种菜 菜园 菜地 种葱 丝瓜 开荒"),
        ("tree_pests", "病虫害", "bldg", "虫 马蜂 蜂窝 打药"),
        ("trees", "树木", "bldg", "树 枝 修剪 剪枝 挡光 挡阳光"),
        ("lawn", "草坪", "bldg", "草"),
    ],
    "property": [
        ("maintenance_fund", "维修基金", "bldg", "维修基金 公共收益"),
        ("property_fee", "物业费", "bldg", "物业费 收费 押金 催费"),
        ("guards", "保安门岗", "bldg", "保安 门岗"),
    ],
    "safety": [
        ("fire", "火情", "bldg", "着火 起火 失火 火灾 冒烟 浓烟 黑烟 烟雾 焦味 烧焦 明火 火苗 烧起来"),  # not 火 alone: 灭火器 has it
        ("live_wires", "电线带电", "unit", "电线 裸露 带电 漏电 短路 配电箱 电箱"),
        ("thrown_objects", "高空抛物", "bldg", "高空 抛物 往下扔 楼上扔 扔下来 往下泼 泼水 花盆"),
        ("fire_equipment", "消防器材", "unit", "灭火器 消防栓 消火栓 消防箱 喷淋 烟感 应急灯 消防门 "
                                              "安全出口"),
        ("theft", "盗窃", "bldg", "偷 被盗 贼 撬 入室 盗窃"),
    ],
    "other": [
        ("illegal_building", "违建", "bldg", "违建 违章 私搭乱建 乱搭 搭建 加盖 搭了"),
        ("group_rental", "群租", "unit", "群租 日租 隔断"),
        ("fumes", "油烟", "bldg", "油烟"),
    ],
}


@dataclass(frozen=True)
class Subject:
    """The thing that is broken: its code, its name, and whether each unit has its own."""

    code: str
    name: str
    per_unit: bool


SUBJECTS = {code: Subject(code, name, where == "unit") for rows in TABLE.values() for code, name, where, _ in rows}
_PATTERNS = {category: [(SUBJECTS[code], re.compile("|".join(f"(?:{word})" for word in words.split())))
                        for code, _, _, words in rows]
             for category, rows in TABLE.items()}


def subject_in(text: str, category: str | None) -> str | None:
    """The subject code of a normalised message of this category, or None when it names none."""
    for subject, pattern in _PATTERNS.get(category, ()):
        if pattern.search(text):
            return subject.code
    return None


def subject_of(text: str, category: str | None) -> str | None:
    """The subject code of a resident's message as sent (normalised here first)."""
    from .text import normalize  # OpenCC: the store imports this module for unit_matters alone

    return subject_in(normalize(text if isinstance(text, str) else str(text)), category)


def unit_matters(code: str | None) -> bool:
    """Whether reports of this subject from two units are two problems (unknown codes: no)."""
    subject = SUBJECTS.get(code)
    return bool(subject and subject.per_unit)


def name_of(code: str | None) -> str | None:
    subject = SUBJECTS.get(code)
    return subject.name if subject else None
