"""Regular expressions made of many alternatives, tried only where a match can start."""

import re


def alternation(patterns):
    """Compile the patterns as one alternation that first looks at the character under the scan.

    Python's re tries every alternative at every position; a lookahead on the characters a match can start
    with skips the positions where none can, and finds exactly what the alternatives alone would.
    """
    body = "|".join(f"(?:{p})" for p in patterns)
    chars = openers(patterns)
    return re.compile(f"(?=[{re.escape(''.join(sorted(chars)))}])(?:{body})" if chars else body)


def openers(patterns):
    """The characters a match of any of the patterns can start with, or None when they cannot all be listed."""
    try:
        from re import _parser  # the stdlib's own reading of a pattern (sre_parse before Python 3.11)
        chars = set()
        for pattern in patterns:
            first, empty = _first(_parser.parse(pattern).data)
            if first is None or empty:
                return None
            chars |= first
        return chars
    except (ImportError, AttributeError, TypeError, ValueError):
        return None


def _first(items):
    """(the characters a parsed sequence can start with or None, whether it can match nothing)."""
    chars = set()
    for op, av in items:
        name = str(op)
        if name in ("AT", "ASSERT", "ASSERT_NOT"):  # zero width: the next item starts the match
            continue
        if name == "LITERAL":
            return chars | {chr(av)}, False
        if name == "IN":
            inside = _listed(av)
            return (None, False) if inside is None else (chars | inside, False)
        if name == "SUBPATTERN":
            first, empty = _first(av[-1])
        elif name == "BRANCH":
            branches = [_first(b) for b in av[1]]
            if any(f is None for f, _ in branches):
                return None, False
            first, empty = set().union(*(f for f, _ in branches)), any(e for _, e in branches)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            first, empty = _first(av[2])
            empty = empty or av[0] == 0
        else:  # any character, a back reference...: no list
            return None, False
        if first is None:
            return None, False
        chars |= first
        if not empty:
            return chars, False
    return chars, True


def _listed(members):
    """The characters of a parsed [...] class, or None for a negated class, a category (\\w) or a wide range."""
    chars = set()
    for op, av in members:
        name = str(op)
        if name == "LITERAL":
            chars.add(chr(av))
        elif name == "RANGE" and av[1] - av[0] < 256:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        else:
            return None
    return chars
