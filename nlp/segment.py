"""jieba word segmentation with a trimmed base dictionary and the domain user dictionary, built once."""

import logging
from pathlib import Path

import jieba

DATA = Path(__file__).parent / "data"
BASE_DICT = DATA / "jieba_base.txt"
USER_DICT = DATA / "userdict.txt"


def build_tokenizer(extra_words=()):
    """Return a ready jieba.Tokenizer; the trimmed base dictionary keeps cold start short."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer(dictionary=str(BASE_DICT))
    tokenizer.initialize()
    tokenizer.load_userdict(str(USER_DICT))
    for word in extra_words:
        if len(word) > 1:
            tokenizer.add_word(word, 1000)
    return tokenizer
