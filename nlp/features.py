"""What the learned models see of a message: its character grams, and what the hand-made rules found in it.

The rules' findings (category keywords, the shapes of a question, a thanks or a cancel, an emergency) are
features, not verdicts: the models learn from the data how far to trust each of them.
The same function trains (nlp/train.py) and predicts (nlp/analyzer.py).
"""

import re

from . import lexicon
from .scan import alternation

_DROP = re.compile(r"[^\w\u4e00-\u9fff]+")
_DIGITS = re.compile(r"\d+")
_LATIN = re.compile(r"[a-z]+")
# Where one clause ends and the next begins (the first clause is often the main problem).
CLAUSE = re.compile(r"[,，。!！?？;；:：、\s]+|还有|另外|而且|并且|同时|再就是|然后")
# "不是坏了，是太亮了": words in the denied part count apart.
_DENIED = re.compile(r"(?:不是|并不是|并非)([^,，。!！?？]{1,10}?)[,，\s]?(?:而|就|只)?是")
_QUESTION = re.compile(r"[?？]|[吗么嘛呢][?？!！。~～\s]*$")


def clean(text):
    """The message as its character grams are taken: no punctuation, spaces or Latin letters, every number as 0."""
    return _DIGITS.sub("0", _DROP.sub("", _LATIN.sub("", text)))


def latin_words(text):
    """Words in Latin letters ("gas", "smoke", "wifi"), each one feature: their letters as grams would be noise
    (a pasted error message or SQL is no category)."""
    return ["e:" + w for w in _LATIN.findall(text) if len(w) > 1]


def keyword_table(extra=None):
    """{word: {category: weight}} from the lexicon (weights 1-3; NEUTRAL words count for nothing), plus extra words."""
    table = {}
    for category, levels in lexicon.CATEGORY_KEYWORDS.items():
        for weight, block in levels.items():
            for word in block.split():
                table.setdefault(word, {})[category] = weight
    for word, (category, weight) in lexicon.PHRASE_OVERRIDES.items():
        table.setdefault(word, {})[category] = table.get(word, {}).get(category, 0) + weight
    for word in lexicon.NEUTRAL.split():
        table.setdefault(word, {})
    for category, words in (extra or {}).items():
        for word in words:
            table.setdefault(word, {})[category] = 3
    return table


class Featurizer:
    """Turns a normalised message into the list of feature names both models score."""

    def __init__(self):
        self.keywords = keyword_table()
        self._keyword_re = re.compile("|".join(map(re.escape, sorted(self.keywords, key=len, reverse=True))))
        self._patterns = [(f"p:{k}", re.compile("|".join(v))) for k, v in lexicon.INTENT_PATTERNS.items()]
        self._patterns += [("p:progress", alternation([lexicon.PROGRESS_ASK])), ("p:info", alternation([lexicon.INFO_ASK])),
                           ("p:howto", re.compile(lexicon.HOWTO_ASK)), ("p:grievance", re.compile(lexicon.GRIEVANCE)),
                           ("p:chitchat", re.compile(lexicon.CHITCHAT)), ("p:cue", re.compile(lexicon.PROBLEM_CUES)),
                           ("p:stated", re.compile(lexicon.STATED)), ("p:waited", re.compile(lexicon.WAITED)),
                           ("p:nobody", alternation([lexicon.NOBODY_FIXES])), ("p:request", re.compile(lexicon.REQUEST))]
        self._question_words = re.compile(lexicon.QUESTION_WORDS)

    def __call__(self, text, dangers=(), set_aside=()):
        """Features of a normalised message; `dangers` are the kinds of emergency nlp.urgency found in it, and
        `set_aside` why it passed over other danger words (negated, hypothetical, past, context)."""
        c = clean(text)
        out = grams(c)
        out.extend(latin_words(text))
        out.extend(self.rule_features(text, dangers, set_aside))
        first = next((p for p in CLAUSE.split(text) if len(p) >= 2), "")
        if first and len(first) < len(text):
            f = clean(first)
            out.extend("f:" + f[i:i + 2] for i in range(len(f) - 1))
        return out

    def clause(self, text, dangers=()):
        """The features of one clause of a message, for telling its problems apart (nlp/problems.py): the
        characters, the keywords and the emergencies, without the shapes of the whole message."""
        out = grams(clean(text))
        out.extend(latin_words(text))
        out.extend(self._keywords(text))
        out.extend("u:" + d for d in dangers)
        return out

    def _keywords(self, text):
        out = []
        denied = [m.span(1) for m in _DENIED.finditer(text)] if "是" in text else ()
        for m in self._keyword_re.finditer(text):
            kind = "n" if any(a <= m.start() < b for a, b in denied) else "k"
            for category, weight in self.keywords[m.group(0)].items():
                if weight > 0:
                    out.append(f"{kind}{min(weight, 3)}:{category}")
        return out

    def rule_features(self, text, dangers=(), set_aside=()):
        """What the rules see: keywords by category and strength, question and intent shapes, emergencies."""
        out = self._keywords(text)
        for name, pattern in self._patterns:
            m = pattern.search(text)
            if m:
                out.append(name)
                if name in ("p:progress", "p:info", "p:howto") and self._only_asks(text, pattern):
                    out.append(name + ":only")
        out.extend("u:" + d for d in dangers)
        if dangers:
            out.append("u:any")
        out.extend("u:why:" + r for r in set_aside)
        if _QUESTION.search(text):
            out.append("#q")
        n = len(text)
        out.append("#len" + ("1" if n <= 4 else "2" if n <= 10 else "3" if n <= 25 else "4" if n <= 60 else "5"))
        return out

    def _only_asks(self, text, question):
        """True when, beside the question, the message holds little more than polite words."""
        rest = question.sub("", text)
        rest = self._question_words.sub("", rest)
        return len(rest) <= 10


def grams(c):
    """Character 1-, 2- and 3-grams of a cleaned message."""
    out = []
    n = len(c)
    for i in range(n):
        out.append(c[i])
        if i + 1 < n:
            out.append(c[i:i + 2])
            if i + 2 < n:
                out.append(c[i:i + 3])
    return out
