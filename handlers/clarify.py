"""A resident putting right what they just said (我说的是楼下的健身器材): more about the same problem, not a new one.

A language rule kept here until the reader (nlp/) learns it."""
from __future__ import annotations

import re

# "我说的是…", "我是说…", "我指的是…", "是…不是…": the words correct or narrow what was said before.
_CLARIFIES = re.compile(r"^\s*(?:不是[^，,。]{0,12}[，,]?\s*)?(?:我|俺)?(?:说|讲|指|问|反映)的是|^\s*(?:我|俺)(?:是说|是指|的意思是)"
                        r"|^\s*是[^，,。]{1,12}[，,]?不是")


def clarifies(text: str) -> bool:
    """The words put right what the resident said a moment ago."""
    return bool(_CLARIFIES.search(text))
