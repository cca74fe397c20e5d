"""Opening and reading tickets: the ticket, its first event and its outbox row commit together."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utcnow
from bot.models import Outbox, Ticket, TicketEvent
from bot.routing import Directory
from bot.settings import limits_for

log = logging.getLogger("minhu.tickets")
NUMBER_BASE = 100000  # numbers start at 100001: six digits, easy to read out on the phone
DISPATCH_JOB = "workers.dispatch.dispatch_ticket"
# Jobs every new ticket gets, through the outbox, each called with the ticket id.
OPEN_JOBS = [DISPATCH_JOB]


@dataclass(frozen=True)
class Report:
    """What a resident reported, ready to become a ticket."""

    resident: str | None
    text: str
    category: str
    urgent: bool = False
    estate_id: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    source_key: str | None = None
    intent: str = "complaint"


class TicketStore:
    """The store's ticket operations, used by handlers and workers alike."""

    def __init__(self, sessions: sessionmaker[Session], directory: Directory,
                 after_commit: Callable[[list[int]], object] | None = None):
        self.sessions, self.directory = sessions, directory
        self.after_commit = after_commit or (lambda ids: None)

    def open(self, report: Report) -> tuple[Ticket, bool]:
        """Create a ticket (or find the one this message already made); return it and whether it is new."""
        if report.source_key:
            existing = self.by_source(report.source_key)
            if existing:
                return existing, False
        route = self.directory.route(report.estate_id, report.building)
        now = utcnow()
        accept_within, resolve_within = limits_for(self.directory.config, report.category, report.urgent)
        with self.sessions() as session:
            ticket = Ticket(
                source_key=report.source_key, resident_openid=report.resident, text=report.text[:4000],
                intent=report.intent, category=report.category, urgent=report.urgent,
                community_id=route.community.id if route.community else None,
                estate_id=report.estate_id, building=report.building, unit=report.unit, room=report.room,
                grid_id=route.grid.id if route.grid else None,
                assignee_openid=route.recipient.openid, assignee_name=route.recipient.name, status="new",
                created_at=now, accept_due_at=now + accept_within, resolve_due_at=now + resolve_within,
            )
            session.add(ticket)
            try:
                session.flush()
            except IntegrityError:
                # WeChat's retry raced us to it: the first one's ticket is the ticket.
                session.rollback()
                existing = self.by_source(report.source_key) if report.source_key else None
                if existing is None:
                    raise
                return existing, False
            ticket.number = str(NUMBER_BASE + ticket.id)
            session.add(TicketEvent(ticket_id=ticket.id, actor=report.resident or "system", kind="created",
                                    detail={"route": route.reason, "assignee": route.recipient.openid}))
            rows = [Outbox(ticket_id=ticket.id, job=job, args=[ticket.id]) for job in OPEN_JOBS]
            session.add_all(rows)
            session.commit()
            outbox_ids = [row.id for row in rows]
        self.after_commit(outbox_ids)
        return ticket, True

    def by_source(self, source_key: str) -> Ticket | None:
        with self.sessions() as session:
            return session.scalar(select(Ticket).where(Ticket.source_key == source_key))

    def by_number(self, number: str) -> Ticket | None:
        with self.sessions() as session:
            return session.scalar(select(Ticket).where(Ticket.number == number))

    def of_resident(self, openid: str, limit: int = 5) -> list[Ticket]:
        with self.sessions() as session:
            query = select(Ticket).where(Ticket.resident_openid == openid).order_by(Ticket.id.desc()).limit(limit)
            return list(session.scalars(query))
