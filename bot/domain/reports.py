"""A period's figures, aggregated in the database: counts by category and grid, and the three rates (三率).

The three rates, for a period [start, end):
- 响应率 (response): of the tickets whose acceptance deadline fell in the period, the share accepted by
  that deadline. Tickets cancelled before their deadline are left out.
- 解决率 (resolution): of the tickets whose resolution deadline fell in the period, the share resolved
  before the period ended (a late fix still counts here; lateness shows in the response rate and in the
  overdue list). Tickets cancelled before their deadline are left out.
- 满意率 (satisfaction): of the tickets judged in the period, the share 满意 or 基本满意. A ticket counts once,
  with the verdict on its last fix (bot/domain/steps.py, `rate`): any household's 不满意 (it reopened the ticket: the
  fix did not hold for them), else the reporter's verdict, else the first neighbour's. It counts on the day that
  verdict was given (`rated_at`): a ticket reopened and judged again moves to its later verdict. Per ticket,
  like the other two rates and like 接诉即办's cases: fifty households reporting one leak are one case, not
  fifty votes, and each household's own verdict is still kept as an event on the ticket.
Counting by deadline, not by report date, means a day's rates judge what was due that day, and a
report run again later for the same period gives the same figures.

A period not over yet (today, or a report to the end of the month) is judged until now: a deadline still
to come is in no denominator, and a ticket is overdue only once its deadline has passed.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from bot.domain import clock
from bot.store.models import Ticket as T

# What a period's counters hold, in the order `minhu report --csv` writes them.
MEASURES = ("new", "accepted", "resolved", "overdue", "due_accept", "accepted_in_time",
            "due_resolve", "resolved_by_end", "rated", "satisfied")
RECURRING_DAYS, RECURRING_MIN = 30, 3
FAR_FUTURE = datetime(9999, 1, 1)
Key = tuple[str, str | None]  # (category, grid id)


@dataclass
class Figures:
    """Counts per (category, grid) for a period, with lists for the digest."""

    start: datetime
    end: datetime
    until: datetime  # what the figures are judged at: the end, or now when the period is not over
    cells: dict[Key, Counter] = field(default_factory=dict)
    buildings: list[tuple[str | None, str, int]] = field(default_factory=list)  # estate, building, reports
    overdue_longest: list[T] = field(default_factory=list)
    recurring: list[tuple[str | None, str, str, int]] = field(default_factory=list)  # estate, building, category, n

    def add(self, key: Key, **counts: int) -> None:
        self.cells.setdefault(key, Counter()).update({k: int(v or 0) for k, v in counts.items()})

    def total(self) -> Counter:
        return sum(self.cells.values(), Counter())

    def by(self, axis: int) -> dict[str | None, Counter]:
        """Counters by category (axis 0) or by grid (axis 1)."""
        out: dict[str | None, Counter] = {}
        for key, counts in self.cells.items():
            out.setdefault(key[axis], Counter()).update(counts)
        return out


def rates(counts: Counter) -> dict[str, tuple[int, int]]:
    """The three rates as (numerator, denominator); a denominator of 0 means nothing to judge."""
    return {"response": (counts["accepted_in_time"], counts["due_accept"]),
            "resolution": (counts["resolved_by_end"], counts["due_resolve"]),
            "satisfaction": (counts["satisfied"], counts["rated"])}


def scope(communities: list[str] | None, unplaced: bool = False):
    """Tickets of these communities (all when None), plus those with no community when `unplaced`."""
    if communities is None:
        return literal(True)
    clause = T.community_id.in_(communities)
    return or_(clause, T.community_id.is_(None)) if unplaced else clause


def overdue_at(moment: datetime) -> list:
    """Past a deadline and not done at `moment`, as two disjoint conditions whose union is the answer.

    Written on timestamps, so it holds for any past moment. Two halves (never fixed; fixed after
    `moment`), each led by an indexed column, because an OR of the two makes SQLite scan the table.
    """
    still_open = and_(or_(T.closed_at.is_(None), T.closed_at > moment),
                      or_(T.cancelled_at.is_(None), T.cancelled_at > moment))
    late_accept = and_(T.accept_due_at < moment, or_(T.accepted_at.is_(None), T.accepted_at > moment))
    late = and_(still_open, or_(late_accept, T.resolve_due_at < moment))
    # The upper bound is always true: it makes the range one SQLite's planner trusts to be narrow.
    return [and_(T.resolved_at.is_(None), late), and_(T.resolved_at > moment, T.resolved_at < FAR_FUTURE, late)]


def overdue_since(moment: datetime):
    """The deadline an overdue ticket first missed."""
    return case((and_(T.accept_due_at < moment, or_(T.accepted_at.is_(None), T.accepted_at > moment)),
                 T.accept_due_at), else_=T.resolve_due_at)


def since(ticket: T, moment: datetime) -> datetime:
    """The deadline a loaded overdue ticket first missed (overdue_since, in Python)."""
    late_accept = ticket.accept_due_at < moment and (ticket.accepted_at is None or ticket.accepted_at > moment)
    return ticket.accept_due_at if late_accept else ticket.resolve_due_at


def _not_cancelled_before(due):
    return or_(T.cancelled_at.is_(None), T.cancelled_at > due)


def _yes(condition):
    return func.sum(case((condition, 1), else_=0))


def figures(session: Session, start: datetime, end: datetime, communities: list[str] | None = None,
            unplaced: bool = False, lists: bool = True, now: datetime | None = None) -> Figures:
    """Everything the digest and the report show for [start, end), judged at its end or now, one query per measure."""
    where = scope(communities, unplaced)
    out = Figures(start, end, min(end, now or clock.utcnow()))
    until = out.until
    keys = (T.category, T.grid_id)

    def grouped(*columns, conditions):
        query = select(*keys, *columns).where(where, *conditions).group_by(*keys)
        return session.execute(query).all()

    for cat, grid, n in grouped(func.count(), conditions=[T.created_at >= start, T.created_at < end]):
        out.add((cat, grid), new=n)
    for cat, grid, n in grouped(func.count(), conditions=[T.accepted_at >= start, T.accepted_at < end]):
        out.add((cat, grid), accepted=n)
    for cat, grid, n in grouped(func.count(), conditions=[T.resolved_at >= start, T.resolved_at < end]):
        out.add((cat, grid), resolved=n)
    for cat, grid, n, ok in grouped(func.count(), _yes(T.accepted_at <= T.accept_due_at), conditions=[
            T.accept_due_at >= start, T.accept_due_at < until, _not_cancelled_before(T.accept_due_at)]):
        out.add((cat, grid), due_accept=n, accepted_in_time=ok)
    for cat, grid, n, ok in grouped(func.count(), _yes(T.resolved_at < until), conditions=[
            T.resolve_due_at >= start, T.resolve_due_at < until, _not_cancelled_before(T.resolve_due_at)]):
        out.add((cat, grid), due_resolve=n, resolved_by_end=ok)
    for cat, grid, n, ok in grouped(func.count(), _yes(T.satisfaction.in_(("satisfied", "basically"))),
                                    conditions=[T.rated_at >= start, T.rated_at < end]):
        out.add((cat, grid), rated=n, satisfied=ok)
    for half in overdue_at(until):
        for cat, grid, n in grouped(func.count(), conditions=[half]):
            out.add((cat, grid), overdue=n)
    if lists:
        _lists(session, out, where)
    return out


def _lists(session: Session, out: Figures, where) -> None:
    """The buildings with most reports, the tickets overdue longest, and the recurring problems."""
    start, end = out.start, out.end
    count = func.count().label("n")
    out.buildings = [tuple(row) for row in session.execute(
        select(T.estate_id, T.building, count).where(where, T.created_at >= start, T.created_at < end,
                                                     T.building.is_not(None))
        .group_by(T.estate_id, T.building).order_by(count.desc(), T.estate_id, T.building).limit(3))]
    until = out.until
    longest = [t for half in overdue_at(until) for t in session.scalars(
        select(T).where(where, half).order_by(overdue_since(until), T.id).limit(3))]
    out.overdue_longest = sorted(longest, key=lambda t: (since(t, until), t.id))[:3]
    out.recurring = [tuple(row) for row in session.execute(
        select(T.estate_id, T.building, T.category, count)
        .where(where, T.created_at >= end - timedelta(days=RECURRING_DAYS), T.created_at < end,
               T.building.is_not(None), T.cancelled_at.is_(None))
        .group_by(T.estate_id, T.building, T.category).having(count >= RECURRING_MIN)
        .order_by(count.desc(), T.estate_id, T.building, T.category).limit(5))]
