"""The labelled messages the reader learns from (nlp/data/corpus/), with where each group of lines came from.

Run: python -m nlp.corpus                 (check every file; rewrite nlp/data/corpus/SOURCES.md)
     python -m nlp.corpus add FILE NAME --who "..." --how "..."   (validate FILE and add it as NAME.jsonl)
     python -m nlp.corpus relabel CHANGES.jsonl   (apply a label audit's changes; each is kept in audit.jsonl)

Each line: {"text", "intent", "category", "urgent", "location": {"building", "unit", "room"[, "spot"]}
[, "problems": [{"category", "urgent"}, ...]], "source"}; `source` names the group of lines (writer:phenomenon).
Lines with no `spot` key or no `problems` were labelled before those fields existed: they are not scored on them.
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "corpus"
MANIFEST = CORPUS / "sources.json"
TABLE = CORPUS / "SOURCES.md"
# Every label changed after a file was added: {"file", "text", "kind", "was": {...}, "now": {...}}, in order.
AUDIT = CORPUS / "audit.jsonl"
LABELS = ("intent", "category", "urgent", "building", "unit", "room", "spot")
INTENTS = ("complaint", "greeting", "help", "status_query", "cancel", "thanks", "chitchat")
CATEGORIES = ("leak", "drainage", "water_supply", "parking", "lighting", "elevator", "sanitation", "gas", "ebike",
              "noise", "facilities", "greenery", "property", "safety", "other")
KEYS = {"text", "intent", "category", "urgent", "location", "source"}
OPTIONAL = {"problems"}


class BadLine(ValueError):
    """A corpus line that breaks the labelling contract."""


def manifest():
    """{file name: {"group", "who", "how", "written"[, "scored": false]}} in the order files were added; a file
    not scored is only trained on, never held out to measure the reader (nlp/evaluate.py --loso)."""
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def check(row):
    """Raise BadLine naming what is wrong with one labelled line."""
    keys = set(row)
    if not KEYS <= keys or keys - KEYS - OPTIONAL:
        raise BadLine(f"keys {sorted(keys)}")
    if not isinstance(row["text"], str) or not row["text"].strip():
        raise BadLine("empty text")
    if row["intent"] not in INTENTS:
        raise BadLine(f"intent {row['intent']!r}")
    complaint = row["intent"] == "complaint"
    if (row["category"] in CATEGORIES) is not complaint or (not complaint and row["category"] is not None):
        raise BadLine(f"category {row['category']!r} with intent {row['intent']}")
    if not isinstance(row["urgent"], bool) or (row["urgent"] and not complaint):
        raise BadLine("urgent")
    loc = row["location"]
    if set(loc) - {"building", "unit", "room", "spot"} or not {"building", "unit", "room"} <= set(loc):
        raise BadLine(f"location keys {sorted(loc)}")
    if any(v is not None and (not isinstance(v, str) or not v) for v in loc.values()):
        raise BadLine("location values are non-empty strings or null")
    problems = row.get("problems")
    if problems is not None:
        if complaint != bool(problems) or any(set(p) != {"category", "urgent"} or p["category"] not in CATEGORIES
                                              for p in problems):
            raise BadLine("problems")
        if problems and problems[0]["category"] != row["category"] or row["urgent"] != any(p["urgent"] for p in problems):
            raise BadLine("problems disagree with category or urgent")


def load(names=None):
    """Every line of the corpus files (or of those named), each with its file and leave-one-out group added."""
    rows = []
    for name, info in manifest().items():
        if names is not None and name not in names:
            continue
        for number, line in enumerate((CORPUS / name).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                try:
                    check(row)
                except BadLine as e:
                    raise BadLine(f"{name}:{number}: {e}") from None
                rows.append(dict(row, file=name, group=info["group"]))
    return rows


def add(path, name, who, how, group=None):
    """Validate a file of labelled lines and add it to the corpus; lines whose text is already there are dropped."""
    from .text import normalize

    target = CORPUS / f"{name}.jsonl"
    seen = {normalize(r["text"]) for r in load() if r["file"] != target.name}
    kept, dropped, bad = [], 0, []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        try:
            check(row)
        except BadLine as e:
            bad.append(f"{path}:{number}: {e}")
            continue
        key = normalize(row["text"])
        if key in seen:
            dropped += 1
            continue
        seen.add(key)
        kept.append(row)
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
    files = manifest()
    files[target.name] = dict(files.get(target.name, {}), group=group or name, who=who, how=how, written=True)
    MANIFEST.write_text(json.dumps(files, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(kept), dropped, bad


def labels(row):
    """The labels of a line that an audit may change, flat."""
    return {k: row[k] if k in row else row["location"].get(k) for k in LABELS}


def relabelled(row, now):
    """The line with the labels in `now` changed; its problems follow (none when it is no report, the first one's
    category and the urgency when it is)."""
    row = dict(row, location=dict(row["location"]))
    for key, value in now.items():
        (row if key in ("intent", "category", "urgent") else row["location"])[key] = value
    if row["intent"] != "complaint":
        row.update(category=None, urgent=False)
        if "problems" in row:
            row["problems"] = []
    elif "problems" in row:
        problems = [dict(p) for p in row["problems"]] or [{"category": row["category"], "urgent": row["urgent"]}]
        problems[0]["category"] = row["category"]
        if row["urgent"] != any(p["urgent"] for p in problems):
            problems[0]["urgent"] = row["urgent"]
            if not row["urgent"]:
                problems = [dict(p, urgent=False) for p in problems]
        row["problems"] = problems
    check(row)
    return row


def relabel(path):
    """Apply a label audit: each line of `path` is {"file", "text", "kind", "now": {label: value}}; the line of that
    file with that text gets the new labels, and the change (with what was there) is appended to audit.jsonl."""
    changes = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = []
    for name in dict.fromkeys(c["file"] for c in changes):
        target = CORPUS / name
        rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines() if line.strip()]
        for change in (c for c in changes if c["file"] == name):
            at = [i for i, r in enumerate(rows) if r["text"] == change["text"]]
            if len(at) != 1:
                raise BadLine(f"{name}: {len(at)} lines read {change['text']!r}")
            was = labels(rows[at[0]])
            rows[at[0]] = relabelled(rows[at[0]], change["now"])
            kept.append({"file": name, "text": change["text"], "kind": change["kind"],
                         "was": {k: was[k] for k in LABELS if was[k] != labels(rows[at[0]])[k]},
                         "now": {k: v for k, v in labels(rows[at[0]]).items() if was[k] != v}})
        target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with AUDIT.open("a", encoding="utf-8") as f:
        f.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in kept)
    return kept


def audit():
    """The label changes made so far (audit.jsonl)."""
    if not AUDIT.exists():
        return []
    return [json.loads(line) for line in AUDIT.read_text(encoding="utf-8").splitlines() if line.strip()]


def table(rows):
    """The sources table (SOURCES.md): per file and per group of lines, who wrote them and how many there are."""
    files = manifest()
    by_file = Counter(r["file"] for r in rows)
    by_source = Counter((r["file"], r["source"]) for r in rows)
    written = sum(n for f, n in by_file.items() if files[f]["written"])
    out = ["# Where the reader's labelled lines come from",
           "",
           "Written by `python -m nlp.corpus` from `sources.json` and the files; do not edit by hand.",
           "",
           f"{len(rows)} lines in {len(files)} files; {written} written by hand (files marked written). "
           "Augmented lines are not stored: `python -m nlp.train` makes them at training time.",
           "",
           "| file | group (held out together) | lines | who wrote them, and how |",
           "| --- | --- | ---: | --- |"]
    for name, info in files.items():
        mark = "" if info["written"] else " (not counted as written)"
        out.append(f"| {name} | {info['group']} | {by_file[name]} | {info['who']}: {info['how']}{mark} |")
    out += ["", "## Groups of lines (`source`)", "", "| file | source | lines |", "| --- | --- | ---: |"]
    for (name, source), n in sorted(by_source.items()):
        out.append(f"| {name} | {source} | {n} |")
    intents = Counter(r["intent"] for r in rows)
    categories = Counter(r["category"] for r in rows if r["category"])
    out += ["", "## Labels", "",
            "intents: " + ", ".join(f"{k} {intents[k]}" for k in INTENTS),
            "",
            "categories: " + ", ".join(f"{k} {categories[k]}" for k in CATEGORIES),
            "",
            f"urgent: {sum(r['urgent'] for r in rows)}; with a building, unit or room: "
            f"{sum(any(r['location'].get(k) for k in ('building', 'unit', 'room')) for r in rows)}; with a spot: "
            f"{sum(bool(r['location'].get('spot')) for r in rows)}; with two or more problems: "
            f"{sum(len(r.get('problems') or ()) > 1 for r in rows)}"]
    changes = audit()
    if changes:
        out += ["", "## Label audit", "",
                f"{len(changes)} lines relabelled where their labels broke docs/CATEGORIES.md (each change, with what "
                "was there, is in `audit.jsonl`; `python -m nlp.corpus relabel` applies more):", "",
                "| kind | lines | files |", "| --- | ---: | --- |"]
        for kind, n in Counter(c["kind"] for c in changes).items():
            files = Counter(c["file"] for c in changes if c["kind"] == kind)
            out.append(f"| {kind} | {n} | {', '.join(f'{f} {k}' for f, k in files.items())} |")
    return "\n".join(out) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    adding = sub.add_parser("add", help="validate a JSONL file and add it to the corpus")
    adding.add_argument("file")
    adding.add_argument("name", help="the corpus file's name, without .jsonl")
    adding.add_argument("--who", required=True)
    adding.add_argument("--how", required=True)
    adding.add_argument("--group", help="leave-one-out group (default: the name)")
    relabelling = sub.add_parser("relabel", help="apply a label audit's changes (JSONL) and keep them in audit.jsonl")
    relabelling.add_argument("file")
    args = parser.parse_args(argv)
    if args.command == "relabel":
        print(f"{len(relabel(args.file))} lines relabelled")
    if args.command == "add":
        kept, dropped, bad = add(args.file, args.name, args.who, args.how, args.group)
        print(f"{args.name}.jsonl: {kept} lines kept, {dropped} already in the corpus, {len(bad)} broken")
        for line in bad:
            print("  " + line, file=sys.stderr)
    rows = load()
    TABLE.write_text(table(rows), encoding="utf-8")
    print(f"{len(rows)} lines checked; wrote {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
