"""Read one resident message: intent, category, urgency and address, from keyword rules blended with a learned model."""

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import lexicon
from .location import Location, parse
from .model import clean, load_models
from .scan import alternation
from .segment import build_tokenizer
from .subject import subject_in
from .text import normalize
from .urgency import danger_of, emergencies

INTENTS = ("complaint", "greeting", "help", "status_query", "cancel", "thanks", "chitchat")
CATEGORIES = tuple(lexicon.CATEGORY_KEYWORDS)
MODEL_PATH = Path(__file__).parent / "data" / "model.json"
OTHER_BELOW = 0.25
CONFIG_KEYS = {"min_confidence", "min_margin", "keywords", "urgent_keywords", "model_weight", "max_chars"}

# "不是坏了，是太亮了": words in the denied part should not decide the category.
_DENIED = re.compile(r"(?:不是|并不是|并非)([^,，。!！?？]{1,10}?)[,，\s]?(?:而|就|只)?是")
_NOBODY_FIXES = alternation([lexicon.NOBODY_FIXES])
_HAS_TEXT = re.compile(r"[\u4e00-\u9fffa-z0-9]")


@dataclass(frozen=True)
class Analysis:
    """What the bot understood from one message."""

    intent: str
    category: str | None
    urgent: bool
    location: Location
    confidence: float
    runner_up: str | None = None
    runner_up_score: float = 0.0
    danger: str | None = None  # the kind of emergency (nlp.urgency.DANGERS) when urgent, for the safety advice
    subject: str | None = None  # the thing that is broken, within the category (nlp/subject.py)
    min_confidence: float = field(default=0.45, repr=False)
    min_margin: float = field(default=0.15, repr=False)

    @property
    def ambiguous(self):
        """True when the bot should ask which category is meant instead of guessing."""
        if self.intent != "complaint":
            return False
        return self.confidence < self.min_confidence or self.confidence - self.runner_up_score < self.min_margin

    def to_dict(self):
        data = asdict(self)
        data["ambiguous"] = self.ambiguous
        return data


class Analyzer:
    """Holds the dictionaries and models; build once, then call analyze() per message."""

    def __init__(self, keywords=None, urgent_keywords=(), min_confidence=0.45, min_margin=0.15,
                 model_weight=0.5, max_chars=400, model_path=MODEL_PATH):
        self.min_confidence = min_confidence
        self.min_margin = min_margin
        self.model_weight = model_weight
        self.max_chars = max_chars
        table = {}
        for category, levels in lexicon.CATEGORY_KEYWORDS.items():
            for weight, block in levels.items():
                for word in block.split():
                    table.setdefault(word, {})[category] = weight
        for word, (category, weight) in lexicon.PHRASE_OVERRIDES.items():
            table.setdefault(word, {})[category] = table.get(word, {}).get(category, 0) + weight
        for word in lexicon.NEUTRAL.split():
            table.setdefault(word, {})
        for category, words in (keywords or {}).items():
            for word in words:
                table.setdefault(normalize(word), {})[category] = 3
        self.keywords = table
        self.categories = tuple(dict.fromkeys([*CATEGORIES, *(keywords or {})]))
        self._keyword_re = re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True))))
        self._urgent_re = (re.compile("|".join(re.escape(normalize(w)) for w in urgent_keywords))
                           if urgent_keywords else None)
        self._intent_res = {k: re.compile("|".join(v)) for k, v in lexicon.INTENT_PATTERNS.items()}
        self._chitchat_re = re.compile(lexicon.CHITCHAT)
        self._cue_re = re.compile(lexicon.PROBLEM_CUES)
        self._grievance_re = re.compile(lexicon.GRIEVANCE)
        self._progress_re = alternation([lexicon.PROGRESS_ASK])
        self._howto_re = re.compile(lexicon.HOWTO_ASK)
        self._info_re = alternation([lexicon.INFO_ASK])
        self._waited_re = re.compile(lexicon.WAITED)
        self._question_words_re = re.compile(lexicon.QUESTION_WORDS)
        self._stated_re = re.compile(lexicon.STATED)
        self.tokenizer = build_tokenizer(extra_words=[w for ws in (keywords or {}).values() for w in ws])
        _, self.intent_model, self.category_model = load_models(model_path)
        self.analyze("三号楼二单元五零一楼道灯不亮")  # load OpenCC, cn2an and the jieba caches now

    @classmethod
    def from_config(cls, mapping):
        """Build from the `nlp:` section of config.yaml; raise ValueError naming any bad key."""
        mapping = dict(mapping or {})
        unknown = set(mapping) - CONFIG_KEYS
        if unknown:
            raise ValueError(f"nlp: unknown key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(CONFIG_KEYS))})")
        for key in ("min_confidence", "min_margin", "model_weight"):
            if key in mapping:
                value = mapping[key]
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                    raise ValueError(f"nlp.{key}: expected a number between 0 and 1, got {value!r}")
        if "max_chars" in mapping and (not isinstance(mapping["max_chars"], int) or mapping["max_chars"] < 10):
            raise ValueError(f"nlp.max_chars: expected an integer >= 10, got {mapping['max_chars']!r}")
        keywords = mapping.get("keywords") or {}
        if not isinstance(keywords, dict):
            raise ValueError("nlp.keywords: expected a mapping of category code to a list of words")
        for code, words in keywords.items():
            if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", code) or code in INTENTS:
                raise ValueError(f"nlp.keywords.{code}: category codes are lower-case identifiers")
            if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
                raise ValueError(f"nlp.keywords.{code}: expected a list of non-empty strings")
        urgent = mapping.get("urgent_keywords") or []
        if not isinstance(urgent, list) or not all(isinstance(w, str) and w.strip() for w in urgent):
            raise ValueError("nlp.urgent_keywords: expected a list of non-empty strings")
        return cls(keywords={k: [w.strip() for w in v] for k, v in keywords.items()},
                   urgent_keywords=[w.strip() for w in urgent],
                   **{k: mapping[k] for k in ("min_confidence", "min_margin", "model_weight", "max_chars")
                      if k in mapping})

    def analyze(self, text):
        """Analyse one message; never raises on a str."""
        text = normalize(text if isinstance(text, str) else str(text), self.max_chars)
        location = parse(text)
        if not _HAS_TEXT.search(text):
            thanks = self._intent_res["thanks"].search(text)
            return self._result("thanks" if thanks else "chitchat", None, False, location, 0.9)
        feats = (clean(text), self.tokenizer.lcut(text))  # what both models score
        rule = self._rule_scores(text)
        found = emergencies(text)
        urgent = bool(found) or bool(self._urgent_re and self._urgent_re.search(text))
        for kind, danger in found:  # "一股臭鸡蛋味" is a gas emergency before it is a smell
            # A person down now is the problem itself; weak hints around it ("倒在楼梯上", "头破了") are not.
            rule[kind] = rule.get(kind, 0) + (3 if danger == "medical" else 2)
        intent, intent_conf = self._intent(text, feats, rule, urgent)
        if intent != "complaint":
            return self._result(intent, None, False, location, intent_conf)
        ranked = self._categories(feats, rule)
        (best, p1), (second, p2) = ranked[0], ranked[1]
        return self._result("complaint", best, urgent, location, p1, second, p2, danger_of(found),
                            subject_in(text, best))

    def _result(self, intent, category, urgent, location, confidence, runner_up=None, runner_up_score=0.0,
                danger=None, subject=None):
        return Analysis(intent, category, urgent, location, round(confidence, 4), runner_up,
                        round(runner_up_score, 4), danger, subject, self.min_confidence, self.min_margin)

    def _rule_scores(self, text):
        denied = [m.span(1) for m in _DENIED.finditer(text)]
        tails = [m.span() for m in _NOBODY_FIXES.finditer(text)]
        scores, told = {}, {}
        for m in self._keyword_re.finditer(text):
            if any(a <= m.start() < b for a, b in denied):
                continue
            into = told if any(a <= m.start() < b for a, b in tails) else scores
            for category, weight in self.keywords[m.group(0)].items():
                into[category] = into.get(category, 0) + weight
        if told and max((v for k, v in scores.items() if k != "property"), default=0) >= 3:
            told.pop("property", None)  # the thing is named: nobody fixing it is no second problem
        for category, weight in told.items():
            scores[category] = scores.get(category, 0) + weight
        return scores

    def _intent(self, text, feats, rule, urgent):
        if urgent:
            return "complaint", 0.95
        strength = max(rule.values(), default=0)
        matched = [k for k, pattern in self._intent_res.items() if pattern.search(text)]
        for intent in ("greeting", "cancel", "status_query"):
            if intent in matched:
                return intent, 0.95
        # "电梯修好了吗" asks after a repair and "物业费怎么交" how to pay; neither reports a problem.
        if self._only_asks(text, self._progress_re, chase=True):
            return "status_query", 0.9
        if self._only_asks(text, self._howto_re) or self._only_asks(text, self._info_re):
            return "help", 0.9
        # "怎么报修" asks how to use the bot: words about reporting are not a problem in themselves.
        concrete = max((v for k, v in rule.items() if k != "property"), default=0)
        if "help" in matched and concrete < 3 and rule.get("property", 0) <= 4 and not self._grievance_re.search(text):
            return "help", 0.9
        if "thanks" in matched and strength < 3:
            return "thanks", 0.9
        if strength >= 3:  # the keywords settle it; the model's say could not change the answer
            return "complaint", 0.9
        probs = self.intent_model.score(*feats)
        p_complaint = probs.get("complaint", 0.0)
        if strength >= 2 and p_complaint > 0.2:
            return "complaint", max(p_complaint, 0.6)
        if self._chitchat_re.search(text):
            return "chitchat", 0.8
        if p_complaint >= 0.5 and (strength >= 1 or self._cue_re.search(text)):
            return "complaint", p_complaint
        others = {k: v for k, v in probs.items() if k != "complaint"}
        best = max(others, key=others.get)
        return (best, others[best]) if others[best] >= 0.3 else ("chitchat", 1 - p_complaint)

    def _only_asks(self, text, question, chase=False):
        """True when the message asks that question and, beside it, only names what it asks about (and, chasing, how
        long it has waited)."""
        rest, asked = question.subn("", text)
        if not asked:
            return False
        if chase:
            rest = self._waited_re.sub("", rest)
        rest = self._question_words_re.sub("", rest)
        return len(rest) <= 10 and not self._cue_re.search(rest) and not self._stated_re.search(rest)

    def _categories(self, feats, rule):
        model = self.category_model.score(*feats)
        total = sum(rule.values())
        w = self.model_weight if total else 1.0
        blended = {}
        for c in self.categories:
            r = rule.get(c, 0) / total if total else 0.0
            blended[c] = w * model.get(c, 0.0) + (1 - w) * r
        ranked = sorted(blended.items(), key=lambda kv: kv[1], reverse=True)
        if not total and ranked[0][1] < OTHER_BELOW and ranked[0][0] != "other":
            # No keyword at all and a model that hardly leans anywhere: a problem we have no name for.
            ranked = [("other", ranked[0][1]), *ranked]
        return ranked
