"""Words of a message, cut by jieba over a trimmed base dictionary and the domain user dictionary.

jieba's own dictionary (349,046 words) takes seconds to load; the base dictionary here keeps the words common
enough to matter (nlp/dictionary.py builds both files from jieba's dictionary, the lexicon and the corpus),
and the user dictionary keeps the estate's words whole (5单元楼道 is 单元/楼道, not 单元楼/道).
"""

import functools
import logging
import re
import sys
from pathlib import Path


def _import_jieba():
    """Import jieba without pkg_resources: jieba only uses it to find its own files (we pass ours), and importing it
    took two thirds of jieba's import time; jieba falls back to plain open() when it is missing."""
    if "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # an ImportError for this one import
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()

DATA = Path(__file__).parent / "data"
BASE_DICT = DATA / "jieba_base.txt"
USER_DICT = DATA / "userdict.txt"
_HAN = re.compile(r"[\u4e00-\u9fff]")


@functools.cache
def tokenizer():
    """The one jieba.Tokenizer every analyzer shares, loaded on first use (its cache file goes where jieba puts it,
    in the system's temporary directory)."""
    jieba.setLogLevel(logging.WARNING)  # jieba logs each load at DEBUG level to stderr
    cutter = jieba.Tokenizer(dictionary=str(BASE_DICT))
    cutter.initialize()
    cutter.load_userdict(str(USER_DICT))
    return cutter


def words(text):
    """The words of a normalised message that hold a Chinese character (punctuation, numbers and spaces dropped)."""
    return [w for w in tokenizer().lcut(text, HMM=False) if _HAN.search(w)]
