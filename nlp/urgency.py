"""Decide whether a message reports an emergency happening now; favour recall, but respect negation and the past."""

import re

# Each trigger names a danger to a person right now (CATEGORIES.md, "Urgent").
TRIGGERS = [
    # gas smell or leak
    r"(煤气|燃气|天然气|液化气|瓦斯)[^,，。!！?？]{0,4}(味|泄漏|泄露|漏了|在漏|漏气|漏出)", r"漏气", r"臭鸡蛋味",
    r"(燃气|煤气)报警器?[^,，。]{0,3}(响|叫|报警)", r"(燃气|煤气|天然气)(管|管道|管子)[^,，。]{0,6}(撞|断|破|裂|嘶嘶)",
    r"闻着头晕", r"(有|一股|闻到|好重的|很重的|很大的)[^,，。]{0,4}(煤气|燃气|天然气)", r"臭鸡蛋.{0,3}(味|气)",
    # a person trapped in a lift
    r"(困人|关人|困住|困在|困着|被困|被关|卡住了?人|关在里面|关在电梯|夹住了?人)", r"(电梯|梯).{0,12}(里面?|里头)[^,，。]{0,3}(有人|有老人|有小孩|有孩子|人出不来)",
    r"(电梯|梯)[^。]{0,12}(出不来|卡住|卡在|停在两层)", r"(里面|里头)(还)?有(人|老人|小孩|孩子|我妈|我爸)",
    # fire, smoke, sparks
    r"(?<![打点])(?<!打不)(?<!点不)(?<!打得)着火|(楼道|家|屋|房子|房间|厨房|车|楼)里?着了|烟(好|很|特别|太|老)大|烟雾(?!报警|探测)|起火|失火|火灾|烧起来|冒烟|浓烟|黑烟|冒火|火花|火星|明火|火苗窜|焦味|烧焦|焦糊",
    # bare live wires, water on electrics
    r"电线[^,，。]{0,6}(裸露|露|外露|断|掉|垂|耷拉|冒|烧)|(裸露|露出)[^,，。]{0,4}电线|(电线|线|铁门|栏杆|水管|门把手|扶手)[^,，。]{0,6}(带电|有电)|带电|漏电|触电|电到人|短路|电打火",
    r"(水|漏|渗)[^。]{0,16}(电闸|电表|电箱|配电|插座|电线|灯上|灯里|开关)",
    r"(电闸|电表|电箱|配电|插座|开关|电线|灯)[^。]{0,6}(全是水|都是水|进水|泡水|湿了|往下滴|滴水|有水|淌水)", r"(电闸|电表箱?|电箱|配电箱|插座)[^,，。]{0,4}(进水|泡水|湿)",
    r"(电池|电瓶)[^,，。]{0,6}鼓包",
    # open manholes, collapse
    r"井盖[^,，。]{0,4}(没了|没有了|丢|不见|被偷|碎|翻|松|掀|缺|塌|没盖)", r"没(有)?井盖", r"(大)?窟窿",
    r"塌陷|坍塌|塌了|塌下来|掉下去|掉进去|大洞", r"跳楼|轻生|晕倒|昏倒|倒在地上|流血|受伤|砸伤|砸到人了|电梯井?进水", r"救命|救救|快救|快来人", r"火(还|仍)?(没|没有)(灭|扑灭)|火势|火很大|大火|烧着了|烧起来了",
]
_TRIGGER = re.compile("|".join(f"(?:{t})" for t in TRIGGERS))

# The category an emergency usually belongs to, to break ties in its favour.
KIND = [
    ("gas", re.compile(r"煤气|燃气|天然气|液化气|瓦斯|漏气|臭鸡蛋")),
    ("elevator", re.compile(r"困|被关|关人|电梯|梯")),
    ("facilities", re.compile(r"井盖|窟窿|塌|掉下去|掉进去|大洞")),
    ("leak", re.compile(r"^(水|漏|渗)|进水|泡水")),
    ("safety", re.compile(r"火|烟|焦|电线|带电|有电|漏电|触电|短路")),
]

_NEGATED_BEFORE = re.compile(r"(?<!是)(没有?|不是|并非|并没有?|无|未|别)[^,，。!！?？]{0,3}$")
_HYPOTHETICAL = re.compile(r"(万一|如果|要是|假如|一旦|防止|以防|隐患|谁负责|怎么办|容易|可能会|会不会|担心|怕)")
_PAST = re.compile(r"(昨天|前天|上周|上个?星期|上个?礼拜|上个?月|去年|前几天|前些天|那天|之前|以前|上次|曾经|过一次|过火)")
_RESOLVED = re.compile(r"(已经|已)[^,，。]{0,8}(修好|处理|救出|出来|解决|灭|补上|补好|换|好了|走了|来修)|还好|后来|没事了|已修")
_STILL = re.compile(r"((?<!到)现在|目前|此刻|还在|还有|还是有|仍然|仍在|一直在|越来越|正在|快来|赶紧|马上|救命|还没出来|到现在都?有)")
_CLAUSE = re.compile(r"[,，。!！?？;；\s]")


def is_urgent(text):
    """True when a normalised message describes someone at risk now."""
    return bool(emergencies(text))


def emergencies(text):
    """The categories of the emergencies a normalised message reports as happening now (empty when none)."""
    hits = [m for m in _TRIGGER.finditer(text) if not _negated(text, m)]
    hits = [m for m in hits if not _hypothetical(text, m)]
    if not hits:
        return []
    if _PAST.search(text) and (_RESOLVED.search(text) or not _STILL.search(text)):
        return []
    kinds = []
    for m in hits:
        kinds.append(next((kind for kind, pattern in KIND if pattern.search(m.group(0))), "safety"))
    return kinds


def _clause_before(text, match):
    start = match.start()
    cut = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    return text[cut:start]


def _negated(text, match):
    return bool(_NEGATED_BEFORE.search(_clause_before(text, match)))


def _hypothetical(text, match):
    """A danger stated as a what-if ("着火了谁负责", "万一着火") is a hazard, not an emergency."""
    cut = max((m.end() for m in _CLAUSE.finditer(text, 0, match.start())), default=0)
    end = _CLAUSE.search(text, match.end())
    clause = text[cut:end.start() if end else len(text)]
    return bool(_HYPOTHETICAL.search(clause))
