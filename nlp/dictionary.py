"""Build the segmenter's dictionaries (nlp/data/jieba_base.txt, nlp/data/userdict.txt) from jieba's own
dictionary, the lexicon and the corpus.

Run: python -m nlp.dictionary   (after changing the lexicon or the corpus; then retrain: python -m nlp.train)

- The base dictionary is jieba's, less its rare words (loading all 349,046 takes 1-2 s): a word is kept when
  jieba counts it at least MIN_FREQ times, or when MIN_CORPUS_LINES lines of the corpus hold it.
- The user dictionary is the estate's vocabulary: every word of the lexicon's categories, phrases and neutral
  words, the places the corpus labels (location.spot), and jieba's words the corpus keeps using, each unless
  another of them usually crosses it (uncrossed).
"""

import functools
import logging
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import jieba

from . import corpus, lexicon
from .segment import BASE_DICT, USER_DICT
from .text import normalize

MIN_FREQ = 200
# jieba's rarer words stay when this many corpus lines hold them (楼道 is 100 in jieba's counts, 井盖 6).
MIN_CORPUS_LINES = 5
USER_FREQ = 2000  # high enough that a domain word beats the base words that straddle it (单元楼/道)
# The corpus's own words: those of jieba's that this many lines use.
MIN_USES = 30
# A word joins the user dictionary unless another crosses it in this share of the corpus lines that hold it.
CROSSED = 0.5
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def jieba_words():
    """{word: frequency} of jieba's own dictionary, read through its tokenizer."""
    out = {}
    with jieba.Tokenizer().get_dict_file() as f:
        for line in f:
            word, freq = line.decode("utf-8").split()[:2]
            out[word] = int(freq)
    return out


def lexicon_words():
    """Every word of two or more characters the lexicon lists."""
    found = set()
    for levels in lexicon.CATEGORY_KEYWORDS.values():
        for block in levels.values():
            found.update(block.split())
    found.update(lexicon.PHRASE_OVERRIDES)
    found.update(lexicon.NEUTRAL.split())
    return {w for w in found if len(w) > 1}


def uncrossed(candidates, texts):
    """The candidates that most corpus lines holding them hold whole, not crossed by another candidate: 楼顶漏 (a
    keyword) is dropped, for 楼顶漏水 is 楼顶 + 漏水; 楼道 stays. A word the corpus never holds is kept."""
    longest = max(map(len, candidates))
    seen, crossed = Counter(), Counter()
    for text in texts:
        hits = [(k, k + n) for n in range(2, longest + 1) for k in range(len(text) - n + 1)
                if text[k:k + n] in candidates]
        for a, b in hits:
            word = text[a:b]
            seen[word] += 1
            crossed[word] += any(c < a < d < b or a < c < b < d for c, d in hits)
    return {w for w in candidates if crossed[w] < CROSSED * seen[w] or not seen[w]}


def build(rows=None):
    """The base dictionary's and the user dictionary's text, from jieba's dictionary, the lexicon and these rows."""
    rows = corpus.load() if rows is None else rows
    texts = [normalize(r["text"]) for r in rows]
    held = Counter(g for t in set(texts) for g in {t[k:k + n] for n in range(2, 5) for k in range(len(t) - n + 1)})
    base = {w: f for w, f in jieba_words().items() if f >= MIN_FREQ or held[w] >= MIN_CORPUS_LINES}
    base_text = "".join(f"{w} {f}\n" for w, f in sorted(base.items()))
    jieba.setLogLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:  # the base words alone, to see what they cut
        path = Path(tmp) / "base.txt"
        path.write_text(base_text, encoding="utf-8")
        cutter = jieba.Tokenizer(dictionary=str(path))
        cutter.tmp_dir = tmp
        cutter.initialize()
    cut = functools.partial(cutter.lcut, HMM=False)
    spots = {r["location"].get("spot") for r in rows} - {None}
    uses = Counter(w for text in texts for w in set(cut(text)) if len(w) > 1 and _HAN.fullmatch(w))
    common = {w for w, n in uses.items() if n >= MIN_USES}
    user = uncrossed(lexicon_words() | {s for s in spots if len(s) > 1} | common, texts)
    return base_text, "".join(f"{w} {max(USER_FREQ, base.get(w, 0))}\n" for w in sorted(user))


def main():
    base, user = build()
    BASE_DICT.write_text(base, encoding="utf-8")
    USER_DICT.write_text(user, encoding="utf-8")
    print(f"wrote {BASE_DICT.name} ({base.count(chr(10))} words) and {USER_DICT.name} ({user.count(chr(10))} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
