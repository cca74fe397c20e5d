"""The place in the estate a message names that is not a building: 大门口, 北门, 地下车库, 小广场, 后面那条路."""

import re

# What residents write for a place, and the short name it is labelled with. The places the corpus labels
# (model.json's "spots", learned by nlp/train.py) are added to these.
ALIASES = [
    (r"地下车库|地下停车场|地下停车库|地库|(?:负[一二三]层|[bB][123])?车库", "地下车库"),
    (r"小区(?:的)?(?:大)?门口?|大门口|大门(?![坏锁关开])|正门口?", "大门口"),
    (r"([东南西北])(?:大|侧|边的|边那个)?门(?:口|岗|那)?", r"\1门"),
    (r"后门口?", "后门"),
    (r"(?:楼|房子)?(?:后面|后边|后头|背后)(?:那条|那个|的)?小?路", "后面那条路"),
    (r"主干道|主干路|小区主路|中间那条(?:大)?路", "主干道"),
    (r"(?:小|中心)广场(?!舞)|广场上", "小广场"),
    (r"(?:电动车|电瓶车|自行车|非机动车|充电)?车棚", "车棚"),
    (r"垃圾(?:中转)?站|垃圾房|垃圾亭", "垃圾站"),
    (r"篮球场", "篮球场"),
    (r"健身(?:区|器材区|角|广场)", "健身区"),
    (r"凉亭|亭子", "凉亭"),
    (r"(?<![中心小户])花园", "花园"),
    (r"配电(?:房|室)", "配电房"),
    (r"幼儿园(?:那个)?门口", "幼儿园门口"),
]
_WORD = re.compile(r"[\u4e00-\u9fff]")


class Spotter:
    """Finds the first estate place a normalised message names, by the aliases and the places learned."""

    def __init__(self, learned=()):
        patterns = [(re.compile(p), label) for p, label in ALIASES]
        known = {label for _, label in ALIASES}
        extra = sorted((s for s in learned if s not in known and _WORD.search(s)), key=len, reverse=True)
        if extra:
            patterns.append((re.compile("|".join(map(re.escape, extra))), None))
        self._patterns = patterns

    def __call__(self, text):
        """The spot's short name, or None."""
        best = None
        for pattern, label in self._patterns:
            m = pattern.search(text)
            if m and (best is None or m.start() < best[0] or (m.start() == best[0] and m.end() > best[1])):
                best = (m.start(), m.end(), m.expand(label) if label else m.group(0))
        return best[2] if best else None
