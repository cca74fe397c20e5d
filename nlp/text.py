"""Normalise a resident's message: traditional to simplified, full-width to ASCII, common slips fixed."""

import functools
import re
import unicodedata

import opencc


@functools.cache
def _t2s():
    return opencc.OpenCC("t2s")


# OpenCC keeps 著 (著火, 睡不著); in complaints it is almost always 着, except in 著名/著作/显著.
_ZHE = re.compile(r"(?<!显)著(?![名作称述])")

# Dictation homophones and frequent typos, fixed before anything reads the text.
SLIPS = {
    "楼到": "楼道", "冲电": "充电", "拉圾": "垃圾", "燥音": "噪音", "物叶": "物业", "物页": "物业",
    "下水到": "下水道", "然气": "燃气", "电平车": "电瓶车", "露雨": "漏雨", "装休": "装修",
    "电题": "电梯", "井改": "井盖", "路登": "路灯", "慎水": "渗水", "消房": "消防", "坏啦": "坏了",
    "电涕": "电梯", "漏睡": "漏水", "楼倒": "楼道", "拉级": "垃圾", "煤汽": "煤气", "燃汽": "燃气",
    "天燃气": "天然气", "化粪吃": "化粪池", "下水管到": "下水管道", "声空灯": "声控灯",
    "煤起": "煤气", "煤器": "煤气", "燃起味": "燃气味", "燃起的味": "燃气的味", "燃起泄": "燃气泄", "燃起表": "燃气表",
    "电提": "电梯", "着货": "着火", "井该": "井盖", "主干到": "主干道", "冒黑眼": "冒黑烟", "漏谁": "漏水", "留血": "流血", "人水倒": "人摔倒", "蟹蟹": "谢谢",
    "灭火气": "灭火器", "液化器": "液化气", "液化汽": "液化气", "着伙": "着火", "露电": "漏电", "流雪": "流血",
}
# 燃气 as dictation writes it (然起, 燃起, 然汽, 燃器): only before what gas has (a smell, a leak, a meter, a stove),
# and never where 然 ends a word of its own (突然起火, 虽然起晚了, 突然汽车冲过来).
_GAS_SLIP = re.compile(r"(?<![突虽忽竟既仍当自果依显偶居固悄安猛断骤毅全俨茫坦欣公决截了])(天)?[然燃][起汽器]"
                       r"(?=(的)?(味|泄|漏|表|灶|管|罐|阀|总阀|报警|公司|费|卡|嘶))")
# Idioms whose danger word is a figure of speech (temper, a busy shop, irritation, being furious, a smoker's habit),
# said in plain words before the urgency rules and the models read them: "他火气很大" tells no fire.
IDIOMS = {
    "火气": "脾气", "发火": "发脾气", "恼火": "恼怒", "窝火": "憋气", "冒火": "生气", "火冒三丈": "大怒", "肝火": "脾气",
    "上火": "心烦", "火爆": "热闹", "红火": "兴旺", "火急火燎": "着急", "十万火急": "很急",
    "气炸": "气坏", "炸毛": "急眼", "炸锅": "吵翻", "烟瘾": "抽烟瘾", "烟火气": "人气",
}
# The same figures said around the danger word: a dry throat or anger that "smokes" (嗓子喊冒烟, 气得冒烟), a
# heart "on fire" (心里跟着了火似的).
FIGURES = [
    (re.compile(r"(嗓子|喉咙|气得|热得|渴得|急得|晒得|头顶|脑门|脑袋|嘴)([^,，。!！?？\s]{0,3}?)冒烟"), r"\1\2难受"),
    (re.compile(r"(心里|心|急得|气得)([^,，。!！?？\s]{0,2}?)(着了火|着火)(似的|一样|一般)"), r"\1\2着急"),
    # Mars, as sarcasm about a slow repair ("师傅是从火星赶过来的吗", "火星人都比你们快"), never sparks.
    (re.compile(r"(?<=[从去自])火星|(?<![冒溅迸出有])火星(?=人|上|赶|回|取|出发)"), "外星"),
    # The sky falling, as dismay ("天塌了，车位又被占了", "我的天都塌了"), never a day's collapse (昨天塌了个坑).
    (re.compile(r"(?:^|(?<=[的我了啊呀真，,!！。\s]))天(都|也|要|快|真的?|简直)?塌(了|下来了)"), "天哪"),
]
# Emoji that stand for the thing itself ("🚗🚗堵门口了"); faces and the rest are left as they are.
EMOJI = {"🚗": "车", "🚙": "车", "🚕": "车", "🚘": "车", "🚖": "车", "🚐": "车", "🛵": "电动车", "🛴": "电动车",
         "💡": "灯", "💧": "水", "💦": "水", "🌊": "水", "🔥": "火", "🗑": "垃圾", "🐕": "狗", "🐶": "狗", "🐩": "狗",
         "🛗": "电梯", "🌳": "树", "🌲": "树", "💩": "屎", "🔊": "吵", "📢": "吵"}
_EMOJI = re.compile("|".join(map(re.escape, EMOJI)))
_SLIPS = re.compile("|".join(sorted(map(re.escape, SLIPS), key=len, reverse=True)))
# 冒火 only as anger ("气得冒火", "心里冒火"), never a flame or a spark (冒火花, 冒火星, 插座冒火).
_IDIOMS = re.compile("|".join(sorted((re.escape(w) for w in IDIOMS if w != "冒火"), key=len, reverse=True))
                     + r"|(?<=[气得心里])冒火(?![花星光苗])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\ufeff]")
_SPACES = re.compile(r"\s+")


def _closed_up(text):
    """A message typed one character at a time with a space after each ("厨 房 有 煤 气 味"), closed up where two
    single characters meet; any other text as it is (a space there may end a clause: "楼顶漏水 电梯坏了")."""
    words = text.split()
    if len(words) < 4 or sum(len(word) == 1 for word in words) < 0.6 * len(words):
        return text
    out = words[0]
    for before, word in zip(words, words[1:]):
        out += word if len(before) == 1 and len(word) == 1 else " " + word
    return out


def normalize(text, max_chars=400):
    """Return the message in the form every reader below expects."""
    text = text[:max_chars]
    text = unicodedata.normalize("NFKC", text)  # full-width digits, letters and punctuation
    text = _CONTROL.sub(" ", text)
    if " " in text:
        text = _closed_up(text)
    text = _EMOJI.sub(lambda m: EMOJI[m.group(0)], text)
    text = _t2s().convert(text)
    text = _ZHE.sub("着", text)
    text = _SLIPS.sub(lambda m: SLIPS[m.group(0)], text)
    if "然" in text or "燃" in text:
        text = _GAS_SLIP.sub(lambda m: "天然气" if m.group(1) else "燃气", text)
    text = _IDIOMS.sub(lambda m: IDIOMS[m.group(0)], text)
    if "烟" in text or "火" in text or "塌" in text:
        for pattern, plain in FIGURES:
            text = pattern.sub(plain, text)
    text = _SPACES.sub(" ", text).strip()
    return text.lower()
