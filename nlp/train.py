"""Train the intent and category models from the corpus (nlp/data/corpus/) and write nlp/data/model.json.

Run: python -m nlp.train          (rebuild the artefact; needs scikit-learn: pip install -e '.[train]')
     python -m nlp.train --check  (fail when model.json no longer matches its corpus and feature code)

The artefact is built from the data, never edited: change the corpus (python -m nlp.corpus add ...) or the
rules, then retrain.
"""

import argparse
import base64
import hashlib
import json
import math
import sys
from collections import Counter
from pathlib import Path

from . import corpus
from .augment import augmented
from .features import Featurizer
from .model import softmax
from .text import normalize
from .urgency import scan

HERE = Path(__file__).parent
MODEL = HERE / "data" / "model.json"
# The code whose output the models were trained on: a change to any of it means a retrain.
SOURCES = ("augment.py", "features.py", "lexicon.py", "scan.py", "segment.py", "text.py", "urgency.py", "train.py",
           "data/jieba_base.txt", "data/userdict.txt")
C_INTENT = 1.0
C_CATEGORY = 1.0
C_URGENT = 1.0
# The learned urgency model adds to the rules (nlp/urgency.py) only above the threshold that keeps held-out writers'
# precision of rules-or-model at this level: a false alarm costs a call, a missed emergency far more.
URGENT_PRECISION = 0.88
OWN_ALARMS_RIGHT = 0.5
# The model's own alarm needs at least this probability (calibrated on held-out writers: an emergency more likely than
# not). Below it, fitted on writers who wrote emergencies in plain words, it raised alarms for a loose manhole cover
# or a drain's smell (井盖松了, 下水道堵了...味道很大).
URGENT_FLOOR = 0.5
# With no danger word the model speaks only when it is sure: on round 10's held-out writers, alarms above 0.6 without
# the gate added recall (0.942 to 0.952) for 0.002 of precision; lower, the ungated alarms are mostly wrong.
URGENT_UNGATED_FLOOR = 0.6
SEED = 7  # the SVMs shuffle their coordinates: the same corpus gives the same model
MIN_DF = 3  # a feature seen in one or two messages only says little about the next writer


def digest():
    """Fingerprint of everything the artefact is built from."""
    h = hashlib.sha256()
    for name in corpus.manifest():
        h.update(name.encode())
        h.update((corpus.CORPUS / name).read_bytes())
    h.update(corpus.MANIFEST.read_bytes())
    for name in SOURCES:
        h.update((HERE / name).read_bytes())
    return h.hexdigest()


def featurize(texts, featurizer=None):
    """The features of each text, as the analyzer computes them."""
    featurizer = featurizer or Featurizer()
    out = []
    for text in texts:
        text = normalize(text)
        found, set_aside = scan(text)
        out.append(featurizer(text, sorted({e.danger for e in found}), sorted(set_aside)))
    return out


def vectorizer_for(docs):
    """TF-IDF over the features seen in at least MIN_DF messages."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=MIN_DF)
    vectorizer.fit(docs)
    return vectorizer


def fit(docs, labels, c, vectorizer=None):
    """Fit a linear SVM (on its own TF-IDF unless one is given); return the vectorizer and classifier."""
    from sklearn.svm import LinearSVC

    vectorizer = vectorizer or vectorizer_for(docs)
    clf = LinearSVC(C=c, class_weight="balanced", max_iter=20000, random_state=SEED)
    clf.fit(vectorizer.transform(docs), labels)
    return vectorizer, clf


def export(vectorizer, fitted):
    """The packed artefact (nlp.model) of a shared vectorizer and the fitted classifiers {name: (clf, scale)}."""
    import numpy as np

    features = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    columns = [np.asarray(vectorizer.idf_, dtype=float)[:, None]]
    models, column = {}, 1
    for name, (clf, scale) in fitted.items():
        classes = [str(c) for c in clf.classes_]
        coef = np.asarray(clf.coef_, dtype=float).T  # features x classes (one column when binary)
        intercepts = [float(b) for b in clf.intercept_]
        if len(classes) == 2:
            intercepts = [0.0, intercepts[0]]
        models[name] = {"classes": classes, "column": column, "intercepts": [round(b, 5) for b in intercepts],
                        "scale": round(scale, 3)}
        columns.append(coef)
        column += coef.shape[1]
    table = np.hstack(columns)
    unit = float(np.abs(table).max()) / 32000
    packed = np.round(table / unit).astype("<i2")
    return {"features": "\t".join(features), "width": table.shape[1], "unit": unit,
            "packed": base64.b64encode(packed.tobytes()).decode("ascii"), "models": models}


def margins(vectorizer, clf, docs):
    scores = clf.decision_function(vectorizer.transform(docs))
    if scores.ndim == 1:
        scores = [[0.0, s] for s in scores]
    return [list(map(float, s)) for s in scores]


def temperature(scores, labels, classes):
    """The softmax scale that makes held-out probabilities honest (least log loss), by a coarse search."""
    index = {c: i for i, c in enumerate(classes)}

    def loss(t):
        total = 0.0
        for s, y in zip(scores, labels):
            top = max(s)
            z = sum(math.exp(t * (v - top)) for v in s)
            total -= t * (s[index[y]] - top) - math.log(z)
        return total

    return min((0.5 * 1.15 ** k for k in range(40)), key=loss)


def held_out_margins(groups, docs, labels, c):
    """Each line's scores from a model trained without its group (writer): what an unseen writer gets."""
    out = [None] * len(docs)
    for group in sorted(set(groups)):
        train = [i for i, g in enumerate(groups) if g != group]
        test = [i for i, g in enumerate(groups) if g == group]
        vectorizer, clf = fit([docs[i] for i in train], [labels[i] for i in train], c)
        classes = [str(k) for k in clf.classes_]
        for i, s in zip(test, margins(vectorizer, clf, [docs[i] for i in test])):
            out[i] = dict(zip(classes, s))
    return out


# What each model learns: intent from every line; category and urgency from the complaints.
TASKS = (("intent", C_INTENT, lambda r: r["intent"], lambda r: True),
         ("category", C_CATEGORY, lambda r: r["category"], lambda r: r["intent"] == "complaint"),
         ("urgent", C_URGENT, lambda r: str(r["urgent"]), lambda r: r["intent"] == "complaint"))


def build(rows, calibrate=True, log=print):
    """Train the models on these corpus lines (augmented at training time) and return the artefact as a dict."""
    featurizer = Featurizer()
    rows = distinct(rows)
    extra = augmented(rows)
    log(f"training on {len(rows)} lines and {len(extra)} augmented ones")
    every = rows + extra
    docs = featurize([r["text"] for r in every], featurizer)
    shared = vectorizer_for(docs)
    fitted, thresholds = {}, {}
    for task, c, label, used in TASKS:
        keep = [i for i, r in enumerate(every) if used(r)]
        _, clf = fit([docs[i] for i in keep], [label(every[i]) for i in keep], c, shared)
        scale = 1.0
        if calibrate:
            written = [i for i in keep if i < len(rows)]
            gold = [label(every[i]) for i in written]
            held = held_out_margins([every[i]["group"] for i in written], [docs[i] for i in written], gold, c)
            classes = [str(k) for k in clf.classes_]
            scores = [[h.get(k, -10.0) for k in classes] for h in held]
            scale = temperature(scores, gold, classes)
            if task == "urgent":
                probs = [softmax(dict(zip(classes, s)), scale)["True"] for s in scores]
                ruled = ["u:any" in docs[i] for i in written]
                quiet = [not any(f.startswith("u:") for f in docs[i]) and any(f.startswith("d:") for f in docs[i])
                         for i in written]
                truth = [g == "True" for g in gold]
                thresholds["urgent"] = urgent_threshold(probs, ruled, quiet, truth)
                # Where no danger word opens the gate, the model alone, above a higher threshold fitted the same way
                # on top of the gated alarms: rules-or-model must keep its held-out precision.
                free = [not any(f.startswith("u:") for f in docs[i]) for i in written]
                gated = [r or (q and p >= thresholds["urgent"]) for r, q, p in zip(ruled, quiet, probs)]
                thresholds["urgent_ungated"] = urgent_threshold(
                    probs, gated, [f and not q for f, q in zip(free, quiet)], truth, floor=URGENT_UNGATED_FLOOR)
                log(held_out_report(probs, ruled, quiet, free, truth, thresholds))
        fitted[task] = (clf, scale)
        log(f"{task}: {len(clf.classes_)} classes, softmax scale {scale:.2f}")
    model = export(shared, fitted)
    log(f"{len(shared.vocabulary_)} features")
    model["thresholds"] = thresholds
    model["spots"] = spots(rows)
    return model


def distinct(rows):
    """The rows with each message once (the first sets repeat some lines in other scripts or templates)."""
    seen, out = set(), []
    for r in rows:
        key = normalize(r["text"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def urgent_threshold(probs, ruled, quiet, gold, precision=URGENT_PRECISION, floor=URGENT_FLOOR):
    """The lowest probability at which the model's own alarms are right at least as often as wrong on held-out
    writers, and rules-or-model keeps its precision (1.0: the model is not used).
    The model speaks only where the rules named no emergency and set nothing aside, yet the message holds a word
    residents use of a danger (`quiet`, lexicon.DANGER_WORDS): what the rules set aside as past, negated or
    hypothetical stays set aside, and a message with no danger word at all ("他脾气很大") raises no alarm."""
    best = 1.0
    for t in sorted({round(p, 3) for p in probs if p >= floor}, reverse=True):
        own = [q and not r and p >= t for r, q, p in zip(ruled, quiet, probs)]
        said = [r or o for r, o in zip(ruled, own)]
        right = sum(o and g for o, g in zip(own, gold))
        if right < OWN_ALARMS_RIGHT * sum(own) or sum(s and g for s, g in zip(said, gold)) < precision * sum(said):
            break
        best = t
    return best


def held_out_report(probs, ruled, quiet, free, gold, thresholds):
    """Held-out writers' urgent recall and precision: the rules alone, with the gated model, and with both models."""
    def figures(said):
        right = sum(s and g for s, g in zip(said, gold))
        return f"recall {right / max(1, sum(gold)):.3f} precision {right / max(1, sum(said)):.3f}"

    t, u = thresholds["urgent"], thresholds["urgent_ungated"]
    gated = [r or (q and p >= t) for r, q, p in zip(ruled, quiet, probs)]
    both = [g or (f and not q and p >= u) for g, f, q, p in zip(gated, free, quiet, probs)]
    return (f"urgent held out (n={sum(gold)}): rules {figures(ruled)}; gated model at {t:.3f} {figures(gated)}; "
            f"ungated at {u:.3f} {figures(both)}")


def spots(rows):
    """The estate places the corpus labels, as written, where the label is what that phrase usually means."""
    labelled = [(normalize(r["text"]), r["location"]["spot"]) for r in rows if "spot" in r["location"]]
    keep = []
    for spot in sorted({s for _, s in labelled if s}):
        present = [s for text, s in labelled if spot in text]
        if present and sum(s == spot for s in present) >= len(present) / 2:
            keep.append(spot)
    return keep


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify model.json matches its inputs")
    args = parser.parse_args(argv)
    if args.check:
        stored = json.loads(MODEL.read_text(encoding="utf-8"))["digest"]
        if stored != digest():
            print("model.json is stale: run python -m nlp.train", file=sys.stderr)
            return 1
        print("model.json matches its corpus and code")
        return 0
    model = build(corpus.load())
    model = {"digest": digest(), **model}
    MODEL.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {MODEL} ({MODEL.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
