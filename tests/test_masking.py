"""What leaves the system about a person is masked: numbers however written, names however given, units and rooms.

Generated: a phone, ID, QQ or bank card number in any mix of digit styles and separators, in Chinese words around
it, leaves no seven of its digits in a row; a name in any usual introduction is gone. Through the app: Open311 in
tests/test_open311.py, unsubscribing in tests/test_privacy.py.
"""
import os
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.privacy import mask_personal

STYLES = {
    "ascii": "0123456789", "wide": "０１２３４５６７８９", "chinese": "〇一二三四五六七八九", "zero": "零一二三四五六七八九",
    "yao": "〇幺二三四五六七八九", "capital": "零壹贰叁肆伍陆柒捌玖", "circled": "⓪①②③④⑤⑥⑦⑧⑨",
    "parenthesized": "⓪⑴⑵⑶⑷⑸⑹⑺⑻⑼", "bold": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗", "superscript": "⁰¹²³⁴⁵⁶⁷⁸⁹",
    "keycap": [f"{d}\ufe0f\u20e3" for d in "0123456789"],
}
SEPARATORS = [" ", "  ", "-", " - ", ".", "·", "/", ",", "，", "、", "　", "—", "(", ")", "（", "）", "\u00a0", "\n",
              "\u200b"]
# Words around the number, with the digits that open words (一直, 三天) and the signs of a building or room.
WORDS = st.text(alphabet="电话手机号码联系我家楼道灯坏了漏水一直三天号楼室单元，。：:！？ abcXyz的是在找物业", max_size=12)
PROBLEMS = ["楼道灯坏了", "楼顶漏水", "电梯又停了", "下水道堵了", "垃圾没人收"]
EXAMPLES = int(os.environ.get("MINHU_MASKING_EXAMPLES", "400"))  # more for a deeper search
DIGITS_BACK = {c[0]: str(i) for style in STYLES.values() for i, c in enumerate(style)}
DROPPED = set("".join(SEPARATORS)) | {"\ufe0f", "\u20e3"}


def digits_of(text: str) -> str:
    """Every digit in the text, however written, as ASCII, separators between them dropped."""
    out = []
    for char in text:
        digit = DIGITS_BACK.get(char)
        if digit is None and unicodedata.digit(char, None) is not None:
            digit = str(unicodedata.digit(char))
        out.append(digit if digit is not None else ("" if char in DROPPED else "|"))
    return "".join(out)


def digits(n: int):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


def numbers():
    """A mobile (+86 or not), a landline with its area code, an ID (18 with X, or 15), a QQ or a bank card number."""
    mobile = st.tuples(st.sampled_from(["", "86"]), st.sampled_from("3456789"), digits(9)).map(
        lambda t: (t[0] + "1" + t[1] + t[2], "1" + t[1] + t[2]))
    landline = st.tuples(st.sampled_from("123456789"), st.text("0123456789", min_size=1, max_size=2),
                         st.sampled_from("2345678"), st.text("0123456789", min_size=6, max_size=7)).map(
        lambda t: "0" + "".join(t))
    born = st.dates(date(1930, 1, 1), date(2015, 12, 31)).map(lambda d: d.strftime("%Y%m%d"))
    identity = st.tuples(digits(6), born, digits(3), st.sampled_from("0123456789X")).map("".join)
    others = st.one_of(digits(15), st.tuples(st.sampled_from("123456789"), digits(8)).map("".join),
                       st.text("0123456789", min_size=14, max_size=17).map(lambda d: "62" + d))
    return st.one_of(mobile, st.one_of(landline, identity, others).map(lambda n: (n, n)))


@st.composite
def rendered(draw, number: str) -> str:
    """The number as a resident might type it: each digit in its own style or all in one, separators anywhere."""
    one_style = draw(st.sampled_from([None, *STYLES]))
    styles = draw(st.lists(st.sampled_from(list(STYLES)), min_size=len(number), max_size=len(number)))
    gaps = draw(st.lists(st.sampled_from(["", "", "", *SEPARATORS]), min_size=len(number), max_size=len(number)))
    out = []
    for char, style, gap in zip(number, styles, gaps):
        out.append(gap if out else "")
        out.append(char if char == "X" else STYLES[one_style or style][int(char)])
    return "".join(out)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(st.data())
def test_a_number_however_written_leaves_no_seven_of_its_digits_in_a_row(data):
    said, number = data.draw(numbers())
    text = data.draw(WORDS) + ("+" if said != number else "") + data.draw(rendered(said)) + data.draw(WORDS)
    masked = mask_personal(text)
    kept = digits_of(masked)
    digits = number.rstrip("X")
    leaked = [digits[i:i + 7] for i in range(len(digits) - 6) if digits[i:i + 7] in kept]
    assert not leaked, (text, masked)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "桂芳丽强伟敏静秀英华明军建国平红霞玉兰淑珍志刚海燕春梅晓东杰磊鹏飞雪琴莉娜涛斌勇浩宇欣怡涵佳琪"
INTRODUCTIONS = ["我叫{}", "我的名字是{}", "我的名字叫{}", "名字叫{}", "本人{}", "我是{}", "联系人{}", "联系人：{}",
                 "姓名：{}", "联系我妻子{}", "找我老公{}", "我儿子{}", "联系我女儿{}", "我母亲叫{}", "我爱人是{}",
                 "联系{}", "找{}"]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(surname=st.sampled_from([*SURNAMES, "欧阳", "司马", "诸葛"]),
       given_name=st.text(alphabet=GIVEN, min_size=1, max_size=2),
       introduction=st.sampled_from(INTRODUCTIONS), before=st.sampled_from(["", *PROBLEMS]),
       pause=st.sampled_from(["，", "。", " ", "！", ""]), after=st.sampled_from(PROBLEMS))
def test_a_name_given_in_a_usual_way_is_gone_and_the_problem_stays(surname, given_name, introduction, before,
                                                                     pause, after):
    name = surname + given_name
    said = (before + "，" if before else "") + introduction.format(name) + (pause or "，") + after
    masked = mask_personal(said)
    assert name not in masked and given_name not in masked, (said, masked)
    assert after in masked and (not before or before in masked), (said, masked)


@pytest.mark.parametrize("said, masked", [
    # The examples.
    ("我的名字是刘桂芳，楼道灯坏了", "我的名字是***，楼道灯坏了"),
    ("本人刘桂芳，3号楼楼顶漏水", "本人***，3号楼楼顶漏水"),
    ("本人刘强住3号楼", "本人***住3号楼"),
    ("白天没人，联系我妻子王丽", "白天没人，联系我妻子***"),
    ("电话 138　12　34　56　78", "电话 ***"),
    ("电话壹叁捌壹贰叁肆伍陆柒捌", "电话***"),
    ("电话①③⑧①②③④⑤⑥⑦⑧", "电话***"),
    ("电话13八1二3四5六7八，谢谢", "电话***，谢谢"),
    ("3栋502号卫生间漏水", "3栋***号卫生间漏水"),
    ("加我微信 wxid_k2l9x0qq31", "加我微信 ***"),
    ("电话一三八一二三四五六七八", "电话***"),
    ("也可以打(139)8765.4321", "也可以打(***"),
    ("身份证 1101 0519 4912 3100 2X", "身份证 ***"),
    # Other ways of reaching or placing someone.
    ("+86 138-1234-5678", "+***"), ("座机(010)6234-5678", "座机(***"), ("１３８１２３４５６７８", "***"),
    ("微信号：wang_ayi88，QQ 12345", "微信号：***，QQ ***"), ("邮箱 wang.ayi@example.com", "邮箱 ***"),
    ("5-2-301门口的灯坏了", "5-***门口的灯坏了"), ("3号楼2单元501室", "3号楼***单元***室"),
    ("十二单元门坏了", "***单元门坏了"), ("五零一的水管漏了", "***的水管漏了"), ("我家楼上602天天渗水", "我家楼上***天天渗水"),
    ("1502一直漏水", "***一直漏水"), ("13812345678一直打不通", "***一直打不通"),
    ("我叫刘桂芳", "我叫***"), ("我姓赵", "我姓*"), ("王阿姨和李师傅说修好了", "*阿姨和*师傅说修好了"),
    ("老王说过几天来修", "老*说过几天来修"), ("找王丽也行", "找***也行"), ("我老婆姓张", "我老婆姓*"),
    ("我叫欧阳娜娜，住3号楼", "我叫***，住3号楼"), ("电话1️⃣3️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", "电话***"), ("138\n1234\n5678", "***"),
])
def test_what_is_masked(said, masked):
    assert mask_personal(said) == masked


@pytest.mark.parametrize("said", [
    "工单100001一直没人管", "100001、100002都没人来", "2024-05-01停水了", "2023.5.1开始的", "交了1200.50元物业费",
    "已经打了110", "等了120多天", "2023年就报过", "楼道灯坏了三天", "家里三室一厅", "楼上三户都漏", "施工噪音太大",
    "我是3号楼的业主，楼顶漏水", "我是高层住户，水压太低", "我是楼上的住户", "联系方式在后台", "老毛病了",
    "我老公马上回来", "10号楼楼顶漏水", "3楼到5楼的灯都不亮", "水费涨到了3.5元一吨", "12345热线也打了",
])
def test_what_is_kept(said):
    assert mask_personal(said) == said
