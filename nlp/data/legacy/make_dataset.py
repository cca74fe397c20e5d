"""Build the first labelled data set (2024): nlp/data/corpus/legacy_{train,heldout,fresh}.jsonl.

Run: python nlp/data/legacy/make_dataset.py
Base sentences are split into train and held-out *before* augmentation, so the held-out
split contains wordings the model never saw, not just new fills of the same sentence.
"""

import json
import random
import sys
from pathlib import Path

import opencc

sys.path.insert(0, str(Path(__file__).parent))
from sentences import ADDRESSED, COMPLAINTS, NUMBERS_NOT_ADDRESS, OTHER_INTENTS  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEED = 20240601
HELDOUT_SHARE = 0.25

CN = "零一二三四五六七八九"
S2T = opencc.OpenCC("s2t")

NEGATIONS = [
    ("电梯没困人，就是门老关不上", "elevator", False),
    ("不是煤气味，是楼下垃圾桶的臭味", "sanitation", False),
    ("没有漏气，就是燃气表不走了", "gas", False),
    ("没着火，就是楼道里烧纸的烟味", "safety", False),
    ("路灯不是不亮，是亮了一整天都不关", "lighting", False),
    ("不是停水，是水压太低了", "water_supply", False),
    ("昨天电梯困了个人，已经救出来了，但是电梯还是坏的", "elevator", False),
    ("前天井盖丢了，今天已经补上了，但是旁边路面还是坑", "facilities", False),
    ("上个月楼道着过一次火，现在灭火器还没补", "safety", False),
    ("刚才电梯把人困住了，到现在还没出来 #U", "elevator", True),
    ("昨天开始就有煤气味，现在越来越浓 #U", "gas", True),
    ("不是漏水，是下水道堵了往上冒", "drainage", False),
    ("车不是我的，有人停在我的车位上了", "parking", False),
    ("井盖没盖好，不是丢了，就是有点响", "facilities", False),
    ("没有人被困，电梯就是一直停着不动", "elevator", False),
]

HOMOPHONES = [("楼道", "楼到"), ("充电", "冲电"), ("垃圾", "拉圾"), ("噪音", "燥音"), ("物业", "物叶"),
              ("下水道", "下水到"), ("燃气", "然气"), ("电瓶车", "电平车"), ("漏雨", "露雨"),
              ("装修", "装休"), ("电梯", "电题"), ("井盖", "井改"), ("坏了", "坏啦"), ("路灯", "路登"),
              ("修", "休"), ("渗水", "慎水"), ("消防", "消房"), ("一直", "一只"), ("没人", "美人")]
EMOJI = ["😡", "😤", "🙏", "😭", "💦", "🔥", "⚡", "👍", "😱", "🤬", "😩", "‼️"]
DIALECT_PRE = ["咋整啊，", "侬好，", "俺家这边", "我跟你讲，", "哎呀妈呀，", "老铁，", "师傅，"]
DIALECT_POST = ["，咋整啊", "，啥时候能来修", "，侬帮帮忙", "，晓得伐", "，中不中啊", "，整得人贼闹心",
                "，咋回事嘛", "，撒时候来人哦", "，搞快点噻"]
POLITE_PRE = ["您好，我想反映一个问题：", "你好，麻烦反映一下，", "社区领导好，", "网格员你好，",
              "打扰一下，", "您好！"]
POLITE_POST = ["，麻烦尽快处理，谢谢！", "，希望尽快解决。", "，辛苦了。", "，谢谢！", "，盼复。"]
ANGRY_POST = ["！！！", "!!!", "，到底有没有人管！！", "，还管不管了？！", "，气死了！", "，投诉多少次了！"]
ELDERLY_PRE = ["我是老年人，", "我七十多了，", "家里就我和老伴，"]
URGENT_POST = ["，快来人！", "，救命啊", "，赶紧派人！", "，太危险了快来"]


def cn_digits(n):
    return "".join(CN[int(c)] for c in str(n))


def cn_number(n):
    if n < 10:
        return CN[n]
    if n < 20:
        return "十" + (CN[n % 10] if n % 10 else "")
    return CN[n // 10] + "十" + (CN[n % 10] if n % 10 else "")


def room_number(rng):
    return str(rng.randint(1, 26)) + f"{rng.randint(1, 4):02d}"


def address(rng):
    """Return (text, building, unit, room) in one of many formats a resident uses."""
    b = rng.randint(1, 30)
    u = rng.randint(1, 6)
    r = room_number(rng)
    kind = rng.randrange(22)
    if kind == 0:
        return f"{b}号楼", str(b), None, None
    if kind == 1:
        return f"{cn_number(b)}号楼", str(b), None, None
    if kind == 2:
        return f"{b}栋{u}单元", str(b), str(u), None
    if kind == 3:
        return f"{cn_number(b)}栋{cn_number(u)}单元", str(b), str(u), None
    if kind == 4:
        return f"{b}-{u}-{r}", str(b), str(u), r
    if kind == 5:
        return f"{b}号楼{u}单元{r}室", str(b), str(u), r
    if kind == 6:
        return f"{b}幢", str(b), None, None
    if kind == 7:
        letter = rng.choice("ABCDE")
        return f"{letter}座", letter, None, None
    if kind == 8:
        letter = rng.choice("ABCD")
        return f"{letter}座{r}", letter, None, r
    if kind == 9:
        return f"{cn_number(b)}号楼{cn_number(u)}单元{cn_digits(r)}", str(b), str(u), r
    if kind == 10:
        return f"{b}栋{r}", str(b), None, r
    if kind == 11:
        return f"{b}号楼{u}单元", str(b), str(u), None
    if kind == 12:
        return f"{b}栋{u}单元{r}", str(b), str(u), r
    if kind == 13:
        return f"{cn_number(b)}栋", str(b), None, None
    if kind == 14:
        return f"{b}#{u}-{r}", str(b), str(u), r
    if kind == 15:
        return f"{b}号{u}单元{r}", str(b), str(u), r
    if kind == 16:
        return f"{b} 栋 {u} 单元 {r} 室", str(b), str(u), r
    if kind == 17:
        return f"{b}号楼{cn_number(u)}单元{r}", str(b), str(u), r
    if kind == 18:
        return f"{b}幢{u}单元{r}室", str(b), str(u), r
    if kind == 19:
        return f"{u}单元", None, str(u), None
    if kind == 20:
        return f"{r}室", None, None, r
    return f"{b}栋{u}-{r}", str(b), str(u), r


def place(text, rng):
    """Put an address into a complaint and return (text, location)."""
    a, b, u, r = address(rng)
    style = rng.randrange(6)
    if style == 0:
        text = f"{a}{text}"
    elif style == 1:
        text = f"我家住{a}，{text}"
    elif style == 2:
        text = f"{text}，地址{a}"
    elif style == 3:
        text = f"{a}的，{text}"
    elif style == 4:
        text = f"我是{a}的住户，{text}"
    else:
        text = f"{text}（{a}）"
    return text, {"building": b, "unit": u, "room": r}


def dictation(text, rng):
    for right, wrong in HOMOPHONES:
        if right in text and rng.random() < 0.7:
            text = text.replace(right, wrong)
    for p in "，。！？!?、；：（）":
        text = text.replace(p, "")
    return text


def restyle(text, rng, urgent):
    """Apply one of the styles residents write in."""
    style = rng.randrange(11)
    if style == 0:
        return dictation(text, rng)
    if style == 1:
        return S2T.convert(text)
    if style == 2:
        return text + rng.choice(EMOJI) * rng.randint(1, 3)
    if style == 3:
        return rng.choice(DIALECT_PRE) + text if rng.random() < 0.4 else text + rng.choice(DIALECT_POST)
    if style == 4:
        return rng.choice(POLITE_PRE) + text + rng.choice(POLITE_POST)
    if style == 5:
        return text + rng.choice(ANGRY_POST)
    if style == 6:
        return rng.choice(ELDERLY_PRE) + text
    if style == 7 and urgent:
        return text + rng.choice(URGENT_POST)
    if style == 8:
        return text.replace("，", " ").replace("。", "")
    return text


def parse_lines(block):
    return [line.strip() for line in block.strip().splitlines() if line.strip()]


def none_location():
    return {"building": None, "unit": None, "room": None}


def row(text, intent, category, urgent, location=None):
    return {"text": text, "intent": intent, "category": category, "urgent": urgent,
            "location": location or none_location()}


def complaint_rows(base, category, urgent, rng, copies):
    out = [row(base, "complaint", category, urgent)]
    for _ in range(copies):
        text, loc = base, none_location()
        if rng.random() < 0.5:
            text, loc = place(text, rng)
        out.append(row(restyle(text, rng, urgent), "complaint", category, urgent, loc))
    return out


def build():
    rng = random.Random(SEED)
    bases = []  # (kind, payload)
    for category, block in COMPLAINTS.items():
        for line in parse_lines(block):
            urgent = line.endswith("#U")
            bases.append(("complaint", (line.removesuffix("#U").strip(), category, urgent)))
    for text, category, urgent in NEGATIONS:
        bases.append(("fixed", row(text.removesuffix("#U").strip(), "complaint", category, urgent)))
    for line in parse_lines(ADDRESSED):
        body, category, loc = line.split("@")
        urgent = body.strip().endswith("#U")
        b, u, r = (None if x == "-" else x for x in loc.split("/"))
        bases.append(("fixed", row(body.removesuffix(" #U").strip().removesuffix("#U").strip(), "complaint",
                                   category, urgent, {"building": b, "unit": u, "room": r})))
    for line in parse_lines(NUMBERS_NOT_ADDRESS):
        body, category = line.split("@")
        body = body.strip()
        urgent = body.endswith("#U")
        bases.append(("fixed", row(body.removesuffix("#U").strip(), "complaint", category, urgent)))
    for intent, block in OTHER_INTENTS.items():
        for line in parse_lines(block):
            bases.append(("other", (line, intent)))

    rng.shuffle(bases)
    train, heldout = [], []
    for i, (kind, payload) in enumerate(bases):
        target = heldout if rng.random() < HELDOUT_SHARE else train
        if kind == "complaint":
            text, category, urgent = payload
            target.extend(complaint_rows(text, category, urgent, rng, copies=2))
        elif kind == "fixed":
            target.append(payload)
            variant = dict(payload, text=restyle(payload["text"], rng, payload["urgent"]))
            if variant["text"] != payload["text"]:
                target.append(variant)
        else:
            text, intent = payload
            target.append(row(text, intent, None, False))
            variant = restyle(text, rng, False) if rng.random() < 0.6 else None
            if variant and variant != text and rng.random() < 0.5:
                target.append(row(S2T.convert(text) if rng.random() < 0.5 else text + rng.choice(EMOJI),
                                  intent, None, False))
    return dedupe(train), dedupe(heldout)


def dedupe(rows):
    seen, out = set(), []
    for r in rows:
        if r["text"] not in seen:
            seen.add(r["text"])
            out.append(r)
    return out


def build_fresh():
    """Read fresh_source.txt: messages written apart from sentences.py, a second held-out set."""
    rows = []
    for line in (Path(__file__).parent / "fresh_source.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, label, flag, loc = ([p.strip() for p in line.split("|")] + ["", ""])[:4]
        b, u, r = (None if x == "-" else x for x in loc.split("/")) if loc else (None, None, None)
        intent = label if label in OTHER_INTENTS else "complaint"
        rows.append(row(text, intent, label if intent == "complaint" else None, flag == "U",
                        {"building": b, "unit": u, "room": r}))
    return rows


def tagged(rows, source):
    return [dict(r, source=source) for r in rows]


def write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    train, heldout = build()
    write(CORPUS / "legacy_train.jsonl", tagged(train, "legacy:sentences-templated"))
    write(CORPUS / "legacy_heldout.jsonl", tagged(heldout, "legacy:sentences-templated-heldout"))
    fresh = build_fresh()
    write(CORPUS / "legacy_fresh.jsonl", tagged(fresh, "legacy:fresh-phrasings"))
    print(f"train {len(train)}  heldout {len(heldout)}  fresh {len(fresh)}")
