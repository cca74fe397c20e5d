"""A linear text classifier over character and word n-grams, scored in pure Python (no scikit-learn at run time)."""

import functools
import json
import math
import re
from pathlib import Path

_DROP = re.compile(r"[^\w\u4e00-\u9fff]+")
_DIGITS = re.compile(r"\d+")


def clean(text):
    """The message as its character grams are taken: no punctuation or spaces, every number as 0."""
    return _DIGITS.sub("0", _DROP.sub("", text))


def features(text, words):
    """Character 1-3 grams and jieba words of a normalised message; the same function trains and predicts."""
    return features_of(clean(text), words)


def features_of(clean, words):
    """`features` of a message already cleaned (`clean`)."""
    out = []
    n = len(clean)
    for i in range(n):
        out.append(clean[i])
        if i + 1 < n:
            out.append(clean[i:i + 2])
            if i + 2 < n:
                out.append(clean[i:i + 3])
    out.extend("w:" + w for w in words if w.strip() and not _DROP.fullmatch(w))
    if n <= 4:
        out.append("#short")
    return out


class LinearModel:
    """TF-IDF (sublinear tf, l2 norm) followed by a softmax over linear class scores."""

    def __init__(self, classes, idf, weights, intercepts):
        self.classes = list(classes)
        self.idf = idf
        self.intercepts = intercepts
        # Each feature's class weights times its idf: a feature seen once adds its row, and the rows are
        # summed class by class in C (map/zip/sum) rather than feature by feature in Python.
        self._rows = {f: tuple(idf[f] * w for w in weights[f]) for f in idf}

    @classmethod
    def from_dict(cls, data):
        return cls(data["classes"], data["idf"], data["weights"], data["intercepts"])

    def score(self, cleaned, words):
        """`predict(features(text, words))` for a message cleaned once (`clean(text)`) for both models."""
        return self.predict(features_of(cleaned, words))

    def predict(self, feats):
        """Return {class: probability} for one message's features."""
        counts = {}
        for f in feats:
            if f in self.idf:
                counts[f] = counts.get(f, 0) + 1
        rows, squares = [], 0.0
        for f, c in counts.items():
            row, idf = self._rows[f], self.idf[f]
            if c > 1:  # sublinear tf: 1 + ln(count)
                tf = 1.0 + math.log(c)
                row, idf = [tf * w for w in row], tf * idf
            rows.append(row)
            squares += idf * idf
        norm = math.sqrt(squares) or 1.0
        if rows:
            scores = [b + s / norm for b, s in zip(self.intercepts, map(sum, zip(*rows)))]
        else:
            scores = list(self.intercepts)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps)}


@functools.lru_cache(maxsize=4)
def load_models(path):
    """Read the trained intent and category models from one JSON file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data, LinearModel.from_dict(data["intent"]), LinearModel.from_dict(data["category"])
