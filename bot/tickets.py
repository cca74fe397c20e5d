"""Opening and reading tickets: the ticket, its first event and its outbox row commit together."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utcnow
from bot.models import Follower, Outbox, Ticket, TicketEvent
from bot.queue import Job
from bot.routing import Directory
from bot.settings import limits_for
from bot.worktime import deadline

log = logging.getLogger("minhu.tickets")
NUMBER_BASE = 100000  # numbers start at 100001: six digits, easy to read out on the phone
DISPATCH_JOB = "workers.dispatch.dispatch_ticket"
# Jobs every new ticket gets through the outbox; dispatch_ticket also plans the reminders and escalation
# (one job, not two: each enqueue costs the webhook time, and the timers must not wait for a push that fails).
OPEN_JOBS = [DISPATCH_JOB]
NOTIFY_JOB = "workers.notify.notify_event"
OPEN = ("new", "dispatched", "accepted")


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


@dataclass
class Step:
    """What one change to a ticket did: the event to record and the jobs (called with the event id) to run."""

    kind: str
    detail: dict = field(default_factory=dict)
    jobs: list[str] = field(default_factory=list)


_INSERT_TICKET = insert(Ticket.__table__).returning(Ticket.__table__.c.id)
_SET_NUMBER = (update(Ticket.__table__).where(Ticket.__table__.c.id == bindparam("ticket_id"))
               .values(number=bindparam("number")))
_INSERT_EVENT = insert(TicketEvent.__table__)
_INSERT_OUTBOX = insert(Outbox.__table__).returning(Outbox.__table__.c.id)
_INSERT_EVENT_ID = insert(TicketEvent.__table__).returning(TicketEvent.__table__.c.id)
_TICKETS = Ticket.__table__
# The open ticket for one place and problem: a neighbour's report of it joins it instead of opening another.
_OPEN_SAME = (select(_TICKETS).where(_TICKETS.c.estate_id == bindparam("estate_id"),
                                     _TICKETS.c.building == bindparam("building"),
                                     _TICKETS.c.category == bindparam("category"), _TICKETS.c.status.in_(OPEN))
              .order_by(_TICKETS.c.id).limit(1).with_for_update())
_OPEN_BY_ID = select(_TICKETS).where(_TICKETS.c.id == bindparam("ticket_id"),
                                     _TICKETS.c.status.in_(OPEN)).with_for_update()
_INSERT_FOLLOWER = insert(Follower.__table__)
_COUNT_FOLLOWERS = select(func.count(Follower.__table__.c.id)).where(
    Follower.__table__.c.ticket_id == bindparam("ticket_id"))


class TicketStore:
    """The store's ticket operations, used by handlers and workers alike."""

    def __init__(self, sessions: sessionmaker[Session], directory: Directory,
                 after_commit: Callable[[list[Job]], object] | None = None):
        self.sessions, self.directory = sessions, directory
        self.after_commit = after_commit or (lambda jobs: None)

    def open(self, report: Report) -> tuple[Ticket, bool]:
        """Create a ticket (or find the one this message already made); return it and whether it is new."""
        route = self.directory.route(report.estate_id, report.building)
        now = utcnow()
        accept_within, resolve_within = limits_for(self.directory.config, report.category, report.urgent)
        values = dict(
            source_key=report.source_key, resident_openid=report.resident, text=report.text[:4000],
            intent=report.intent, category=report.category, urgent=report.urgent,
            community_id=route.community.id if route.community else None,
            estate_id=report.estate_id, building=report.building, unit=report.unit, room=report.room,
            grid_id=route.grid.id if route.grid else None,
            assignee_openid=route.recipient.openid, assignee_name=route.recipient.name, status="new",
            created_at=now, updated_at=now,
            accept_due_at=deadline(self.directory.config, now, accept_within, report.urgent),
            resolve_due_at=deadline(self.directory.config, now, resolve_within, report.urgent),
        )
        # Prepared Core statements with bound parameters, not ORM objects: this runs on every complaint.
        with self.sessions() as session:
            conn = session.connection()
            try:
                ticket_id = conn.execute(_INSERT_TICKET, values).scalar_one()
            except IntegrityError:
                # WeChat's retry of this message got here first (or earlier): its ticket is the ticket.
                session.rollback()
                existing = self.by_source(report.source_key) if report.source_key else None
                if existing is None:
                    raise
                return existing, False
            number = str(NUMBER_BASE + ticket_id)
            conn.execute(_SET_NUMBER, {"ticket_id": ticket_id, "number": number})
            conn.execute(_INSERT_EVENT, {"ticket_id": ticket_id, "at": now, "actor": report.resident or "system",
                                         "kind": "created", "detail": {"route": route.reason,
                                                                       "assignee": route.recipient.openid}})
            jobs = [Job(conn.execute(_INSERT_OUTBOX, {"ticket_id": ticket_id, "job": job, "args": [ticket_id],
                                                      "created_at": now, "attempts": 1}).scalar_one(), job, [ticket_id])
                    for job in OPEN_JOBS]
            session.commit()
        self.after_commit(jobs)
        return Ticket(id=ticket_id, number=number, **values), True

    def apply(self, ticket_id: int, actor: str, change: Callable[[Session, Ticket], "Step | None"]
              ) -> tuple[Ticket | None, TicketEvent | None]:
        """Change a ticket, record the event and its outbox rows in one transaction, enqueue after commit.

        `change` edits the ticket and returns the Step it made, or None when there is nothing to do
        (a retried message, a step already taken): then nothing is written.
        """
        with self.sessions() as session:
            ticket = session.get(Ticket, ticket_id, with_for_update=True)
            step = change(session, ticket) if ticket is not None else None
            if step is None:
                if ticket is not None:
                    session.expunge(ticket)  # the caller reads it as it is; a rollback would expire it
                session.rollback()
                return ticket, None
            event = TicketEvent(ticket_id=ticket.id, actor=actor, kind=step.kind, detail=step.detail)
            session.add(event)
            session.flush()
            rows = [Outbox(ticket_id=ticket.id, job=job, args=[event.id], attempts=1) for job in step.jobs]
            session.add_all(rows)
            session.commit()
            jobs = [Job(row.id, row.job, row.args) for row in rows]
        self.after_commit(jobs)
        return ticket, event

    def join(self, openid: str, text: str, ticket_id: int | None = None, estate_id: str | None = None,
             building: str | None = None, category: str | None = None) -> tuple[Ticket | None, int | None]:
        """A neighbour follows an open ticket: the one numbered `ticket_id`, or the one for that place and problem.

        Returns the ticket (None when there is no such open ticket) and the id of the `joined` event,
        None when nothing was written: the reporter themself, or someone already following (a retry).
        Core statements in one transaction, not the ORM: in a burst most messages take this path.
        """
        with self.sessions() as session:
            conn = session.connection()
            if ticket_id is not None:
                row = conn.execute(_OPEN_BY_ID, {"ticket_id": ticket_id}).first()
            else:
                row = conn.execute(_OPEN_SAME, {"estate_id": estate_id, "building": building,
                                                "category": category}).first()
            if row is None:
                session.rollback()
                return None, None
            ticket = Ticket(**row._mapping)
            if ticket.resident_openid == openid:
                session.rollback()
                return ticket, None
            now = utcnow()
            try:
                conn.execute(_INSERT_FOLLOWER, {"ticket_id": ticket.id, "openid": openid, "text": text[:1000],
                                                "joined_at": now})
            except IntegrityError:
                session.rollback()  # already following: a retried message, or they reported it twice
                return ticket, None
            households = conn.execute(_COUNT_FOLLOWERS, {"ticket_id": ticket.id}).scalar_one() + (
                1 if ticket.resident_openid else 0)
            event_id = conn.execute(_INSERT_EVENT_ID, {
                "ticket_id": ticket.id, "at": now, "actor": openid, "kind": "joined",
                "detail": {"households": households, "text": text[:300]}}).scalar_one()
            outbox_id = conn.execute(_INSERT_OUTBOX, {"ticket_id": ticket.id, "job": NOTIFY_JOB, "args": [event_id],
                                                      "created_at": now, "attempts": 1}).scalar_one()
            session.commit()
        self.after_commit([Job(outbox_id, NOTIFY_JOB, [event_id])])
        return ticket, event_id

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
