"""Linear text classifiers over one shared TF-IDF vocabulary, scored in pure Python (scikit-learn only trains them).

The artefact (nlp/data/model.json) keeps the vocabulary as one string and every number (idf, then each model's
class weights) as 16-bit integers in one base64 block: it loads in milliseconds, and it is built by
`python -m nlp.train`, never edited.
"""

import base64
import functools
import json
import math
import operator
import sys
from array import array
from collections import Counter
from pathlib import Path


class Vocabulary:
    """The features the models know, their idf, and every model's weights per feature (one row each)."""

    def __init__(self, features, packed, width, unit):
        offsets = range(0, len(features) * width, width)
        self.index = dict(zip(features, offsets))
        self.idf = dict(zip(offsets, map(unit.__mul__, packed[::width])))  # every row's first number, in C
        self._packed, self._width, self._unit = packed, width, unit
        # idf times every model's class weights per feature, made on a feature's first use (loading stays quick)
        # and summed class by class in C (map, zip, sum) once for all the models, rather than number by number.
        self.rows = {}

    def vector(self, feats):
        """The message's TF-IDF vector (sublinear tf, l2 norm) as ({row offset: tf}, norm, the features seen more
        than once as (their place among the counts, tf))."""
        # Counted and looked up by map and Counter (loops in C): this runs on some 400 features per message.
        counts = Counter(map(self.index.get, feats))
        counts.pop(None, None)
        weights = list(map(self.idf.__getitem__, counts))
        squares = sum(map(operator.mul, weights, weights))
        repeated = [(i, c) for i, c in enumerate(counts.values()) if c > 1]
        for i, c in repeated:  # sublinear tf: replace the weight counted as 1 above
            squares += weights[i] ** 2 * ((1.0 + math.log(c)) ** 2 - 1.0)
        return counts, math.sqrt(squares) or 1.0, repeated

    def _row(self, at):
        scale = self.idf[at] * self._unit
        row = self.rows[at] = tuple(scale * w for w in self._packed[at + 1:at + self._width])
        return row

    def sums(self, vector):
        """Every model's weighted sums for a message's vector, one per column after the idf (None when no feature
        is known); each LinearModel reads its own columns."""
        counts, norm, repeated = vector
        if not counts:
            return None
        picked = list(map(self.rows.get, counts))
        if None in picked:
            make = self._row
            picked = [row or make(at) for row, at in zip(picked, counts)]
        for i, c in repeated:  # a feature seen more than once weighs 1 + log(count)
            picked[i] = [(1.0 + math.log(c)) * w for w in picked[i]]
        return [s / norm for s in map(sum, zip(*picked))]


class LinearModel:
    """One classifier: its columns of the vocabulary's rows, intercepts, and a softmax temperature."""

    def __init__(self, vocabulary, classes, column, intercepts, scale):
        self.vocabulary = vocabulary
        self.classes = list(classes)
        self.intercepts = intercepts
        self.scale = scale  # fitted on writers held out (nlp/train.py), so 0.9 means about 90%
        # Two classes keep one column: the second class's margin over the first.
        n = 1 if len(self.classes) == 2 else len(self.classes)
        self._columns = slice(column - 1, column - 1 + n)

    def margins(self, vector, sums=None):
        """{class: linear score} for a message's vector (Vocabulary.vector), or its sums when already made."""
        if sums is None:
            sums = self.vocabulary.sums(vector)
        if sums is None:
            return dict(zip(self.classes, self.intercepts))
        mine = sums[self._columns]
        if len(mine) == 1:
            return {self.classes[0]: self.intercepts[0], self.classes[1]: self.intercepts[1] + mine[0]}
        return {c: b + s for c, b, s in zip(self.classes, self.intercepts, mine)}

    def predict_vector(self, vector, sums=None):
        return softmax(self.margins(vector, sums), self.scale)

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
    models = {name: LinearModel(vocabulary, m["classes"], m["column"], m["intercepts"], m["scale"])
              for name, m in data["models"].items()}
    return {"vocabulary": vocabulary, **models, "spots": data.get("spots", []),
            "thresholds": data.get("thresholds", {}), "digest": data.get("digest")}
