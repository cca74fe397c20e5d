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


def branches(pattern):
    """The top-level alternatives of a pattern ("a|b(c|d)" is ["a", "b(c|d)"]), in order."""
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]" or pattern[i - 1] == "[" or pattern[i - 2:i] == "[^"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


class Dispatch:
    """Many patterns searched as one alternation (the leftmost match, the first alternative there), each position
    trying only the alternatives that can start with its character.

    One alternation of some hundred alternatives tries each of them in turn at every position where any can start;
    here a position's character picks its own, far shorter, alternation (compiled on first use, for cold start).
    """

    def __init__(self, patterns):
        self._each = [(b, openers([b])) for p in patterns for b in branches(p)]
        if any(chars is None for _, chars in self._each):
            self._whole = alternation(patterns)
            return
        self._whole = None
        everything = set().union(*(chars for _, chars in self._each))
        self._gate = re.compile(f"[{re.escape(''.join(sorted(everything)))}]")
        self._by_char = {}

    def _for(self, char):
        pattern = self._by_char[char] = re.compile("|".join(f"(?:{b})" for b, chars in self._each if char in chars))
        return pattern

    def search(self, text, pos=0):
        """The first match at or after pos, as re.Pattern.search would find it in the one alternation."""
        if self._whole is not None:
            return self._whole.search(text, pos)
        by_char = self._by_char
        for at in self._gate.finditer(text, pos):
            i = at.start()
            hit = (by_char.get(text[i]) or self._for(text[i])).match(text, i)
            if hit is not None:
                return hit
        return None
