"""The label audit of the corpus: every label changed after its writer's file was added is recorded, with what was
there, and the corpus holds the new labels (nlp/data/corpus/audit.jsonl, SOURCES.md's "Label audit")."""

import json

from nlp import corpus


def test_every_relabelled_line_holds_its_new_labels_and_says_what_it_was():
    changes = corpus.audit()
    assert changes, "the audit is recorded in nlp/data/corpus/audit.jsonl"
    rows = {(r["file"], r["text"]): r for r in corpus.load()}
    for change in changes:
        row = rows[change["file"], change["text"]]
        assert change["kind"] and change["now"] and set(change["was"]) == set(change["now"])
        assert {k: corpus.labels(row)[k] for k in change["now"]} == change["now"], change["text"]


def test_a_relabelled_line_keeps_the_contract_and_its_problems_follow(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "CORPUS", tmp_path)
    monkeypatch.setattr(corpus, "AUDIT", tmp_path / "audit.jsonl")
    line = {"text": "配电箱冒火花", "intent": "complaint", "category": "facilities", "urgent": True,
            "location": {"building": None, "unit": None, "room": None, "spot": None},
            "problems": [{"category": "facilities", "urgent": True}], "source": "x"}
    thanks = dict(line, text="燃气公司什么时候来安检", urgent=False, category="gas",
                  problems=[{"category": "gas", "urgent": False}])
    (tmp_path / "x.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (line, thanks)),
                                      encoding="utf-8")
    changes = tmp_path / "changes.jsonl"
    changes.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in (
        {"file": "x.jsonl", "text": "配电箱冒火花", "kind": "fire", "now": {"category": "safety"}},
        {"file": "x.jsonl", "text": "燃气公司什么时候来安检", "kind": "question", "now": {"intent": "help"}})),
        encoding="utf-8")
    corpus.relabel(changes)
    fire, asked = [json.loads(l) for l in (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()]
    assert fire["category"] == "safety" and fire["problems"] == [{"category": "safety", "urgent": True}]
    assert asked["intent"] == "help" and asked["category"] is None and asked["problems"] == []
    assert [(c["was"], c["now"]) for c in corpus.audit()] == [
        ({"category": "facilities"}, {"category": "safety"}),
        ({"intent": "complaint", "category": "gas"}, {"intent": "help", "category": None})]
