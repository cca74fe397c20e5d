"""Which tickets a user may see, and the list filters (status, category, grid, building, overdue, urgent, search)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, false, or_, select

from bot.domain.clock import utcnow
from bot.domain import status
from bot.store.models import Ticket, User

STATUS_NAMES = status.STATUS_NAMES  # the words residents and staff read in WeChat too (bot/domain/status.py)
DONE = ("resolved", "closed", "cancelled")  # no longer waiting on staff
PAGE_SIZE = 50


@dataclass(frozen=True)
class _Choice:
    id: str
    name: str


# The grid filter's choice for tickets no grid holds (no building, or an unknown one): they wait on the secretary.
NO_GRID = _Choice("none", "未分网格")


@dataclass(frozen=True)
class Filters:
    """The list's filters, as read from the query string."""

    status: str = ""
    category: str = ""
    grid: str = ""
    building: str = ""
    overdue: str = ""
    urgent: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args) -> "Filters":
        return cls(**{f.name: (args.get(f.name) or "").strip()[:64] for f in fields(cls)})

    def as_args(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def scoped(user: User) -> Select:
    """Tickets the user may see: a secretary the community, a grid worker the grid, an admin everything."""
    query = select(Ticket)
    if user.role == "admin":
        return query
    if user.role == "secretary" and user.community_id:
        return query.where(Ticket.community_id == user.community_id)
    if user.role == "grid_worker" and user.grid_id:
        return query.where(Ticket.grid_id == user.grid_id)
    return query.where(false())


def overdue_clause(now: datetime):
    """Open and past a deadline: not accepted in time, or not fixed in time."""
    open_ = Ticket.status.not_in(DONE)
    return and_(open_, or_(and_(Ticket.accepted_at.is_(None), Ticket.accept_due_at < now),
                           Ticket.resolve_due_at < now))


def is_overdue(ticket: Ticket, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if ticket.status in DONE:
        return False
    late_accept = ticket.accepted_at is None and ticket.accept_due_at is not None and ticket.accept_due_at < now
    return late_accept or (ticket.resolve_due_at is not None and ticket.resolve_due_at < now)


def _due():
    """The deadline an open ticket works to next: acceptance until accepted, then resolution."""
    return case((Ticket.accepted_at.is_(None), Ticket.accept_due_at), else_=Ticket.resolve_due_at)


def pinned_first(now: datetime, within: timedelta) -> tuple:
    """The list's order before newest-first: open urgent tickets, then open ones near or past their deadline
    (soonest first); a secretary sees what cannot wait at the top of the first page."""
    open_ = Ticket.status.not_in(DONE)
    near = or_(and_(Ticket.accepted_at.is_(None), Ticket.accept_due_at < now + within),
               Ticket.resolve_due_at < now + within)
    rank = case((and_(open_, Ticket.urgent.is_(True)), 0), (and_(open_, near), 1), else_=2)
    return rank, case((rank < 2, _due()), else_=None)


def nearly_late(ticket: Ticket, within: timedelta, now: datetime | None = None) -> bool:
    """Open, not late yet, but its next deadline comes within `within`."""
    now = now or utcnow()
    if ticket.status in DONE or is_overdue(ticket, now):
        return False
    due = ticket.accept_due_at if ticket.accepted_at is None else ticket.resolve_due_at
    return due is not None and due < now + within


def apply(query: Select, filters: Filters) -> Select:
    """Narrow a ticket query by the filters."""
    if filters.status == "open":
        query = query.where(Ticket.status.not_in(DONE))
    elif filters.status == "reopened":
        query = query.where(Ticket.status.not_in(DONE), Ticket.reopened_count > 0)
    elif filters.status:
        query = query.where(Ticket.status == filters.status)
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.grid == NO_GRID.id:
        query = query.where(Ticket.grid_id.is_(None))
    elif filters.grid:
        query = query.where(Ticket.grid_id == filters.grid)
    if filters.building:
        query = query.where(Ticket.building == filters.building.removesuffix("号楼"))
    if filters.overdue:
        query = query.where(overdue_clause(utcnow()))
    if filters.urgent:
        query = query.where(Ticket.urgent.is_(True))
    if filters.q:
        like = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Ticket.text.like(like, escape="\\"), Ticket.number == filters.q))
    return query
