"""Score the analyzer on a labelled JSONL file.

Run: python -m nlp.evaluate tests/data/heldout.jsonl [--errors]
"""

import argparse
import json
import statistics
import sys
import time
from collections import Counter


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def ratio(a, b):
    return a / b if b else float("nan")


def evaluate(rows, analyzer):
    """Return a dict of metrics and the list of mistakes."""
    timings, results = [], []
    for row in rows:
        start = time.perf_counter()
        results.append(analyzer.analyze(row["text"]))
        timings.append(time.perf_counter() - start)
    m = {"n": len(rows), "errors": []}
    m["intent_accuracy"] = ratio(sum(r.intent == g["intent"] for r, g in zip(results, rows)), len(rows))
    gold_c = [(r, g) for r, g in zip(results, rows) if g["intent"] == "complaint"]
    m["category_accuracy"] = ratio(sum(r.category == g["category"] for r, g in gold_c), len(gold_c))
    pairs = Counter((g["category"], r.category) for r, g in gold_c if r.category != g["category"])
    m["confusions"] = pairs.most_common(15)
    per = {}
    for c in sorted({g["category"] for _, g in gold_c} | {r.category for r, _ in gold_c if r.category}):
        tp = sum(r.category == c and g["category"] == c for r, g in gold_c)
        pred = sum(r.category == c for r, _ in gold_c)
        gold = sum(g["category"] == c for _, g in gold_c)
        per[c] = (ratio(tp, pred), ratio(tp, gold), gold)
    m["per_category"] = per
    tp = sum(r.urgent and g["urgent"] for r, g in zip(results, rows))
    m["urgent_recall"] = ratio(tp, sum(g["urgent"] for g in rows))
    m["urgent_precision"] = ratio(tp, sum(r.urgent for r in results))
    m["urgent_n"] = sum(g["urgent"] for g in rows)
    loc = [(r.location, g["location"]) for r, g in zip(results, rows)]
    exact = sum((l.building, l.unit, l.room) == (g["building"], g["unit"], g["room"]) for l, g in loc)
    m["location_exact"] = ratio(exact, len(loc))
    stated = [(l, g) for l, g in loc if any(g.values())]
    m["location_exact_stated"] = ratio(sum((l.building, l.unit, l.room) == (g["building"], g["unit"], g["room"])
                                           for l, g in stated), len(stated))
    none = [l for l, g in loc if not any(g.values())]
    m["false_address_rate"] = ratio(sum(bool(l) for l in none), len(none))
    ordered = sorted(timings)
    m["latency_median_ms"] = statistics.median(ordered) * 1000
    m["latency_p99_ms"] = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    for r, g in zip(results, rows):
        got = (r.intent, r.category, r.urgent, (r.location.building, r.location.unit, r.location.room))
        want = (g["intent"], g["category"], g["urgent"], (g["location"]["building"], g["location"]["unit"],
                                                          g["location"]["room"]))
        if got != want:
            m["errors"].append((g["text"], want, got, round(r.confidence, 2)))
    return m


def report(m, out=sys.stdout, errors=False):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"messages            {m['n']}")
    p(f"intent accuracy     {m['intent_accuracy']:.3f}")
    p(f"category accuracy   {m['category_accuracy']:.3f}   (on messages labelled complaint)")
    p("per category        precision  recall  support")
    for c, (prec, rec, n) in m["per_category"].items():
        p(f"  {c:<16}  {prec:9.3f}  {rec:6.3f}  {n:7d}")
    p("confusions (gold -> predicted): " + (", ".join(f"{a}->{b} x{n}" for (a, b), n in m["confusions"]) or "none"))
    p(f"urgent recall       {m['urgent_recall']:.3f}   precision {m['urgent_precision']:.3f}   (n={m['urgent_n']})")
    p(f"location exact      {m['location_exact']:.3f}   on stated {m['location_exact_stated']:.3f}   "
      f"false address {m['false_address_rate']:.3f}")
    p(f"latency             median {m['latency_median_ms']:.3f} ms   p99 {m['latency_p99_ms']:.3f} ms")
    if errors:
        for text, want, got, conf in m["errors"]:
            p(f"  {text}\n      want {want}\n      got  {got} conf={conf}")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Score nlp.analyze on a labelled JSONL file")
    parser.add_argument("file")
    parser.add_argument("--errors", action="store_true", help="list every wrong message")
    parser.add_argument("--compare", action="store_true",
                        help="also score keyword rules alone, the learned model alone and blends of the two")
    args = parser.parse_args(argv)
    from . import default_analyzer

    if args.compare:
        from .analyzer import Analyzer

        rows = load(args.file)
        for weight, name in ((0.0, "rules only"), (0.25, "blend 0.25"), (0.5, "blend 0.5 (default)"),
                             (0.75, "blend 0.75"), (1.0, "model only")):
            m = evaluate(rows, Analyzer(model_weight=weight))
            print(f"{name:<20} category accuracy {m['category_accuracy']:.3f}")

    report(evaluate(load(args.file), default_analyzer()), errors=args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
