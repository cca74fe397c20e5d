"""A resident's chase (催办) of an open ticket: what it records, and whether whoever holds the ticket is told.

One rule for both ways a chase is written (bot/domain/steps.py `chase` through the ORM, bot/store/tickets.py `join_or_chase` when a
neighbour who follows the ticket reports it again): a chase is told unless one of the ticket's
chases was told less than `quiet` ago (then it is only recorded, and the next one told says how many there were; a
hundred households chasing in a burst make one push, not a hundred, and WeChat counts customer-service messages).
The very same words from the same resident within `quiet` are a retried message or sent twice: recorded once.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple


class Chase(NamedTuple):
    """A chase already recorded on the ticket: when, and its event's detail."""

    at: datetime
    detail: dict


def decide(last: Chase | None, mine: Chase | None, text: str, now: datetime, quiet: timedelta
           ) -> tuple[dict, bool] | None:
    """The new chase's event detail and whether to tell the holder; None when nothing is to be recorded.

    `last` is the ticket's newest chase, `mine` this resident's newest (the same when it is theirs)."""
    text = text[:1000]
    if mine is not None and mine.at >= now - quiet and (mine.detail or {}).get("text") == text:
        return None
    if last is None:
        before, told = {}, None
    else:
        # Chases recorded before `told` was kept count as told when they were made.
        before = last.detail or {}
        told = datetime.fromisoformat(before["told"]) if before.get("told") else last.at
    tell = told is None or told < now - quiet
    return {"text": text, "count": before.get("count", 0) + 1, "told": (now if tell else told).isoformat()}, tell
