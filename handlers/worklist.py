"""Staff lists that put what cannot wait first: urgent and nearly-late tickets lead, each with its time left."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.domain import steps, texts
from bot.store.models import Ticket
from bot.domain.reports import overdue_at, scope, since
from bot.domain.worktime import span

OVERDUE_SHOWN = 10  # lines in the answer to 超期的工单; the rest are counted and left to the desk

# A ticket this close to its next deadline is nearly late: it is listed with the urgent ones, with its time left.
NEARLY_LATE = timedelta(minutes=30)


def due_of(ticket: Ticket) -> datetime | None:
    """The next deadline the ticket faces: to be accepted, else to be fixed."""
    if ticket.status in ("new", "dispatched") and ticket.accept_due_at:
        return ticket.accept_due_at
    return ticket.resolve_due_at


def pressing(ticket: Ticket, now: datetime) -> bool:
    """Urgent, or its next deadline is near or gone."""
    due = due_of(ticket)
    return ticket.status in steps.OPEN and (ticket.urgent or (due is not None and due - now <= NEARLY_LATE))


def order(tickets: list[Ticket], now: datetime) -> list[Ticket]:
    """Urgent first, then nearly late, then the rest; each group by its deadline, soonest first."""
    far = datetime.max
    return sorted(tickets, key=lambda t: (not t.urgent, not pressing(t, now), due_of(t) or far, t.id))


def time_left(ticket: Ticket, now: datetime) -> str:
    """（还剩4分钟） or （已超时12分钟） for a pressing ticket; nothing for the others."""
    due = due_of(ticket)
    if due is None or not pressing(ticket, now):
        return ""
    return f"（还剩{span(due - now)}）" if due > now else f"（已超时{span(now - due)}）"


def overdue(session, directory, recipient, now: datetime) -> str:
    """The secretary's overdue tickets, longest overdue first (or that there are none)."""
    where = scope([c.id for c in recipient.communities], recipient.unplaced)
    late = {t.id: t for half in overdue_at(now) for t in session.scalars(select(Ticket).where(where, half))}
    if not late:
        return texts.OVERDUE_NONE
    ordered = sorted(late.values(), key=lambda t: (since(t, now), t.id))
    config = directory.config
    lines = [f"· {'【急】' if t.urgent else ''}{t.number} {config.category_name(t.category)}·"
             f"{directory.place(t.estate_id, t.building)} 超期{span(now - since(t, now))}（{t.assignee_name or '未派'}）"
             for t in ordered[:OVERDUE_SHOWN]]
    more = ([texts.STAFF_TASKS_MORE.format(more=len(ordered) - OVERDUE_SHOWN)] if len(ordered) > OVERDUE_SHOWN
            else [])
    return "\n".join([texts.OVERDUE.format(count=len(ordered)), *lines, *more])
