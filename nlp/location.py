"""Find the building, unit and room a message states, normalised to plain strings; never guess."""

import re
from dataclasses import dataclass

_CN = "零〇一二两三四五六七八九十百幺"
NUM = rf"(?:\d{{1,3}}|[{_CN}]{{1,4}})"
_CN_DIGITS = "零〇一二三四五六七八九幺"
ROOM = rf"(?:\d{{3,4}}|[{_CN_DIGITS}]{{3,4}})"
# A number followed by one of these is a quantity, a price or a date, not a room.
_NOT_ROOM_AFTER = r"(?!\s*(?:[\d元块米多年月日个人户次斤度平分秒点层部辆条根位]|天(?![花台棚井然窗])|毫|公|万|千|百|%|小时|周|期|楼(?![道顶梯上下里])))"

_DASH3 = re.compile(rf"(?<![\d\-/.:])(\d{{1,3}})\s*[-—–_]\s*(\d{{1,2}})\s*[-—–_]\s*(\d{{3,4}})(?![\d\-/.:])")
_BUILDING = re.compile(rf"(?<![\da-z{_CN}])(\d{{1,3}}|[{_CN}]{{1,4}}|[a-z])\s*(号楼|栋|幢|座|#|号|楼)")
_AFTER_BUILDING = re.compile(
    rf"\s*(?:的)?\s*(?:(?P<u1>{NUM})\s*[-—–]\s*(?P<r1>\d{{3,4}})(?![\d\-])"
    rf"|(?P<u2>{NUM})\s*单元(?:的)?\s*(?:(?P<r2>{ROOM})(?![\d{_CN}])\s*(?:室|号|房)?)?"
    rf"|[-—–]\s*(?P<r3>\d{{3,4}})(?![\d\-])"
    rf"|(?P<r4>{ROOM})(?![\d{_CN}])\s*(?:室|号房|房)?)"
)
_UNIT = re.compile(rf"(?<![\d{_CN}几每哪各这那])({NUM})\s*单元(?:的)?\s*(?:({ROOM})(?![\d{_CN}])\s*(?:室|号|房)?)?")
_ROOM_MARKED = re.compile(rf"(?<![\d{_CN}])({ROOM})\s*(?:室|房间|号房)")
_ROOM_CONTEXT = re.compile(rf"(?:住|家|楼上|楼下|隔壁|对门|我是|门牌)\s*(?:在)?\s*(\d{{3,4}})(?![\d\-])")
_WHOLE = re.compile(r"[这那每整哪几]\s*$")
_EMERGENCY = {"110", "119", "120", "122", "999"}


@dataclass(frozen=True)
class Location:
    """Where the problem is, as stated by the resident; None where not stated."""

    building: str | None = None
    unit: str | None = None
    room: str | None = None

    def __bool__(self):
        return any((self.building, self.unit, self.room))


def _number(token):
    """Turn one matched number (5, 五, 十二, 五零一) into digits; None when it is not one."""
    if token.isdigit():
        return str(int(token))
    import cn2an  # loaded on first Chinese numeral; the analyzer warms it up

    token = token.replace("幺", "一").replace("〇", "零").replace("两", "二")
    try:
        value = cn2an.cn2an(token, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return str(int(value))


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


def parse(text):
    """Parse an already normalised message."""
    m = _DASH3.search(text)
    if m and _room(m.group(3)):
        return Location(str(int(m.group(1))), str(int(m.group(2))), m.group(3))
    building = unit = room = None
    for m in _BUILDING.finditer(text):
        building = _building(text, m)
        if building is None:
            continue
        after = _AFTER_BUILDING.match(text, m.end())
        if after:
            u = after.group("u1") or after.group("u2")
            r = next((after.group(k) for k in ("r1", "r2", "r3", "r4") if after.group(k)), None)
            if r and not re.match(_NOT_ROOM_AFTER, text[after.end():]) and not after.group(0).rstrip().endswith(("室", "房")):
                r = None
            unit = _number(u) if u else None
            room = _room(r)
        break
    if unit is None:
        m = _UNIT.search(text)
        if m:
            unit = _number(m.group(1))
            if room is None:
                room = _room(m.group(2))
    if room is None:
        m = _ROOM_MARKED.search(text)
        if m is None:
            m = _ROOM_CONTEXT.search(text)
            m = m if m and re.match(_NOT_ROOM_AFTER, text[m.end():]) else None
        if m:
            room = _room(m.group(1))
    return Location(building, unit, room)
