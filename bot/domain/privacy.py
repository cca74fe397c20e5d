"""What may leave the system about a person: in logs openids and phone numbers only masked; in what a city system
reads, and in the tickets of a resident who unfollowed, no name, contact, unit or room (mask_personal)."""
from __future__ import annotations

import re
import unicodedata

# Mainland mobiles (138 1234 5678, +86 too) and landlines with an area code (010-12345678).
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)"
                    r"|(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)")


# Digits however a resident writes them: full-width (１３８) and circled (①③⑧, ⑩) through unicodedata, Chinese
# (一三八, 〇/零, 幺 for 1) and 大写 (壹叁捌) here. 十 and 百 are not digits: 三十一 is a count, not a number read out.
_CHINESE = dict(zip("〇零一二三四五六七八九幺", "001234567891")) | dict(zip("壹贰貳叁參叄肆伍陆陸柒捌玖", "1223334566789"))
_WORDS = set("〇零一二三四五六七八九")  # begin ordinary words too: 一直, 三天
# What may stand between the digits of one number: 138 1234 5678, 138-1234-5678, (010)6234.5678, +86 138/1234/5678.
_SEPARATORS = set(" \t\r\n\u00a0\u3000-‐‑‒–—―−﹣－.．·•・。,，、/／\\()（）[]【】〔〕+＋_~～")
# Invisible: a keycap's marks (1️⃣), zero-width spaces and joiners; skipped, not counted as a gap.
_INVISIBLE = set("\ufe0f\u20e3\u200b\u200c\u200d\u2060\ufeff")
_DASHES = set("-‐‑‒–—―−﹣－")
_GAP = 3  # separator characters at most between two digits of one number
_LONG = 7  # digits a phone, ID, QQ or bank card number has at least; a ticket number has six
_EMERGENCY = {"110", "119", "120", "122", "999"}
# After a number of three or four digits these make it a year, a building, a quantity or a price, not a room
# (楼上 and 天花板 do not: 502楼上, 1502天花板 are rooms).
_NOT_ROOM_AFTER = re.compile(r"\s*(?:[年月日栋幢座层元块角米斤吨度瓦伏平个次遍多余人辆台岁分点周万千百%％℃°]|号楼|号院"
                             r"|天(?![花台棚井窗天])|小时|公|毫|厘|[A-Za-z])")
_ROOM_AFTER = re.compile(r"\s*(?:室|号房|房间)")
_UNIT_AFTER = re.compile(r"\s*单元")
_DATE = re.compile(r"(19|20)\d\d[-/.．／](0?[1-9]|1[0-2])[-/.．／](0?[1-9]|[12]\d|3[01])")
_ID_BIRTH = re.compile(r"\d{6}(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]")
# Contacts that are not numbers, masked before the numbers are (an e-mail's digits are part of it).
_CONTACTS = [(re.compile(r"[A-Za-z0-9._%+\-]+\s*[@＠]\s*[A-Za-z0-9\-]+(?:\s*[.．]\s*[A-Za-z0-9\-]+)+"), "***"),
             (re.compile(r"wxid_[A-Za-z0-9_\-]+", re.I), "***"),
             (re.compile(r"(微信号?|微信ID|V信|威信|薇信|VX|WX|weixin|wechat)(\s*[:：是为]?\s*)"
                         r"[A-Za-z][A-Za-z0-9_\-]{4,19}(?![A-Za-z0-9_\-])", re.I), r"\1\2***"),
             (re.compile(r"(QQ|扣扣|企鹅)(号码?|号)?(\s*[:：是为]?\s*)\d{5,}", re.I), r"\1\2\3***")]

# Names, as residents give them: after 我叫, 我的名字是 or 联系人 whatever follows; after 我是, 本人 or 叫 only a surname
# and one or two more characters before a pause (我是刘桂芳，), not who they are (我是3号楼的业主, 我是高层住户);
# after a relative, 联系 or 找 (联系我妻子王丽, 找王丽也行) a surname and one or two more; the surname after 姓; a surname
# before a form of address (王阿姨, 李师傅) or after 老 and 小 (老王说). Masking a word too many is the cheaper mistake.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
            "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
            "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂成苗谷盛"
            "曲翁冉骆蓝游辛靳柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏"
            "宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻迟邝")
_COMPOUND = "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐|端木"
_SURNAME = rf"(?:{_COMPOUND}|[{SURNAMES}])"
_ADDRESS = "阿姨|大爷|大妈|大娘|奶奶|爷爷|叔叔|阿婆|老师|师傅|先生|女士|小姐|大姐|大哥|经理|主任|书记|姐|哥|叔|婶|伯|姨"
_RELATIVES = ("妻子|老婆|爱人|太太|媳妇|丈夫|老公|先生|儿子|女儿|儿媳|女婿|母亲|父亲|妈妈|爸爸|老伴|孙子|孙女|哥哥|姐姐"
              "|弟弟|妹妹|家人|家属|亲戚|邻居|朋友")
# Words that begin with a surname's character but name no one: 联系方式, 我老公马上回来, 我是高层住户.
_NOT_A_NAME = "方式|方便|马上|高兴|高层|常常|于是|万一|应该|安全|安排|成功|关门|连续|任何|解决|费用|房子|司机|查看|车位|师傅"
_CJK = "\u4e00-\u9fff"
_PAUSE = r"(?=[\s,，。.!！?？、~～;；:：]|$)"
_NAME = (rf"(?!{_NOT_A_NAME}){_SURNAME}"
         rf"(?:(?!电话|手机|的|在|也|家|住|说|是|和|跟|了|吗|呢|吧|来|去|会|要)[{_CJK}]){{1,2}}")
_NAMES = [(re.compile(rf"(我叫|我的名字[是叫]|名字[是叫]|名叫|叫做|姓名[是为]?|联系人)([:：]?\s*)"
                      rf"(?!了|过|人|物业|他|她|你|电话|手机|方式)(?:(?:{_COMPOUND})[{_CJK}]{{1,2}}|[{_CJK}]{{2,3}})"), r"\1\2***"),
          (re.compile(rf"(我是|本人|叫)(\s*){_SURNAME}(?:{_ADDRESS}|[{_CJK}]{{1,2}}{_PAUSE})"), r"\1\2***"),
          (re.compile(rf"(本人)(\s*){_NAME}(?=住(?!户)|电话|手机|联系)"), r"\1\2***"),
          (re.compile(rf"((?:{_RELATIVES})\s*(?:叫|是)?[:：]?\s*){_NAME}"), r"\1***"),
          (re.compile(rf"(联系|找|打给){_NAME}"), r"\1***"),
          (re.compile(rf"(我姓|本人姓)[{_CJK}]"), r"\1*"),
          (re.compile(rf"(姓\s*[:：]?\s*){_SURNAME}"), r"\1*"),
          (re.compile(rf"{_SURNAME}(?={_ADDRESS})"), "*"),
          (re.compile(rf"(?<=[老小])[{SURNAMES.replace('师', '')}](?=说|家|的|电话|手机|来|[\s,，。.!！?？、~～;；]|$)"), "*")]


def mask_personal(text: str | None) -> str:
    """The text with whatever could name or reach a person masked: names, numbers however written, e-mail, WeChat
    and QQ ids, units and rooms (the building stays, as do ticket numbers, dates, prices and counts)."""
    text = text or ""
    for pattern, replacement in _CONTACTS:
        text = pattern.sub(replacement, text)
    text = _mask_numbers(text)
    for pattern, replacement in _NAMES:
        text = pattern.sub(replacement, text)
    return text


def _digit(char: str) -> str | None:
    """The digit(s) a character stands for: 8, ８, 八, 捌, ⑧ and ⑩ (10); None for anything else."""
    if char in _CHINESE:
        return _CHINESE[char]
    value = unicodedata.digit(char, None)
    if value is not None:
        return str(value)
    value = unicodedata.numeric(char, None) if unicodedata.category(char) == "No" else None
    return str(int(value)) if value is not None and value == int(value) and 10 <= value <= 20 else None


def _runs(text: str):
    """Each number in the text as its groups of digits: [(start, end, digits), …], separators between groups."""
    i, n = 0, len(text)
    while i < n:
        if _digit(text[i]) is None:
            i += 1
            continue
        groups, j = [], i
        while True:
            start, digits = j, []
            while j < n and ((d := _digit(text[j])) is not None or text[j] in _INVISIBLE):
                digits.append(d or "")
                j += 1
            groups.append((start, j, "".join(digits)))
            k, gap = j, 0
            while k < n and (text[k] in _INVISIBLE or (gap < _GAP and text[k] in _SEPARATORS)):
                gap += text[k] not in _INVISIBLE
                k += 1
            if k == j or k == n or _digit(text[k]) is None:
                break
            j = k
        yield groups
        i = j


def _mask_numbers(text: str) -> str:
    """Long numbers (phones, IDs, QQ, bank cards) masked whole, units and rooms masked, the rest kept."""
    spans = [span for groups in _runs(text) for span in _private(text, groups)]
    for start, end in reversed(spans):
        text = f"{text[:start]}***{text[end:]}"
    return text


def _private(text: str, groups: list) -> list[tuple[int, int]]:
    """What to mask of one number: all of it, its unit and room, or nothing (a ticket number, a date, a price)."""
    if _ends_in_a_word(text, groups):
        start, end, digits = groups[-1]
        groups = groups[:-1] if end - start == 1 else groups[:-1] + [(start, end - 1, digits[:-1])]
    start, end, digits = groups[-1]
    first, number = groups[0][0], "".join(g[2] for g in groups)
    if _DATE.fullmatch(_ascii(text[first:end])):
        return []
    if len(number) >= _LONG:
        if all(len(g[2]) == 6 and all(unicodedata.decimal(c, None) is not None for c in text[g[0]:g[1]])
               for g in groups) and not _ID_BIRTH.fullmatch(number):
            return []  # ticket numbers: 100001、100002
        tail = re.match(r"[ \u3000-]?[XxＸｘ×](?![A-Za-z])", text[end:]) if len(number) == 17 else None
        return [(first, end + (tail.end() if tail else 0))]
    if len(groups) == 2 and text[groups[0][1]:groups[1][0]] in ".．":
        return []  # 3.5, 1200.50: a decimal, not a room
    after = text[end:]
    if 1 < len(groups) <= 3 and len(groups[0][2]) <= 3 and not _NOT_ROOM_AFTER.match(after) \
            and all(set(text[a[1]:b[0]]) <= _DASHES | {" "} and set(text[a[1]:b[0]]) & _DASHES
                    for a, b in zip(groups, groups[1:])) \
            and (len(groups) == 3 or 3 <= len(digits) <= 4):
        return [(groups[1][0], end)]  # 5-2-301, 3-502: the building stays
    spans = []
    for index, (start, end, digits) in enumerate(groups):
        following = text[end:]
        if _UNIT_AFTER.match(following):
            spans.append((start - 1 if start and text[start - 1] == "十" else start, end))
        elif (len(digits) >= 3 and _ROOM_AFTER.match(following)) or (
                3 <= len(digits) <= 4 and digits not in _EMERGENCY
                and not (index == len(groups) - 1 and _NOT_ROOM_AFTER.match(following))):
            spans.append((start, end))
    return spans


def _ends_in_a_word(text: str, groups: list) -> bool:
    """100001一直没人管, 1502三天了: one Chinese digit after other digits, opening a word, belongs to the word."""
    end = groups[-1][1]
    before = text[end - 2] if end - 2 >= groups[0][0] else None
    return text[end - 1] in _WORDS and end < len(text) and _is_cjk(text[end]) and before is not None \
        and before not in _WORDS


def _ascii(text: str) -> str:
    return "".join(_digit(c) or c for c in text)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def mask_openid(openid: str | None) -> str:
    """The first four characters and an ellipsis: enough to match log lines, not to message anyone."""
    return f"{openid[:4]}…" if openid else "-"


def mask_phone(text: str) -> str:
    """The text with every phone number cut to its first three and last four digits."""
    return _PHONE.sub(lambda m: f"{m[1]}****{m[2]}" if m[1] else f"{m[3]}-****{m[4]}", text)


def mask_key(key: str) -> str:
    """A message key for a log: `msg:<MsgId>` as it is, the openid inside an event's key masked."""
    kind, _, rest = key.partition(":")
    if kind != "evt":
        return key
    sender, _, tail = rest.partition(":")
    return f"evt:{mask_openid(sender)}:{tail}"
