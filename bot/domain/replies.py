"""Common replies (常用回复, config.yaml `replies`): "#2" in a note stands for the second one, words after it added."""
from __future__ import annotations

import re

PICK = re.compile(r"^\s*[#＃]\s*(?P<n>\d{1,2})\s*[,，。:：]?\s*(?P<more>.*)$", re.S)


class NoSuchReply(ValueError):
    """The number names no configured reply."""


def fill(replies: list[str], note: str) -> str:
    """The note with "#n" replaced by the n-th reply (1-based), and any words after it kept; else the note as is."""
    match = PICK.match(note or "")
    if match is None:
        return note
    index = int(match.group("n"))
    if not 1 <= index <= len(replies):
        raise NoSuchReply(index)
    more = match.group("more").strip()
    return replies[index - 1] + (f" {more}" if more else "")


def listing(replies: list[str]) -> str:
    """The replies numbered, as staff choose them in chat."""
    return "\n".join(f"#{i} {text}" for i, text in enumerate(replies, 1))
