"""Linear text classifiers over one shared TF-IDF vocabulary, scored in pure Python (scikit-learn only trains them).

The artefact (nlp/data/model.json) keeps the vocabulary as one string and every number (idf, then each model's
class weights) as 16-bit integers in one base64 block: it loads in milliseconds, and it is built by
`python -m nlp.train`, never edited.
"""

import base64
import functools
import json
import math
import sys
from array import array
from pathlib import Path


class Vocabulary:
    """The features the models know and their idf; each model keeps its own weights (LinearModel)."""

    def __init__(self, features, packed, width, unit):
        self.index = dict(zip(features, range(0, len(features) * width, width)))
        self.idf = dict(zip(self.index.values(), (packed[at] * unit for at in range(0, len(packed), width))))

    def vector(self, feats):
        """The message's TF-IDF vector (sublinear tf, l2 norm) as ({row offset: tf}, norm)."""
        counts = {}
        index = self.index
        for f in feats:
            at = index.get(f)
            if at is not None:
                counts[at] = counts.get(at, 0) + 1
        idf, squares = self.idf, 0.0
        for at, c in counts.items():
            weight = idf[at] if c == 1 else (1.0 + math.log(c)) * idf[at]
            squares += weight * weight
        return counts, math.sqrt(squares) or 1.0


class LinearModel:
    """One classifier: idf times its class weights per feature, intercepts, and a softmax temperature."""

    def __init__(self, vocabulary, classes, column, intercepts, scale, packed, unit):
        self.vocabulary = vocabulary
        self.classes = list(classes)
        self.intercepts = intercepts
        self.scale = scale  # fitted on writers held out (nlp/train.py), so 0.9 means about 90%
        # Two classes keep one column: the second class's margin over the first.
        self._n = 1 if len(self.classes) == 2 else len(self.classes)
        self._column, self._packed, self._unit = column, packed, unit
        # idf times weight per feature, made on a feature's first use (loading stays quick) and summed class by
        # class in C (map, zip, sum) rather than number by number in Python.
        self.rows = {}

    def _row(self, at):
        start = at + self._column
        scale = self.vocabulary.idf[at] * self._unit
        row = self.rows[at] = tuple(scale * w for w in self._packed[start:start + self._n])
        return row

    def margins(self, vector):
        """{class: linear score} for a message's vector (Vocabulary.vector)."""
        counts, norm = vector
        rows, make = self.rows, self._row
        picked = []
        for at, c in counts.items():
            row = rows.get(at) or make(at)
            picked.append(row if c == 1 else [(1.0 + math.log(c)) * w for w in row])
        if not picked:
            return dict(zip(self.classes, self.intercepts))
        sums = [s / norm for s in map(sum, zip(*picked))]
        if len(sums) == 1:
            return {self.classes[0]: self.intercepts[0], self.classes[1]: self.intercepts[1] + sums[0]}
        return {c: b + s for c, b, s in zip(self.classes, self.intercepts, sums)}

    def predict_vector(self, vector):
        return softmax(self.margins(vector), self.scale)

    def predict(self, feats):
        """{class: probability} for one message's features."""
        return self.predict_vector(self.vocabulary.vector(feats))


def softmax(margins, scale=1.0):
    top = max(margins.values())
    exps = {c: math.exp(scale * (m - top)) for c, m in margins.items()}
    total = sum(exps.values())
    return {c: e / total for c, e in exps.items()}


@functools.lru_cache(maxsize=4)
def load(path):
    """Read the trained models (intent, category, urgency), their thresholds and the spots learned, from one file."""
    return from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def from_dict(data):
    packed = array("h")
    packed.frombytes(base64.b64decode(data["packed"]))
    if sys.byteorder == "big":  # written little-endian (nlp/train.py)
        packed.byteswap()
    if packed.itemsize != 2:  # pragma: no cover - every platform Python runs on has a 2-byte short
        raise ValueError("model.json needs 16-bit integers")
    vocabulary = Vocabulary(data["features"].split("\t"), packed, data["width"], data["unit"])
    models = {name: LinearModel(vocabulary, m["classes"], m["column"], m["intercepts"], m["scale"], packed, data["unit"])
              for name, m in data["models"].items()}
    return {"vocabulary": vocabulary, **models, "spots": data.get("spots", []),
            "thresholds": data.get("thresholds", {}), "digest": data.get("digest")}
