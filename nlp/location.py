"""Find the building, unit and room a message states, normalised to plain strings; never guess."""

import re
from dataclasses import dataclass

from .numerals import number as _number

_CN = "零〇一二两三四五六七八九十百幺"
NUM = rf"(?:\d{{1,3}}|[{_CN}]{{1,4}})"
_CN_DIGITS = "零〇一二三四五六七八九幺"
ROOM = rf"(?:\d{{3,4}}|[{_CN_DIGITS}]{{3,4}})"
# A number followed by one of these is a quantity, a price or a date, not a room.
_NOT_ROOM_AFTER = r"(?!\s*(?:[\d元块米多年月日个人户次斤度平分秒点层部辆条根位]|天(?![花台棚井然窗])|毫|公|万|千|百|%|小时|周|期|楼(?![道顶梯上下里])))"

_DASH3 = re.compile(rf"(?<![\d\-/.:])(\d{{1,3}})\s*[-—–_]\s*(\d{{1,2}})\s*[-—–_]\s*(\d{{3,4}})(?![\d\-/.]|:\d)")
# "6-3", "我是15-1的": building and unit, when nothing after the pair makes it a range, a date or a count.
_DASH2 = re.compile(r"(?<![\d\-/.:~～])(\d{1,2})\s*[-—–]\s*(\d{1,2})(?![\d\-/.:~～])"
                    r"(?!\s*(?:[天个月年号日点时分秒次层米岁块元%度斤期周人户家辆台栋幢座]|楼(?![道梯顶下上里前后门口])|小时|公|千|万|百|倍|级|折))")
_BUILDING = re.compile(rf"(?<![\da-z{_CN}])(\d{{1,3}}|[{_CN}]{{1,4}}|[a-z])\s*(号楼|栋|幢|座|#|号|楼)")
_AFTER_BUILDING = re.compile(
    rf"\s*(?:的)?\s*(?:(?P<u1>{NUM})\s*[-—–]\s*(?P<r1>\d{{3,4}})(?![\d\-])"
    rf"|(?P<u2>{NUM})\s*(?:单元|门(?![口前外卫岗]))(?:的)?\s*(?:(?P<r2>{ROOM})(?![\d{_CN}])\s*(?:室|号|房)?)?"
    rf"|[-—–]\s*(?P<r3>\d{{3,4}})(?![\d\-])"
    rf"|(?P<r4>{ROOM})(?![\d{_CN}])\s*(?:室|号房|房)?)"
)
_UNIT = re.compile(rf"(?<![\d{_CN}几每哪各这那])({NUM})\s*单元(?:的)?\s*(?:({ROOM})(?![\d{_CN}])\s*(?:室|号|房)?)?")
_ROOM_MARKED = re.compile(rf"(?<![\d{_CN}])({ROOM})\s*(?:室|房间|号房)")
_ROOM_CONTEXT = re.compile(rf"(?:住|家|我是|门牌)\s*(?:在|是)?\s*({ROOM})(?![\d\-{_CN}])")
# "五零一 厨房水管漏了": a room in Chinese digits opening a clause (with a 零 or four digits, so no count or name).
_ROOM_CN_LEAD = re.compile(rf"(?:^|(?<=[,，。!！?？\s]))([{_CN_DIGITS}]*[零〇幺][{_CN_DIGITS}]*|[{_CN_DIGITS}]{{4}})"
                           rf"(?![{_CN}])(?=\s|[,，的门家室号]|$)")
# "楼上那户803", "对门602", "隔壁602家": a neighbour's room, which is not where the resident's problem is.
_NEIGHBOUR = re.compile(r"(?:楼上|楼下|隔壁|对门|对面|邻居|那户|那家|人家)(?:的|那户|那家|那个|住的|邻居)?\s*$")
_ROOM_LEAD = re.compile(r"(\d{3,4})\s*的")  # "302的水管漏了": whose pipe, when the number opens a clause
_CLAUSE_END = ",，。!！?？ "
_WHOLE = re.compile(r"[这那每整哪几]\s*$")
_MONTH = re.compile(rf"(?:\d{{1,2}}|[{_CN}]{{1,3}})\s*月\s*$")
# "不是12栋，是2栋", "12栋不是，是2栋", "12栋，不对，2栋": the resident took that address back.
_DENIED_BEFORE = re.compile(r"(?:(?<!是)不是|并非|而非|不在)\s*$")
# "12号楼，哦不对，2号楼", "9栋，我说错了", "3栋...不对": fillers and a pause may come before the taking back.
_DENIED_AFTER = re.compile(r"\s*(?:的)?[\s,，.。…~～]*(?:(?:哦|噢|喔|啊|呃|额|嗯|哎|诶|唉|呀|我)\s*)*"
                           r"(?:不是(?=\s*(?:[,，。!！?？;；]|是|$))|不对(?!劲)|不不|不(?=\s*[,，])|错了|说错|写错|打错|搞错|记错|口误)")
_EMERGENCY = {"110", "119", "120", "122", "999"}
# The words that make an address the resident's home, around it ("我家住4栋", "我是3号楼的", "我家3号楼", "8栋的业主"),
# never one they only name ("我家孩子在5号楼摔倒了"). The one rule for the reader and the conversation (nlp/phrases.py).
_HOME_BEFORE = re.compile(r"(?:住|住在|家在|家是|家就在|(?:我|我们|俺)是|(?:我|我们|俺)家)\s*$")
_HOME_AFTER = re.compile(r"\s*(?:的)?\s*(?:业主|住户|居民)")
_HOME_HINT = re.compile(r"住|家|我是|我们是|业主|居民")


@dataclass(frozen=True)
class Location:
    """Where the problem is, as stated by the resident; None where not stated."""

    building: str | None = None
    unit: str | None = None
    room: str | None = None
    spot: str | None = None  # a place in the estate that is no building: 大门口, 地下车库 (nlp/spot.py)

    def __bool__(self):
        """True when a building, unit or room is stated (a spot alone is no address to route by)."""
        return any((self.building, self.unit, self.room))


def _room(token):
    """Normalise a room token and reject what cannot be a room (300, 119)."""
    if token is None:
        return None
    if not token.isdigit():
        if any(c in token for c in "十百两"):
            return None
        token = _number(token)
        if token is None:
            return None
    if token in _EMERGENCY or token.startswith("0") or len(token) not in (3, 4):
        return None
    floor, door = int(token[:-2]), int(token[-2:])
    return token if 1 <= floor <= 60 and 1 <= door <= 40 else None


def _building(text, match):
    """Return the building string for a match, or None when the words mean a floor or a count."""
    token, marker = match.group(1), match.group(2)
    rest = text[match.end():]
    if token.isalpha() and token.isascii():
        return token.upper() if marker in ("座", "栋", "幢", "号楼", "#") else None
    if marker.startswith("号") and _MONTH.search(text[:match.start()]):
        return None  # 3月5号楼道灯坏了: the fifth of March, not building 5
    if marker in ("号", "楼"):
        # 3号 is a date and 3楼 a floor unless a unit or unit-room follows.
        if not re.match(rf"\s*(?:{NUM}\s*单元|\d{{1,2}}\s*[-—–]\s*\d{{3,4}}|\d{{3,4}}(?!\d))", rest):
            return None
        if marker == "楼" and re.match(r"\s*\d{3,4}", rest):
            return None
    if marker in ("栋", "幢") and re.match(r"楼(?![道顶下上梯里前后门内外])", rest):
        return None  # 3栋楼都停水 counts buildings; 3栋楼道 names one
    if _WHOLE.search(text[:match.start()][-2:]) and token in ("一", "两", "几", "每"):
        return None
    value = _number(token)
    if value is None or not 0 < int(value) < 1000:
        return None
    return value


def _denied(text, start, end):
    """True when the words around an address take it back."""
    return bool(_DENIED_BEFORE.search(text[max(0, start - 4):start]) or _DENIED_AFTER.match(text, end))


def parse(text):
    """Parse an already normalised message; a building the resident only lives in gives way to another one named."""
    homes, other = _addresses(text) if _HOME_HINT.search(text) else ((), False)
    if homes and other:
        for start, end in homes:  # blank the home out, keeping every other position where it was
            text = text[:start] + " " * (end - start) + text[end:]
    return _parse(text)


def _addresses(text):
    """The spans of the addresses said to be the resident's home, and whether another building is named."""
    homes, other = [], False
    for m in _DASH3.finditer(text):
        if _room(m.group(3)) and not _denied(text, m.start(), m.end()):
            if _is_home(text, m.start(), m.end()):
                homes.append((m.start(), m.end()))
            else:
                other = True
    for m in _BUILDING.finditer(text):
        if any(a <= m.start() < b for a, b in homes) or _building(text, m) is None:
            continue
        after = _AFTER_BUILDING.match(text, m.end())
        end = after.end() if after else m.end()
        if _denied(text, m.start(), end):
            continue
        if _is_home(text, m.start(), end):
            homes.append((m.start(), end))
        else:
            other = True
    return homes, other


def says_home(text):
    """The normalised message says an address it names is where the resident lives (我家住4栋, 我是3号楼的, 8栋的业主)."""
    return bool(_HOME_HINT.search(text) and _addresses(text)[0])


def _is_home(text, start, end):
    return bool(_HOME_BEFORE.search(text[max(0, start - 4):start]) or _HOME_AFTER.match(text, end))


def _parse(text):
    for m in _DASH3.finditer(text):
        if _room(m.group(3)) and not _denied(text, m.start(), m.end()) and not _neighbour(text, m.start()):
            return Location(str(int(m.group(1))), str(int(m.group(2))), m.group(3))
    building = unit = room = None
    rest = 0  # where the words not taken back begin
    for m in _BUILDING.finditer(text):
        building = _building(text, m)
        if building is None:
            continue
        after = _AFTER_BUILDING.match(text, m.end())
        if _denied(text, m.start(), after.end() if after else m.end()):
            building, rest = None, (after or m).end()
            continue
        if after:
            u = after.group("u1") or after.group("u2")
            r = next((after.group(k) for k in ("r1", "r2", "r3", "r4") if after.group(k)), None)
            if r and not re.match(_NOT_ROOM_AFTER, text[after.end():]) and not after.group(0).rstrip().endswith(("室", "房")):
                r = None
            unit = _number(u) if u else None
            room = _room(r)
        break
    if building is None:
        m = next((m for m in _DASH2.finditer(text, rest) if not _denied(text, m.start(), m.end())), None)
        if m and 0 < int(m.group(1)) and 0 < int(m.group(2)) <= 12:
            building, unit = str(int(m.group(1))), str(int(m.group(2)))
    if unit is None:
        m = _UNIT.search(text, rest)
        if m:
            unit = _number(m.group(1))
            if room is None:
                room = _room(m.group(2))
    if room is None:
        room = _room_alone(text, rest)
    return Location(building, unit, room)


def _room_alone(text, rest):
    """A room stated without its building: 501室, 我家在1502, 五零一 厨房..., 302的水管; never a neighbour's."""
    for pattern in (_ROOM_MARKED, _ROOM_CONTEXT, _ROOM_LEAD, _ROOM_CN_LEAD):
        for m in pattern.finditer(text, rest):
            if _neighbour(text, m.start()):
                continue
            if pattern is _ROOM_CONTEXT and not re.match(_NOT_ROOM_AFTER, text[m.end():]):
                continue
            if pattern is _ROOM_LEAD and not (m.start() == 0 or text[m.start() - 1] in _CLAUSE_END):
                continue
            room = _room(m.group(1))
            if room:
                return room
    return None


def _neighbour(text, start):
    """True when the words before a room make it someone else's (楼上那户803, 对门602)."""
    return bool(_NEIGHBOUR.search(text[max(0, start - 6):start]))
