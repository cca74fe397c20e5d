"""What may be written to a log about a person: openids and phone numbers only in masked form."""
from __future__ import annotations

import re

# Mainland mobiles (138 1234 5678, +86 too) and landlines with an area code (010-12345678).
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)"
                    r"|(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)")


# What reaches a person, however it is written: mobiles with spaces or dashes (138 1234 5678, +86 too), landlines
# (010-6234 5678), ID card numbers (18 digits or 17 and X, or the old 15), e-mail addresses, and any other run of
# nine or more digits (a QQ or bank card number). Ticket numbers (six digits) and room numbers stay.
_REACHES = [re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9](?:[- ]?\d){9}(?!\d)"),
            re.compile(r"(?<!\d)\d{6}[- ]?(?:18|19|20)\d{2}[- ]?\d{4}[- ]?\d{3}[\dXx](?![\dA-Za-z])"),
            re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{3,4}[- ]?\d{4}(?!\d)"),
            re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
            re.compile(r"(?<!\d)\d{9,}[Xx]?(?!\d)")]


# Names, as residents give them: after 我叫 or 联系人 whatever follows; after 我是 only a surname and one or two more
# characters before a pause (我是刘桂芳，), not who they are (我是3号楼的业主, 我是高层住户); 我姓刘; and a surname
# before a form of address (王阿姨, 李经理). Masking a word too many is the cheaper mistake.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
            "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
            "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂成苗谷盛"
            "曲翁冉骆蓝游辛靳柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏"
            "宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻迟邝")
_ADDRESS = "阿姨|大爷|大妈|大娘|奶奶|爷爷|叔叔|阿婆|老师|师傅|先生|女士|小姐|大姐|大哥|经理|主任|书记"
_CJK = "\u4e00-\u9fff"
_NAMES = [(re.compile(rf"(我叫|名叫|叫做|姓名|联系人)([:：]?\s*)[{_CJK}]{{2,3}}"), r"\1\2***"),
          (re.compile(rf"(我是)(\s*)[{SURNAMES}](?:{_ADDRESS}|[{_CJK}]{{1,2}}(?=[\s,，。.!！?？、~～]|$))"), r"\1\2***"),
          (re.compile(rf"(我姓)[{_CJK}]"), r"\1*"),
          (re.compile(rf"[{SURNAMES}](?={_ADDRESS})"), "*")]


def strip_contacts(text: str | None) -> str:
    """The text without phone, ID card or other long numbers and e-mail addresses (each becomes ***)."""
    text = text or ""
    for pattern in _REACHES:
        text = pattern.sub("***", text)
    return text


def strip_names(text: str | None) -> str:
    """The text with the names a resident gives of themself or others masked."""
    text = text or ""
    for pattern, replacement in _NAMES:
        text = pattern.sub(replacement, text)
    return text


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
