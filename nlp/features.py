"""What the learned models see of a message: its character grams, and what the hand-made rules found in it.

The rules' findings (category keywords, the shapes of a question, a thanks or a cancel, an emergency) are
features, not verdicts: the models learn from the data how far to trust each of them.
The same function trains (nlp/train.py) and predicts (nlp/analyzer.py).
"""

import re

from . import lexicon, segment
from .scan import alternation

# Which word features the models see (jieba's words of the message): unigrams, and bigrams of adjacent words.
WORDS = True
WORD_BIGRAMS = True

_DROP = re.compile(r"[^\w\u4e00-\u9fff]+")
_DIGITS = re.compile(r"\d+")
_LATIN = re.compile(r"[a-z]+")
# Where one clause ends and the next begins (the first clause is often the main problem).
CLAUSE = re.compile(r"[,，。!！?？;；:：、\s]+|还有|另外|而且|并且|同时|再就是|然后")
# "不是坏了，是太亮了": words in the denied part count apart.
_DENIED = re.compile(r"(?:不是|并不是|并非)([^,，。!！?？]{1,10}?)[,，\s]?(?:而|就|只)?是")
# Where a message turns to something else ("谢谢，不过楼道灯又坏了", "取消吧，另外井盖没了"): what follows is read apart.
TURN = re.compile(r"但是|但(?!愿)|不过|可是|可(?![以能怜乐爱惜])|另外|还有|顺便|对了|再就是|然后|就是|结果|没(几|两)天|没多久|才几天")
TAIL = True
SHAPE = True
DANGER = True
_ASKING = re.compile(r"请问|咨询|想问|问一?下|问问|是否|有没有|能不能|可不可以|是不是|多少|几点|什么时候|啥时候|怎么|如何|哪里|哪儿")
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
    for category, block in lexicon.ENGLISH_KEYWORDS.items():
        for word in _english(block):
            table.setdefault(word, {})[category] = 3
    for category, words in (extra or {}).items():
        for word in words:
            table.setdefault(word, {})[category] = 3
    return table


class Featurizer:
    """Turns a normalised message into the list of feature names both models score."""

    def __init__(self):
        self.keywords = keyword_table()
        # Latin words match whole, by their own pattern, tried only on a message that holds a Latin letter: their
        # lookarounds in the one alternation would make every message's scan several times slower.
        ordered = sorted(self.keywords, key=len, reverse=True)
        self._keyword_re = re.compile("|".join(re.escape(w) for w in ordered if not _whole(w)))
        self._latin_re = re.compile(rf"(?<![a-z])(?:{'|'.join(re.escape(w) for w in ordered if _whole(w))})(?![a-z])")
        self._patterns = [(f"p:{k}", re.compile("|".join(v))) for k, v in lexicon.INTENT_PATTERNS.items()]
        self._patterns += [("p:progress", alternation([lexicon.PROGRESS_ASK])), ("p:info", alternation([lexicon.INFO_ASK])),
                           ("p:howto", re.compile(lexicon.HOWTO_ASK)), ("p:grievance", re.compile(lexicon.GRIEVANCE)),
                           ("p:chitchat", re.compile(lexicon.CHITCHAT)), ("p:fond", re.compile(lexicon.FOND)), ("p:cue", re.compile(lexicon.PROBLEM_CUES)),
                           ("p:stated", re.compile(lexicon.STATED)), ("p:waited", re.compile(lexicon.WAITED)),
                           ("p:nobody", alternation([lexicon.NOBODY_FIXES])), ("p:request", re.compile(lexicon.REQUEST))]
        self._question_words = re.compile(lexicon.QUESTION_WORDS)
        self._danger = [(kind, _words(block)) for kind, block in lexicon.DANGER_WORDS.items()]
        self._danger_now = _words(lexicon.DANGER_NOW)

    def __call__(self, text, dangers=(), set_aside=()):
        """Features of a normalised message; `dangers` are the kinds of emergency nlp.urgency found in it, and
        `set_aside` why it passed over other danger words (negated, hypothetical, past, context)."""
        c = clean(text)
        out = grams(c)
        out.extend(latin_words(text))
        out.extend(word_features(text))
        out.extend(self.rule_features(text, dangers, set_aside))
        if TAIL:
            out.extend(self.tail(text))
        first = next((p for p in CLAUSE.split(text) if len(p) >= 2), "")
        if first and len(first) < len(text):
            f = clean(first)
            out.extend("f:" + f[i:i + 2] for i in range(len(f) - 1))
        return out

    def tail(self, text):
        """What the rules see after the message turns ("t:k3:lighting", "t:p:cue"): a thanks, a cancel or a chase
        that goes on to tell a new problem reports it."""
        m = TURN.search(text)
        if not m or len(text) - m.end() < 3:
            return []
        rest = text[m.end():]
        out = ["t:turn"]
        said = [f for f in self.rule_features(rest) if not f.startswith("#len")]
        out.extend("t:" + f for f in said)
        if any(f[:3] in ("k3:", "k2:", "u:a") for f in said) and any(f in ("p:cue", "p:stated") for f in said):
            out.append("t:report")  # what follows the turn names a thing and what is wrong with it
        return out

    def clause(self, text, dangers=(), keywords=None):
        """The features of one clause of a message, for telling its problems apart (nlp/problems.py): the
        characters, the keywords (when not already found) and the emergencies, without the shapes of the whole
        message."""
        out = grams(clean(text))
        out.extend(latin_words(text))
        out.extend(self._keywords(text) if keywords is None else keywords)
        out.extend("u:" + d for d in dangers)
        return out

    def keywords_in(self, text):
        """The category keywords of a normalised text by strength ("k3:lighting"; "n3:..." where denied)."""
        return self._keywords(text)

    def _keywords(self, text):
        out = []
        denied = [m.span(1) for m in _DENIED.finditer(text)] if "是" in text else ()
        found = self._keyword_re.finditer(text)
        if _LATIN.search(text):
            found = [*found, *self._latin_re.finditer(text)]
        for m in found:
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
        if DANGER:
            kinds = [kind for kind, pattern in self._danger if pattern.search(text)]
            now = bool(self._danger_now.search(text))
            for kind in kinds:
                out.append("d:" + kind)
                if now:
                    out.append("d:now:" + kind)
            if len(kinds) > 1:
                out.append("d:several")
        asks = bool(_QUESTION.search(text))
        if asks:
            out.append("#q")
        if SHAPE:
            # How the message is built, as one feature: a question or not, with or without words of a problem
            # (坏, 漏, 没人管), of a category, of a change (了, 停): "请问垃圾一天收几次" asks, "垃圾三天没人收了" reports.
            has = {f[:2] for f in out}
            out.append("x:" + "".join("1" if c else "0" for c in (
                asks or "p:info" in out or "p:howto" in out or _ASKING.search(text), "p:cue" in out,
                "k3" in has or "k2" in has, "p:stated" in out)))
        n = len(text)
        out.append("#len" + ("1" if n <= 4 else "2" if n <= 10 else "3" if n <= 25 else "4" if n <= 60 else "5"))
        return out

    def _only_asks(self, text, question):
        """True when, beside the question, the message holds little more than polite words."""
        rest = question.sub("", text)
        rest = self._question_words.sub("", rest)
        return len(rest) <= 10


def _english(block):
    """The words and phrases of an English keyword block ("water+pressure" is "water pressure")."""
    return [w.replace("+", " ") for w in block.split()]


def _whole(word):
    """True for a keyword of Latin letters, which matches only as a whole word ("lift" is not in "shoplifting")."""
    return word.isascii() and word[:1].isalpha()


def _words(block):
    """One pattern of the space-separated words of a lexicon block."""
    return re.compile("|".join(map(re.escape, sorted(block.split(), key=len, reverse=True))))


def word_features(text):
    """jieba's words of the message ("w:楼道灯") and each two adjacent words ("b:楼道灯|坏了")."""
    if not WORDS:
        return []
    found = segment.words(text)
    out = ["w:" + w for w in found]
    if WORD_BIGRAMS:
        out.extend(f"b:{a}|{b}" for a, b in zip(found, found[1:]))
    return out


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
