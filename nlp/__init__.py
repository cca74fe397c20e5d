"""Understand residents' messages: intent, category, urgency, address and place, problems (see docs/CATEGORIES.md)."""

from .location import Location
from .text import normalize

__all__ = ["Analysis", "Analyzer", "Location", "Problem", "analyze", "default_analyzer", "parse_location", "warm_up"]

_default = None


def __getattr__(name):
    # Analyzer pulls in OpenCC and the models; keep `import nlp` cheap until it is needed.
    if name in ("Analyzer", "Analysis", "Problem"):
        from . import analyzer

        return getattr(analyzer, name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")


def default_analyzer():
    """Return the analyzer with the built-in dictionaries, building it on first use."""
    global _default
    if _default is None:
        from .analyzer import Analyzer

        _default = Analyzer()
    return _default


def warm_up():
    """Load dictionaries and models now, so the first resident does not wait."""
    default_analyzer().analyze("3号楼楼道灯坏了")


def analyze(text):
    """Analyse one message with the default analyzer."""
    return default_analyzer().analyze(text)


def parse_location(text):
    """Read just an address, e.g. the answer to "which building?"."""
    from .location import parse

    return parse(normalize(text if isinstance(text, str) else str(text)))
