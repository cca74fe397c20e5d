"""jieba word segmentation with a trimmed base dictionary and the domain user dictionary, built once.

`Segmenter.lcut` gives exactly what jieba's `Tokenizer.lcut(text)` (HMM on) gives for the same dictionary, in
about half the time: the words' log-probabilities are worked out once at start instead of at every message,
and the route and the HMM's Viterbi pass for unknown words run with fewer lookups (tests/test_nlp.py holds
both to the same words). The reader segments every message, so this is on the webhook's path.
"""

import functools
import logging
import re
from math import log
from pathlib import Path

import jieba
from jieba import finalseg

DATA = Path(__file__).parent / "data"
BASE_DICT = DATA / "jieba_base.txt"
USER_DICT = DATA / "userdict.txt"

# jieba's own patterns (jieba.re_han_default, jieba.re_skip_default, finalseg.re_han, finalseg.re_skip).
_HAN = jieba.re_han_default
_SKIP = jieba.re_skip_default
_HMM_HAN = finalseg.re_han
_HMM_SKIP = finalseg.re_skip
_MIN = finalseg.MIN_FLOAT
_STATES = "BMES"
_PREV = {"B": "ES", "M": "MB", "S": "SE", "E": "BM"}
_MISSING = object()


def build_tokenizer(extra_words=()):
    """Return a ready Segmenter, shared by analyzers that add the same words."""
    return _tokenizer(tuple(sorted(set(extra_words))))


@functools.lru_cache(maxsize=8)
def _tokenizer(extra_words):
    # The trimmed base dictionary keeps cold start short (the full one takes about 1 s to load).
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer(dictionary=str(BASE_DICT))
    tokenizer.initialize()
    tokenizer.load_userdict(str(USER_DICT))
    for word in extra_words:
        if len(word) > 1:
            tokenizer.add_word(word, 1000)
    return Segmenter(tokenizer)


class Segmenter:
    """jieba's default cut (`cut_all=False, HMM=True`) over a finished jieba.Tokenizer's dictionary.

    The tokenizer must not change afterwards (no add_word): its frequencies are read once, here.
    """

    def __init__(self, tokenizer: jieba.Tokenizer):
        self.jieba = tokenizer
        logtotal = log(tokenizer.total)
        # jieba scores a word as log(FREQ.get(word) or 1) - log(total): the same floats, computed once. A key
        # with frequency 0 is a prefix of longer words, kept (as None) so the route can look further: one lookup
        # per step of the route.
        self._step = {word: (log(f) - logtotal if f else None) for word, f in tokenizer.FREQ.items()}
        # What jieba gives a character that starts no word (absent, or a prefix only): log(1) - log(total).
        self._unknown = log(1) - logtotal
        self._start = finalseg.start_P
        self._trans = {y: {y0: finalseg.trans_P[y0].get(y, _MIN) for y0 in _PREV[y]} for y in _STATES}
        self._emit = finalseg.emit_P

    def lcut(self, sentence: str) -> list[str]:
        out: list[str] = []
        cut_block = self._cut_block
        for block in _HAN.split(sentence):
            if not block:
                continue
            if _HAN.match(block):
                cut_block(block, out)
            else:
                for part in _SKIP.split(block):
                    if _SKIP.match(part):
                        out.append(part)
                    else:
                        out.extend(part)
        return out

    def _cut_block(self, sentence: str, out: list[str]) -> None:
        """jieba's `__cut_DAG`: the likeliest route through the dictionary's words; runs of single characters that
        are no word go to the HMM."""
        step, unknown, missing = self._step, self._unknown, _MISSING
        n = len(sentence)
        # jieba's route[i]: (the best score from i to the end, the end of the word starting at i).
        best_score = [0.0] * (n + 1)
        best_end = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            top = end = None
            i = k
            frag = sentence[k]
            value = step.get(frag, missing)
            while value is not missing:
                if value is not None:
                    value += best_score[i + 1]
                    # max() over (score, end) tuples: a tie goes to the longer word.
                    if top is None or value >= top:
                        top, end = value, i
                i += 1
                if i >= n:
                    break
                frag = sentence[k:i + 1]
                value = step.get(frag, missing)
            if end is None:  # no word starts here: the character alone, scored as an unknown word
                top, end = unknown + best_score[k + 1], k
            best_score[k], best_end[k] = top, end
        x, buf = 0, ""
        while x < n:
            y = best_end[x] + 1
            word = sentence[x:y]
            if y - x == 1:
                buf += word
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            self._flush(buf, out)

    def _flush(self, buf: str, out: list[str]) -> None:
        if len(buf) == 1:
            out.append(buf)
        elif self._step.get(buf) is None:  # no word (absent, or a prefix only): jieba's `not FREQ.get(buf)`
            self._hmm(buf, out)
        else:
            out.extend(buf)

    def _hmm(self, sentence: str, out: list[str]) -> None:
        """jieba's `finalseg.cut`."""
        force_split = finalseg.Force_Split_Words
        for block in _HMM_HAN.split(sentence):
            if _HMM_HAN.match(block):
                for word in self._viterbi_words(block):
                    if word not in force_split:
                        out.append(word)
                    else:
                        out.extend(word)
            else:
                out.extend(x for x in _HMM_SKIP.split(block) if x)

    def _viterbi_words(self, obs: str) -> list[str]:
        """finalseg's Viterbi pass over BMES and the words it marks, with back-pointers for its copied paths."""
        emit, trans = self._emit, self._trans
        first = obs[0]
        v = {y: self._start[y] + emit[y].get(first, _MIN) for y in _STATES}
        back = []
        for t in range(1, len(obs)):
            ch = obs[t]
            nv, ptr = {}, {}
            for y in _STATES:
                em = emit[y].get(ch, _MIN)
                into = trans[y]
                # max() over (prob, state) tuples, as finalseg.viterbi: a tie goes to the later letter.
                prob, state = max([(v[y0] + into[y0] + em, y0) for y0 in _PREV[y]])
                nv[y], ptr[y] = prob, state
            v = nv
            back.append(ptr)
        _, state = max((v[y], y) for y in "ES")
        states = [state]
        for ptr in reversed(back):
            state = ptr[state]
            states.append(state)
        states.reverse()
        words, begin, nexti = [], 0, 0
        for i, char in enumerate(obs):
            pos = states[i]
            if pos == "B":
                begin = i
            elif pos == "E":
                words.append(obs[begin:i + 1])
                nexti = i + 1
            elif pos == "S":
                words.append(char)
                nexti = i + 1
        if nexti < len(obs):
            words.append(obs[nexti:])
        return words
