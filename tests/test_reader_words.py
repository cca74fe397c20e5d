"""The reader reads words: jieba cuts each message over a trimmed base dictionary and the estate's user dictionary
(nlp/segment.py), and the models weigh those words beside the characters."""

import re
import tomllib
from pathlib import Path

import pytest

import nlp
from nlp import segment
from nlp.features import Featurizer
from nlp.text import normalize

ROOT = Path(__file__).resolve().parents[1]


def test_jieba_is_a_required_package_of_the_product_and_runs_without_paddle():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert [d for d in dependencies if re.match(r"jieba\b", d)]
    assert not [p for p in (ROOT / "nlp").rglob("*.py") if "enable_paddle" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("text, words", [
    ("5单元楼道", ["5", "单元", "楼道"]),
    ("3栋2单元楼道灯坏了", ["3", "栋", "2", "单元", "楼道灯", "坏了"]),
    ("下水道堵了", ["下水道", "堵了"]),
])
def test_the_estate_s_words_stay_whole(text, words):
    assert segment.tokenizer().lcut(text, HMM=False) == words


def test_the_models_weigh_jieba_s_words():
    features = Featurizer()(normalize("5单元楼道灯坏了"))
    assert "w:楼道灯" in features and "b:单元|楼道灯" in features
    vocabulary = nlp.default_analyzer().vocabulary.index
    assert "w:楼道灯" in vocabulary and sum(f.startswith("w:") for f in vocabulary) > 1000


def test_the_dictionaries_are_the_ones_their_command_builds():
    """nlp/data/jieba_base.txt and userdict.txt are made by `python -m nlp.dictionary` from jieba's own dictionary,
    the lexicon and the corpus: a change to any of them means a rebuild (then a retrain)."""
    from nlp import dictionary

    base, user = dictionary.build()
    assert base == segment.BASE_DICT.read_text(encoding="utf-8"), "run python -m nlp.dictionary"
    assert user == segment.USER_DICT.read_text(encoding="utf-8"), "run python -m nlp.dictionary"


@pytest.mark.parametrize("text", ["樓道著火了", "3號樓2單元樓道著火了，好大的煙"])
def test_fire_in_traditional_characters_is_an_emergency(text):
    result = nlp.analyze(text)
    assert normalize("著火") == "着火"
    assert result.urgent and result.danger == "fire" and result.intent == "complaint"
