"""Train the intent and category models from nlp/data/train.jsonl and write nlp/data/model.json.

Run: python -m nlp.train          (rebuild the artefact; needs scikit-learn)
     python -m nlp.train --check  (fail when model.json no longer matches its training data)
"""

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

from . import lexicon
from .model import features
from .segment import BASE_DICT, DATA, USER_DICT, build_tokenizer
from .text import normalize

TRAIN = DATA / "train.jsonl"
MODEL = DATA / "model.json"
SEED = 7
BASE_MIN_FREQ = 50

# Domain words every segmentation must keep whole, beyond the category keywords.
DOMAIN_WORDS = """楼道 单元 单元门 飞线充电 飞线 井盖 窨井盖 化粪池 下水道 下水管 雨水井 声控灯 感应灯 楼道灯 路灯 电瓶车 电动车
充电桩 物业费 维修基金 业委会 网格员 楼栋长 高空抛物 消防通道 消防栓 灭火器 小广告 广场舞 二次供水 加压泵 燃气表 燃气管
天然气 臭鸡蛋味 僵尸车 地锁 道闸 门禁 健身器材 闭门器 绿化带 毛毛虫 马蜂窝 群租房 私搭乱建 违建 滴答滴答 黑漆漆 黑乎乎
咋整 啥时候 咋回事 漏水 渗水 漏雨 停水 没水 水压 堵了 困人 被困 冒烟 着火 起火 电线裸露 返水 返潮 吊顶 天花板""".split()


def digest():
    """Fingerprint of everything the artefact is built from."""
    h = hashlib.sha256()
    for path in (TRAIN, BASE_DICT, USER_DICT):
        h.update(path.read_bytes())
    h.update(json.dumps(lexicon.CATEGORY_KEYWORDS, ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


def write_dictionaries():
    """Trim jieba's dictionary to frequent words and write the domain user dictionary."""
    import jieba

    source = Path(jieba.__file__).parent / "dict.txt"
    lines = [l for l in source.read_text(encoding="utf-8").splitlines() if int(l.split()[1]) >= BASE_MIN_FREQ]
    BASE_DICT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    words = set(DOMAIN_WORDS)
    for levels in lexicon.CATEGORY_KEYWORDS.values():
        for level, block in levels.items():
            words.update(w for w in block.split() if len(w) > 1 and level >= 2)
    USER_DICT.write_text("".join(f"{w} 2000 n\n" for w in sorted(words)), encoding="utf-8")


def load_rows(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def featurize(rows, tokenizer):
    out = []
    for r in rows:
        text = normalize(r["text"])
        out.append(features(text, tokenizer.lcut(text)))
    return out


def fit(docs, labels, c):
    """Fit TF-IDF + logistic regression and return the exported plain-Python model."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=1)
    x = vectorizer.fit_transform(docs)
    clf = LogisticRegression(C=c, max_iter=5000, random_state=SEED, class_weight="balanced")
    clf.fit(x, labels)
    coef = clf.coef_ if len(clf.classes_) > 2 else [[-w for w in clf.coef_[0]], list(clf.coef_[0])]
    vocab = vectorizer.vocabulary_
    idf = {f: round(float(vectorizer.idf_[i]), 4) for f, i in vocab.items()}
    weights = {f: [round(float(coef[k][i]), 4) for k in range(len(clf.classes_))] for f, i in vocab.items()}
    keep = {f for f, w in weights.items() if max(abs(v) for v in w) >= 1e-3}
    intercepts = [float(b) for b in clf.intercept_] if len(clf.classes_) > 2 else [0.0, float(clf.intercept_[0])]
    return {"classes": [str(c) for c in clf.classes_], "idf": {f: idf[f] for f in keep},
            "weights": {f: weights[f] for f in keep}, "intercepts": intercepts}


def train(c_intent=10.0, c_category=10.0):
    rows = load_rows(TRAIN)
    tokenizer = build_tokenizer()
    docs = featurize(rows, tokenizer)
    intent = fit(docs, [r["intent"] for r in rows], c_intent)
    complaints = [(d, r["category"]) for d, r in zip(docs, rows) if r["intent"] == "complaint"]
    category = fit([d for d, _ in complaints], [c for _, c in complaints], c_category)
    return {"digest": digest(), "intent": intent, "category": category}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify model.json matches its inputs")
    parser.add_argument("--dictionaries", action="store_true", help="also rewrite the jieba dictionaries")
    args = parser.parse_args(argv)
    if args.check:
        stored = json.loads(MODEL.read_text(encoding="utf-8"))["digest"]
        if stored != digest():
            print("model.json is stale: run python -m nlp.train", file=sys.stderr)
            return 1
        print("model.json matches its training data")
        return 0
    if args.dictionaries or not BASE_DICT.exists():
        write_dictionaries()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    model = train()
    MODEL.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {MODEL} ({MODEL.stat().st_size // 1024} KiB, {len(model['category']['idf'])} category features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
