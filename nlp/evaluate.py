"""Score the reader on labelled messages: a JSONL file, or the corpus one writer at a time (leave-one-source-out).

Run: python -m nlp.evaluate FILE.jsonl [--errors]   (the shipped model on a labelled file)
     python -m nlp.evaluate --loso [--groups w1,w2] [--errors]
        (for each group of writers: train on the others, score on it; then the pooled figures. Needs scikit-learn.)

Only held-out writers say how the reader will do on people it never read: the shipped model has seen every
line of the corpus, so its figures on the corpus say nothing.
"""

import argparse
import json
import statistics
import sys
import time
from collections import Counter

from .corpus import INTENTS

ADDRESS = ("building", "unit", "room")


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def ratio(a, b):
    return a / b if b else float("nan")


def analyse(rows, analyzer):
    """Each row's Analysis, and how long each took."""
    timings, results = [], []
    for row in rows:
        start = time.perf_counter()
        results.append(analyzer.analyze(row["text"]))
        timings.append(time.perf_counter() - start)
    return results, timings


def precision_recall(pairs, labels):
    """{label: (precision, recall, support)} over (gold, predicted) pairs."""
    out = {}
    for c in labels:
        tp = sum(g == c and p == c for g, p in pairs)
        pred = sum(p == c for _, p in pairs)
        gold = sum(g == c for g, _ in pairs)
        out[c] = (ratio(tp, pred), ratio(tp, gold), gold)
    return out


def score(rows, results, timings=()):
    """The figures of a set of analyses against their labels."""
    pairs = list(zip(results, rows))
    m = {"n": len(rows), "errors": []}
    m["intent_accuracy"] = ratio(sum(r.intent == g["intent"] for r, g in pairs), len(rows))
    m["per_intent"] = precision_recall([(g["intent"], r.intent) for r, g in pairs], INTENTS)
    complaints = [(r, g) for r, g in pairs if g["intent"] == "complaint"]
    m["category_accuracy"] = ratio(sum(r.category == g["category"] for r, g in complaints), len(complaints))
    m["confusions"] = Counter((g["category"], r.category) for r, g in complaints
                              if r.category != g["category"]).most_common(15)
    labels = sorted({g["category"] for _, g in complaints} | {r.category for r, _ in complaints if r.category})
    m["per_category"] = precision_recall([(g["category"], r.category) for r, g in complaints], labels)
    asked = [(r, g) for r, g in complaints if r.intent == "complaint" and r.ambiguous]
    m["ambiguous_rate"] = ratio(len(asked), sum(r.intent == "complaint" for r, _ in complaints))
    m["ambiguous_wrong"] = ratio(sum(r.category != g["category"] and g["category"] in (r.category, r.runner_up)
                                     for r, g in asked), len(asked))
    sure = [(r, g) for r, g in complaints if r.intent == "complaint" and not r.ambiguous]
    m["category_when_sure"] = ratio(sum(r.category == g["category"] for r, g in sure), len(sure))
    tp = sum(r.urgent and g["urgent"] for r, g in pairs)
    m["urgent_n"] = sum(g["urgent"] for g in rows)
    m["urgent_recall"] = ratio(tp, m["urgent_n"])
    m["urgent_precision"] = ratio(tp, sum(r.urgent for r in results))
    said = [(tuple(getattr(r.location, k) for k in ADDRESS), tuple(g["location"][k] for k in ADDRESS)) for r, g in pairs]
    m["location_exact"] = ratio(sum(a == b for a, b in said), len(said))
    stated = [(a, b) for a, b in said if any(b)]
    m["location_exact_stated"] = ratio(sum(a == b for a, b in stated), len(stated))
    none = [a for a, b in said if not any(b)]
    m["false_address_rate"] = ratio(sum(any(a) for a in none), len(none))
    spots = [(r.location.spot, g["location"]["spot"]) for r, g in pairs if "spot" in g["location"]]
    m["spot_n"] = len(spots)
    m["spot_exact"] = ratio(sum(a == b for a, b in spots), len(spots))
    m["spot_stated"] = ratio(sum(a == b for a, b in spots if b), sum(1 for _, b in spots if b))
    m["false_spot_rate"] = ratio(sum(bool(a) for a, b in spots if not b), sum(1 for _, b in spots if not b))
    told = [(r, g) for r, g in complaints if "problems" in g and r.intent == "complaint"]
    m["problems_n"] = len(told)
    m["problems_multi_n"] = sum(len(g["problems"]) > 1 for _, g in told)
    m["problems_count"] = ratio(sum(len(r.problems) == len(g["problems"]) for r, g in told), len(told))
    m["problems_categories"] = ratio(sum([p.category for p in r.problems] == [p["category"] for p in g["problems"]]
                                         for r, g in told), len(told))
    multi = [(r, g) for r, g in told if len(g["problems"]) > 1]
    m["problems_multi_found"] = ratio(sum(len(r.problems) > 1 for r, _ in multi), len(multi))
    single = [(r, g) for r, g in told if len(g["problems"]) == 1]
    m["problems_single_split"] = ratio(sum(len(r.problems) > 1 for r, _ in single), len(single))
    unsure = [(r, g) for r, g in pairs if r.intent_unsure]
    m["unsure_rate"] = ratio(len(unsure), len(rows))
    wrong = [(r, g) for r, g in pairs if (r.intent == "complaint") != (g["intent"] == "complaint")]
    m["unsure_catches"] = ratio(sum(r.intent_unsure for r, _ in wrong), len(wrong))
    m["filed_non_complaints"] = sum(r.intent == "complaint" and g["intent"] != "complaint" for r, g in pairs)
    m["missed_complaints"] = sum(r.intent != "complaint" and g["intent"] == "complaint" for r, g in pairs)
    if timings:
        ordered = sorted(timings)
        m["latency_median_ms"] = statistics.median(ordered) * 1000
        m["latency_p99_ms"] = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    for r, g in pairs:
        got = (r.intent, r.category, r.urgent, tuple(getattr(r.location, k) for k in ADDRESS))
        want = (g["intent"], g["category"], g["urgent"], tuple(g["location"][k] for k in ADDRESS))
        if got != want:
            m["errors"].append((g["text"], g.get("source"), want, got, round(r.confidence, 2)))
    return m


def evaluate(rows, analyzer):
    """Return a dict of figures and the list of mistakes."""
    results, timings = analyse(rows, analyzer)
    return score(rows, results, timings)


def report(m, out=sys.stdout, errors=False):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"messages            {m['n']}")
    p(f"intent accuracy     {m['intent_accuracy']:.3f}   (non-complaints filed as reports: {m['filed_non_complaints']}, "
      f"reports taken for something else: {m['missed_complaints']})")
    p("per intent          precision  recall  support")
    for c, (prec, rec, n) in m["per_intent"].items():
        p(f"  {c:<16}  {prec:9.3f}  {rec:6.3f}  {n:7d}")
    p(f"intent unsure       {m['unsure_rate']:.3f} of messages; catches {m['unsure_catches']:.3f} of the "
      "report-or-not mistakes")
    p(f"category accuracy   {m['category_accuracy']:.3f}   (on messages labelled complaint)")
    p("per category        precision  recall  support")
    for c, (prec, rec, n) in m["per_category"].items():
        p(f"  {c:<16}  {prec:9.3f}  {rec:6.3f}  {n:7d}")
    p(f"ambiguous           {m['ambiguous_rate']:.3f} of complaints read as such are asked which of two; the second "
      f"was right for {m['ambiguous_wrong']:.3f} of them; category when not asked {m['category_when_sure']:.3f}")
    p("confusions (gold -> predicted): " + (", ".join(f"{a}->{b} x{n}" for (a, b), n in m["confusions"]) or "none"))
    p(f"urgent recall       {m['urgent_recall']:.3f}   precision {m['urgent_precision']:.3f}   (n={m['urgent_n']})")
    p(f"building/unit/room  exact {m['location_exact']:.3f}   on stated {m['location_exact_stated']:.3f}   "
      f"invented where none was said {m['false_address_rate']:.3f}")
    if m["spot_n"]:
        p(f"spot                exact {m['spot_exact']:.3f}   on stated {m['spot_stated']:.3f}   "
          f"invented {m['false_spot_rate']:.3f}   (n={m['spot_n']})")
    if m["problems_n"]:
        p(f"problems            count right {m['problems_count']:.3f}   categories right {m['problems_categories']:.3f}   "
          f"(n={m['problems_n']}); multi found {m['problems_multi_found']:.3f} (n={m['problems_multi_n']}), "
          f"single split {m['problems_single_split']:.3f}")
    if "latency_median_ms" in m:
        p(f"latency             median {m['latency_median_ms']:.3f} ms   p99 {m['latency_p99_ms']:.3f} ms")
    if errors:
        for text, source, want, got, conf in m["errors"]:
            p(f"  {text}   [{source}]\n      want {want}\n      got  {got} conf={conf}")


def leave_one_source_out(rows, groups=None, log=print):
    """Train without each group in turn and score on it: {group: (rows, analyses)}. Groups marked not to be scored
    (lines written by whoever saw the models' mistakes) are only ever trained on."""
    from .analyzer import Analyzer
    from .corpus import manifest
    from .train import build

    unscored = {info["group"] for info in manifest().values() if not info.get("scored", True)}
    out = {}
    for group in sorted({r["group"] for r in rows} - unscored):
        if groups and group not in groups:
            continue
        train = [r for r in rows if r["group"] != group]
        test = [r for r in rows if r["group"] == group]
        log(f"-- held out: {group} ({len(test)} lines); training on {len(train)}")
        analyzer = Analyzer(model=build(train, log=lambda *a: None))
        out[group] = (test, analyse(test, analyzer)[0])
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description="Score nlp.analyze on labelled messages")
    parser.add_argument("file", nargs="?")
    parser.add_argument("--loso", action="store_true", help="leave one group of writers out at a time")
    parser.add_argument("--groups", help="with --loso: only these groups (comma-separated)")
    parser.add_argument("--errors", action="store_true", help="list every wrong message")
    args = parser.parse_args(argv)
    if args.loso:
        from .corpus import load as load_corpus

        held = leave_one_source_out(load_corpus(), args.groups.split(",") if args.groups else None)
        for group, (rows, results) in held.items():
            m = score(rows, results)
            print(f"== {group}: intent {m['intent_accuracy']:.3f}  category {m['category_accuracy']:.3f}  "
                  f"urgent recall {m['urgent_recall']:.3f} precision {m['urgent_precision']:.3f}  "
                  f"address {m['location_exact']:.3f}  false address {m['false_address_rate']:.3f}")
        rows = [r for rs, _ in held.values() for r in rs]
        results = [a for _, rs in held.values() for a in rs]
        print(f"== pooled over {len(held)} held-out groups")
        report(score(rows, results), errors=args.errors)
        return 0
    if not args.file:
        parser.error("name a labelled JSONL file, or --loso")
    from . import default_analyzer

    report(evaluate(load(args.file), default_analyzer()), errors=args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
