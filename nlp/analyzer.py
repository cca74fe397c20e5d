"""Read one resident message: learned models for intent and category, exact rules for urgency, address and place."""

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import lexicon
from . import model as models
from .corpus import CATEGORIES as BUILT_IN
from .corpus import INTENTS
from .features import Featurizer
from .location import Location, parse
from .problems import Problem, find_problems
from .spot import Spotter
from .subject import subject_in
from .text import normalize
from .urgency import danger_of, scan

CATEGORIES = BUILT_IN
MODEL_PATH = Path(__file__).parent / "data" / "model.json"
CONFIG_KEYS = {"min_confidence", "min_margin", "keywords", "urgent_keywords", "max_chars", "unsure_between"}
# A community's own keyword counts this much probability toward its category (then all are scaled back to 1).
KEYWORD_BOOST = 0.6
# Below this the category model is unsure, and an emergency's kind (nlp.urgency.KIND) adds this much to its category.
UNSURE_CATEGORY = 0.5
# Venting asks more than unsure: this likely a report at most (issue #21 round 5: widening it with intent_unsure's
# band to 0.1-0.9 would have left 6 more of round 4's 410 reports unfiled).
VENTING_BETWEEN = (0.2, 0.8)
EMERGENCY_KIND = 0.25
# The kind of danger of an emergency the model found and the rules did not name, by its category (for the advice).
DANGER_OF = {"gas": "gas", "elevator": "trapped", "safety": "fire", "ebike": "fire", "facilities": "fall",
             "leak": "electric", "lighting": "electric", "other": "medical"}
_HAS_TEXT = re.compile(r"[\u4e00-\u9fffa-z0-9]")
# What an address alone is made of ("7号楼1单元301", "我住5-2-401", "B座"): such a message answers "where?" and
# reports nothing.
_ADDRESS_ONLY = re.compile(r"(?:[\d\-#a-z零〇一二两三四五六七八九十百幺号楼栋幢座单元室门房层的\s,，。.、:：]|我|住|家|在|是|就)+")
_THANKS = re.compile(r"👍|🙏|💐|❤|♥|🌹|谢")
_INSULT = re.compile(lexicon.INSULT)
_STAFF = re.compile(lexicon.STAFF)


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
    complaint_probability: float = 0.0  # how sure the reader is that this reports a problem (1.0 for an emergency)
    problems: tuple[Problem, ...] = ()  # one per separate problem told, the main one first; () when no complaint
    insult: bool = False  # the message insults people (物业都是废物) and names neither a place nor a member of staff
    min_confidence: float = field(default=0.45, repr=False)
    min_margin: float = field(default=0.15, repr=False)
    unsure_between: tuple[float, float] = field(default=(0.1, 0.9), repr=False)

    @property
    def ambiguous(self):
        """True when the bot should ask which category is meant instead of guessing."""
        if self.intent != "complaint":
            return False
        return self.confidence < self.min_confidence or self.confidence - self.runner_up_score < self.min_margin

    @property
    def intent_unsure(self):
        """True when the reader cannot tell a report from something else (thanks, a question, a chase): the bot
        should ask (回复1 反映问题 / 2 其他) rather than open a ticket or let the report go."""
        low, high = self.unsure_between
        return not self.urgent and low <= self.complaint_probability <= high

    @property
    def venting(self):
        """True for a grumble read as a report that tells nothing to fix (an insult, or words the reader is unsure
        report anything, naming no place and no thing): answer it, never file it. A member of staff named at a
        place ("3号楼物业保洁不干活") is a report about a service."""
        if self.intent != "complaint" or self.urgent:
            return False
        place = self.location.building or self.location.spot
        unsure = self.intent_unsure and VENTING_BETWEEN[0] <= self.complaint_probability <= VENTING_BETWEEN[1]
        return self.insult or (unsure and not (place or self.subject))

    def to_dict(self):
        data = asdict(self)
        for key in ("min_confidence", "min_margin", "unsure_between"):
            data.pop(key)
        data["ambiguous"] = self.ambiguous
        data["intent_unsure"] = self.intent_unsure
        data["venting"] = self.venting
        return data


class Analyzer:
    """Holds the models and rules; build once, then call analyze() per message."""

    def __init__(self, keywords=None, urgent_keywords=(), min_confidence=0.45, min_margin=0.15, max_chars=400,
                 unsure_between=(0.1, 0.9), model_path=MODEL_PATH, model=None):
        self.min_confidence = min_confidence
        self.min_margin = min_margin
        self.unsure_between = tuple(unsure_between)
        self.max_chars = max_chars
        loaded = models.from_dict(model) if model is not None else models.load(str(model_path))
        self.vocabulary = loaded["vocabulary"]
        self.intent_model, self.category_model = loaded["intent"], loaded["category"]
        self.urgent_model, self.urgent_above = loaded["urgent"], loaded["thresholds"].get("urgent", 1.0)
        self.urgent_ungated_above = loaded["thresholds"].get("urgent_ungated", 1.0)
        self.featurizer = Featurizer()
        self.spotter = Spotter(loaded["spots"])
        self.categories = tuple(dict.fromkeys([*CATEGORIES, *(keywords or {})]))
        # A community's own words (config.yaml nlp.keywords): each found names its category outright.
        own = {normalize(w): c for c, ws in (keywords or {}).items() for w in ws}
        self._own = own
        self._own_re = re.compile("|".join(map(re.escape, sorted(own, key=len, reverse=True)))) if own else None
        self._urgent_re = (re.compile("|".join(re.escape(normalize(w)) for w in urgent_keywords))
                           if urgent_keywords else None)
        self.analyze("三号楼二单元五零一楼道灯不亮，还有垃圾没人收")  # load OpenCC and fill the caches now

    @classmethod
    def from_config(cls, mapping):
        """Build from the `nlp:` section of config.yaml; raise ValueError naming any bad key."""
        mapping = dict(mapping or {})
        unknown = set(mapping) - CONFIG_KEYS
        if unknown:
            raise ValueError(f"nlp: unknown key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(CONFIG_KEYS))})")
        for key in ("min_confidence", "min_margin"):
            if key in mapping:
                value = mapping[key]
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                    raise ValueError(f"nlp.{key}: expected a number between 0 and 1, got {value!r}")
        if "max_chars" in mapping and (not isinstance(mapping["max_chars"], int) or mapping["max_chars"] < 10):
            raise ValueError(f"nlp.max_chars: expected an integer >= 10, got {mapping['max_chars']!r}")
        if "unsure_between" in mapping:
            band = mapping["unsure_between"]
            if (not isinstance(band, list) or len(band) != 2 or not all(isinstance(v, (int, float)) and
                                                                        not isinstance(v, bool) for v in band)
                    or not 0 <= band[0] <= band[1] <= 1):
                raise ValueError(f"nlp.unsure_between: expected [low, high] with 0 <= low <= high <= 1, got {band!r}")
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
                   **{k: mapping[k] for k in ("min_confidence", "min_margin", "max_chars", "unsure_between")
                      if k in mapping})

    def analyze(self, text):
        """Analyse one message; never raises on a str."""
        text = normalize(text if isinstance(text, str) else str(text), self.max_chars)
        location = parse(text)
        location = Location(location.building, location.unit, location.room, self.spotter(text))
        if not _HAS_TEXT.search(text):
            return self._result("thanks" if _THANKS.search(text) else "chitchat", None, False, location, 0.9)
        if location and _ADDRESS_ONLY.fullmatch(text):
            return self._result("chitchat", None, False, location, 0.9)
        found, set_aside = scan(text)
        urgent = bool(found) or bool(self._urgent_re and self._urgent_re.search(text))
        feats = self.featurizer(text, sorted({e.danger for e in found}), sorted(set_aside))
        vec = self.vocabulary.vector(feats)
        sums = self.vocabulary.sums(vec)  # every model's sums in one pass over the features
        intents = self.intent_model.predict_vector(vec, sums)
        p_complaint = intents.get("complaint", 0.0)
        if urgent:  # an emergency is a report, whatever else the message says
            intent, p_intent, p_complaint = "complaint", 1.0, 1.0
        else:
            intent = max(intents, key=intents.get)
            p_intent = intents[intent]
            if intent == "chitchat" and _INSULT.search(text) and not (location or _STAFF.search(text)):
                # An insult at people reads as a complaint that is venting: the handlers answer it as a grumble
                # (with where an open ticket stands) and never file it.
                intent = "complaint"
        if intent != "complaint":
            return self._result(intent, None, False, location, p_intent, complaint_probability=p_complaint)
        own = [self._own[m.group(0)] for m in self._own_re.finditer(text)] if self._own_re else []
        scores = self._category_scores(vec, own, sums)
        if found and max(scores.values()) < UNSURE_CATEGORY:
            # The model hardly leans anywhere ("🔥🔥🔥 5号楼"): the emergency's own kind breaks the tie.
            kind = next(e.category for e in found if e.danger == danger_of(found))
            scores[kind] = scores.get(kind, 0.0) + EMERGENCY_KIND
            total = sum(scores.values())
            scores = {c: v / total for c, v in scores.items()}
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        (best, p1), (second, p2) = ranked[0], ranked[1]
        danger = danger_of(found)
        if not urgent and not set_aside and self.urgent_model is not None:
            # Said in words the rules do not know at all ("电梯不动了，我们在里面"): the model, above a threshold
            # fitted on writers it did not train on, where the message holds a word residents use of a danger, and
            # above a second, higher one fitted the same way where it holds none ("上不来下不去 闷得慌").
            # What the rules set aside (past, negated, a what-if) stays so.
            gated = any(f.startswith("d:") for f in feats)
            above = self.urgent_above if gated else self.urgent_ungated_above
            if above < 1.0 and self.urgent_model.predict_vector(vec, sums).get("True", 0.0) >= above:
                urgent, danger = True, DANGER_OF.get(best)
        problems = find_problems(self, text, best, found, location, urgent)
        insult = bool(_INSULT.search(text)) and not (location or _STAFF.search(text))
        return self._result("complaint", best, urgent, location, p1, second, p2, danger,
                            subject_in(text, best), p_complaint, problems, insult)

    def _category_scores(self, vec, own, sums=None):
        scores = dict.fromkeys(self.categories, 0.0)
        scores.update(self.category_model.predict_vector(vec, sums))
        if own:
            for category in own:
                scores[category] += KEYWORD_BOOST
            total = sum(scores.values())
            scores = {c: v / total for c, v in scores.items()}
        return scores

    def _result(self, intent, category, urgent, location, confidence, runner_up=None, runner_up_score=0.0,
                danger=None, subject=None, complaint_probability=0.0, problems=(), insult=False):
        return Analysis(intent, category, urgent, location, round(confidence, 4), runner_up, round(runner_up_score, 4),
                        danger, subject, round(complaint_probability, 4), tuple(problems), insult, self.min_confidence,
                        self.min_margin, self.unsure_between)


__all__ = ["Analysis", "Analyzer", "CATEGORIES", "INTENTS", "Problem"]
