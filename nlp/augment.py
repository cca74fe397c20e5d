"""Augmented training lines, made at training time from the written ones (never stored, never counted as written).

Voice dictation and pinyin input swap a character for one that sounds alike (楼到 for 楼道, 路登 for 路灯):
nlp/text.py mends the frequent slips; these copies teach the models the rest. Each copy keeps its line's labels.
"""

import random

SEED = 20250701
SHARE = 0.25  # of the written lines get one copy
# Characters and what dictation or pinyin input often gives instead (same or near sound).
SOUNDS = {
    "灯": "登等", "道": "到倒", "漏": "露楼", "修": "休秀", "电": "店点", "梯": "题体", "坏": "怀",
    "水": "睡税", "管": "馆关", "堵": "赌睹", "停": "亭庭", "车": "彻", "楼": "搂娄", "垃": "拉", "圾": "级鸡",
    "噪": "燥躁", "响": "想向", "吵": "炒", "墙": "强", "树": "数", "物": "务", "业": "页叶", "费": "废",
    "井": "景", "盖": "改", "气": "器汽", "煤": "梅没", "味": "未为", "烟": "燕", "火": "伙", "困": "捆",
    "充": "冲", "桩": "装", "瓶": "平", "臭": "丑", "脏": "葬", "暗": "按案", "亮": "量", "黑": "嘿",
    "再": "在", "在": "再", "的": "得地", "没": "美", "好": "号", "天": "添", "门": "们", "锁": "所",
}


def augmented(rows, share=SHARE, seed=SEED):
    """Copies of some lines with one or two characters swapped for a homophone, labelled as their lines."""
    rng = random.Random(seed)
    out = []
    for row in rows:
        if rng.random() >= share:
            continue
        text = row["text"]
        places = [i for i, ch in enumerate(text) if ch in SOUNDS]
        if not places:
            continue
        chars = list(text)
        for i in rng.sample(places, min(len(places), rng.choice((1, 1, 2)))):
            chars[i] = rng.choice(SOUNDS[chars[i]])
        copy = "".join(chars)
        if copy != text:
            out.append(dict(row, text=copy, source=row["source"] + "+homophones", augmented=True))
    return out
