"""Split a complaint into the separate problems it tells (灯坏了，还有垃圾没人收): one entry each, the main one first."""

import re
from dataclasses import dataclass

from .features import CLAUSE
from .location import Location, parse

# A clause names a problem of its own when the category model, reading the clause alone, is at least this sure of
# a category other than the main one (measured on the corpus's multi-problem lines: nlp/evaluate.py).
OWN_PROBLEM = 0.9
# "物业也不管", "物业说是厂家的事": who fails to fix a problem is seldom a problem of its own.
OWN_PROBLEM_PROPERTY = 0.99
MIN_CLAUSE = 3  # characters: "还有", "麻烦了" name no problem
# A clause opened by a word that adds another matter (还有, 另外, 而且, 再一个) tells a problem of its own when the
# model, reading it alone, leans to another category at all (measured on the corpus: docs/READER.md, round 8).
# So does one that says its thing is broken too ("楼道灯也坏了", "监控也不亮").
_JOINED = re.compile(r"(就算了|就不说了|不说了|还有就是|还有|另外|另一个是?|而且|并且|再一个|再有|再就是|再者|此外|同时|顺便说一下|顺便说下|顺便|以及)[\s,，、:：]*$")
_TOO = re.compile(r"[^,，。!！?？\s]{1,8}?也(坏|不|没|停|满|堵|漏|破|断|掉|有|是|在|吵|臭|乱)")
OWN_PROBLEM_JOINED = 0.6
# A clause that is nothing but a cry for help ("快来人", "救命啊") calls for help with the emergency told beside it.
_CRY = re.compile(r"[\s!！~～]*(快|赶紧|赶快)?(来人|救命|救救我?|救人|快救人?)[啊呀啦了吧哪!！~～\s]*")


@dataclass(frozen=True)
class Problem:
    """One problem a message tells: its category, whether it is an emergency, and where."""

    category: str
    urgent: bool
    location: Location


def clauses(text):
    """(start, end) of each clause of a normalised message that is long enough to tell something."""
    spans, start = [], 0
    for m in CLAUSE.finditer(text):
        if m.start() - start >= MIN_CLAUSE:
            spans.append((start, m.start()))
        start = m.end()
    if len(text) - start >= MIN_CLAUSE:
        spans.append((start, len(text)))
    return spans


def _joined(text, start):
    """True when the clause at `start` is told as another matter: after 还有/另外/而且/就算了, or its thing "也坏了"."""
    return bool(_JOINED.search(text, max(0, start - 8), start) or _TOO.match(text, start))


def find_problems(analyzer, text, main, found, location, urgent):
    """The problems of a complaint whose main category is `main`; `found` are its emergencies (nlp.urgency), and
    `urgent` whether it is urgent at all (a community's urgent word makes the main problem urgent)."""
    spans = clauses(text)
    told = {}  # category: the clauses that tell it
    if len(spans) > 1:
        read = []
        for start, end in spans:
            piece = text[start:end]
            dangers = sorted({e.danger for e in found if start <= e.at < end})
            keywords = analyzer.featurizer.keywords_in(piece)
            if (not dangers or _CRY.fullmatch(piece)) and not any(f.startswith(("k2:", "k3:")) and f[3:] != main
                                                                   for f in keywords):
                # No strong word of another category: the clause is the main problem or words around it.
                read.append((main, 1.0, start, end))
                continue
            scores = analyzer.category_model.predict(analyzer.featurizer.clause(piece, dangers, keywords))
            best = max(scores, key=scores.get)
            read.append((best, scores[best], start, end))
        # Another problem only beside a clause that tells the main one: otherwise the clauses are sides of one.
        if any(best == main for best, *_ in read):
            for best, p, start, end in read:
                if best != main and p >= (OWN_PROBLEM_PROPERTY if best == "property"
                                          else OWN_PROBLEM_JOINED if _joined(text, start) else OWN_PROBLEM):
                    told.setdefault(best, []).append((start, end))
    order = [main, *told]
    hurry = {main} if urgent and not found else set()
    for e in found:
        hurry.add(next((c for c in told if any(a <= e.at < b for a, b in told[c])), main))
    out = []
    for category in order:
        where = location
        if category != main:
            here = parse(" ".join(text[a:b] for a, b in told[category]))
            if here:
                where = Location(here.building, here.unit, here.room, location.spot)
        out.append(Problem(category, category in hurry, where))
    return out
