"""Opening and reading tickets: the ticket, its first event and its outbox row commit together."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import DateTime, Select, String, Text, bindparam, func, insert, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import chases
from bot.domain.clock import utcnow
from bot.store.db import begin_writing
from bot.store.models import Follower, Outbox, Ticket, TicketEvent
from bot.store.queue import Job
from bot.domain.routing import Directory
from bot.settings import limits_for
from bot.domain.worktime import deadline
from nlp.subject import unit_matters

log = logging.getLogger("minhu.tickets")
NUMBER_BASE = 100000  # numbers start at 100001: six digits, easy to read out on the phone
DISPATCH_JOB = "workers.dispatch.dispatch_ticket"
# Jobs every new ticket gets through the outbox; dispatch_ticket also plans the reminders and escalation
# (one job, not two: each enqueue costs the webhook time, and the timers must not wait for a push that fails).
OPEN_JOBS = [DISPATCH_JOB]
NOTIFY_JOB = "workers.notify.notify_event"
CHASE_JOB = "workers.chases.tell_chase"  # a resident's chase (催办) reaches whoever holds the ticket
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
    subject: str | None = None  # what exactly is broken (nlp/subject.py), None when the message does not say
    source: str = "wechat"  # or entered by staff: phone, walk_in, patrol, 12345, other (bot/domain/intake_desk.py)
    contact: str | None = None  # the caller's phone or name, when staff entered it for them


@dataclass
class Step:
    """What one change to a ticket did: the event to record and the jobs (called with the event id) to run."""

    kind: str
    detail: dict = field(default_factory=dict)
    jobs: list[str] = field(default_factory=list)


class JoinResult(NamedTuple):
    """What `join_or_chase` did: the open ticket found (None: none), the `joined` event (None: nothing joined),
    and True when the neighbour, following it already, chased it."""

    ticket: "TicketView | None"
    event: int | None
    chased: bool | None


class TicketView(NamedTuple):
    """What a neighbour's report needs of the open ticket it joins."""

    id: int
    number: str
    resident_openid: str | None
    category: str
    subject: str | None
    urgent: bool
    estate_id: str | None
    building: str | None
    unit: str | None
    room: str | None
    grid_id: str | None
    assignee_name: str | None
    status: str


_tickets, _followers, _events, _outbox = (Ticket.__table__, Follower.__table__, TicketEvent.__table__,
                                         Outbox.__table__)
_t, _e = _tickets.c, _events.c
# Written out in the statement's text: an IN list of parameters is expanded again on every run.
_IS_OPEN = _t.status.in_([literal_column(f"'{status}'") for status in OPEN])
# The statements every complaint runs are built once, with named parameters: building one costs more than running it.
_VIEW = select(*(_t[name] for name in TicketView._fields))


def _open_same(subject: bool, unit: bool, urgent: bool) -> Select:
    query = _VIEW.where(_t.estate_id == bindparam("estate_id"), _t.building == bindparam("building"),
                        _t.category == bindparam("category"), _IS_OPEN)
    order = []
    if subject:
        query = query.where(or_(_t.subject == bindparam("subject"), _t.subject.is_(None)))
        order.append(_t.subject.is_(None))
    if unit:
        query = query.where(or_(_t.unit == bindparam("unit"), _t.unit.is_(None)))
        order.append(_t.unit.is_(None))
    if urgent:
        query = query.where(_t.urgent.is_(True))
    return query.order_by(*order, _t.id).limit(1)


_OPEN_SAME = {(s, u, e): _open_same(s, u, e) for s in (False, True) for u in (False, True) for e in (False, True)}
_OPEN_BY_ID = _VIEW.where(_t.id == bindparam("ticket_id"), _IS_OPEN)
_SET_NUMBER = update(_tickets).where(_t.id == bindparam("ticket_id"))
# One household more on a ticket still open (updated_at as it was: a neighbour joining is no step of the ticket's).
_ONE_MORE_HOUSEHOLD = (update(_tickets).where(_t.id == bindparam("ticket_id"), _IS_OPEN)
                       .values(households=_t.households + 1, updated_at=_t.updated_at)
                       .returning(*_VIEW.selected_columns, _t.households))
_INSERT_EVENT = insert(_events).returning(_e.id)
_INSERT_OUTBOX = insert(_outbox).returning(_outbox.c.id)
_LOCK_TICKET = select(_t.id).where(_t.id == bindparam("ticket_id")).with_for_update()
_CHASES = select(_e.actor, _e.at, _e.detail).where(_e.ticket_id == bindparam("ticket_id"), _e.kind == "chased")
_LAST_CHASE = _CHASES.order_by(_e.id.desc()).limit(1)
_MY_LAST_CHASE = _CHASES.where(_e.actor == bindparam("actor")).order_by(_e.id.desc()).limit(1)


def _follow(dialect_insert, query: Select):
    """INSERT the neighbour (:openid, :text, :joined_at) as a follower of the ticket `query` finds, unless it is their
    own or they follow it already; RETURNING the ticket's id."""
    best = query.with_only_columns(_t.id, _t.resident_openid).subquery()
    neighbour = select(best.c.id, bindparam("openid", type_=String), bindparam("text", type_=Text),
                       bindparam("joined_at", type_=DateTime)).where(
        best.c.resident_openid.is_distinct_from(bindparam("openid", type_=String)))
    return (dialect_insert(_followers).from_select(["ticket_id", "openid", "text", "joined_at"], neighbour)
            .on_conflict_do_nothing(index_elements=["ticket_id", "openid"]).returning(_followers.c.ticket_id))


def open_same(estate_id: str | None, building: str | None, category: str | None, subject: str | None = None,
              unit: str | None = None, urgent: bool = False) -> tuple[Select, dict]:
    """The query for the open ticket a report of this place and problem joins instead of opening another, and its
    parameters.

    Same estate, building and category; the same subject when the report names one (a ticket that names
    none may be it too, the one that does is preferred); the same unit when that subject has one per
    unit and the report says which; and an emergency only joins an urgent ticket, so it is never
    handled at a non-urgent ticket's pace. (A report of no known estate matches nothing: `= NULL`.)"""
    unit = unit if unit_matters(subject) else None
    params = {"estate_id": estate_id, "building": building, "category": category}
    if subject:
        params["subject"] = subject
    if unit:
        params["unit"] = unit
    return _OPEN_SAME[(bool(subject), bool(unit), bool(urgent))], params


class _Moved(Exception):
    """The ticket a neighbour was joining was closed by someone else meanwhile."""


class TicketStore:
    """The store's ticket operations, used by handlers and workers alike.

    Every change is one transaction (SQLAlchemy, the same statements on SQLite and PostgreSQL): the ticket, its
    event and its outbox rows commit together, and their jobs are handed to `after_commit` once committed."""

    def __init__(self, sessions: sessionmaker[Session], directory: Directory,
                 after_commit: Callable[[list[Job]], object] | None = None):
        self.sessions, self.directory = sessions, directory
        self.after_commit = after_commit or (lambda jobs: None)
        self.engine = sessions.kw["bind"]
        self.postgres = self.engine.dialect.name == "postgresql"
        dialect_insert = postgresql.insert if self.postgres else sqlite.insert
        self._insert_ticket = dialect_insert(_tickets).returning(_t.id)
        # WeChat's retry of a message that opened a ticket finds it there: nothing is written.
        self._insert_ticket_once = (dialect_insert(_tickets).on_conflict_do_nothing(index_elements=["source_key"])
                                    .returning(_t.id))
        # A neighbour follows the open ticket a query finds, unless it is their own or they follow it already.
        self._follow = {query: _follow(dialect_insert, query) for query in (*_OPEN_SAME.values(), _OPEN_BY_ID)}

    def _write(self, work: Callable[[Connection], tuple[object, list[Job]]], lock: str | None = None):
        """Run `work` in one transaction and hand the jobs it returns on after commit; return its result.

        `lock` names what no other transaction may write meanwhile (SQLite's write lock covers everything)."""
        with self.engine.begin() as conn:
            begin_writing(conn)
            if lock is not None and self.postgres:
                conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(lock))))
            result, jobs = work(conn)
        self.after_commit(jobs)
        return result

    def open(self, report: Report, unless_open_same: bool = False) -> tuple[Ticket | None, bool]:
        """Create a ticket (or find the one this message already made); return it and whether it is new.

        With `unless_open_same`, nothing is written and (None, False) returned when an open ticket for the
        same place and problem exists (the one `join` would find), checked under a write lock: a
        neighbour's, opened a moment ago."""
        route = self.directory.route(report.estate_id, report.building)
        now = utcnow()
        accept_within, resolve_within = limits_for(self.directory.config, report.category, report.urgent)
        values = dict(
            source_key=report.source_key, resident_openid=report.resident, text=report.text,
            intent=report.intent, category=report.category, subject=report.subject, urgent=report.urgent,
            community_id=route.community.id if route.community else None,
            estate_id=report.estate_id, building=report.building, unit=report.unit, room=report.room,
            grid_id=route.grid.id if route.grid else None,
            assignee_openid=route.recipient.openid, assignee_name=route.recipient.name, status="new",
            created_at=now, updated_at=now,
            accept_due_at=deadline(self.directory.config, now, accept_within, report.urgent),
            resolve_due_at=deadline(self.directory.config, now, resolve_within, report.urgent),
            source=report.source, contact=report.contact,
            households=1 if report.resident else 0,  # a ticket staff open counts only the neighbours who join
        )
        look = unless_open_same and report.building

        def work(conn):
            if look and conn.execute(*open_same(report.estate_id, report.building, report.category, report.subject,
                                                report.unit, report.urgent)).first() is not None:
                return None, []
            insert = self._insert_ticket_once if report.source_key else self._insert_ticket
            ticket_id = conn.execute(insert, values | {"escalation_level": 0, "reopened_count": 0}).scalar()
            if ticket_id is None:  # WeChat's retry of this message got here first: its ticket is the ticket
                return False, []
            number = str(NUMBER_BASE + ticket_id)
            conn.execute(_SET_NUMBER, {"ticket_id": ticket_id, "number": number, "updated_at": now})
            self._event(conn, ticket_id, now, report.resident or "system", "created",
                        {"route": route.reason, "assignee": route.recipient.openid})
            return (ticket_id, number), [self._outbox(conn, ticket_id, job, [ticket_id], now) for job in OPEN_JOBS]

        # The lock is per place and category, not subject: a vague report and a precise one of the same problem,
        # arriving together, must still find each other.
        made = self._write(work, lock=f"{report.estate_id}|{report.building}|{report.category}" if look else None)
        if made is None:
            return None, False
        if made is False:
            return self.by_source(report.source_key), False
        ticket_id, number = made
        return Ticket(id=ticket_id, number=number, **values), True

    @staticmethod
    def _event(conn: Connection, ticket_id: int, at, actor: str, kind: str, detail: dict) -> int:
        return conn.execute(_INSERT_EVENT, {"ticket_id": ticket_id, "at": at, "actor": actor, "kind": kind,
                                            "detail": detail}).scalar_one()

    @staticmethod
    def _outbox(conn: Connection, ticket_id: int, job: str, args: list, now) -> Job:
        outbox_id = conn.execute(_INSERT_OUTBOX, {"ticket_id": ticket_id, "job": job, "args": args, "created_at": now,
                                                  "attempts": 1}).scalar_one()
        return Job(outbox_id, job, args)

    def apply(self, ticket_id: int, actor: str, change: Callable[[Session, Ticket], "Step | None"]
              ) -> tuple[Ticket | None, TicketEvent | None]:
        """Change a ticket, record the event and its outbox rows in one transaction, enqueue after commit.

        `change` edits the ticket and returns the Step it made, or None when there is nothing to do
        (a retried message, a step already taken): then nothing is written.
        """
        with self.sessions() as session:
            begin_writing(session.connection())
            ticket = session.get(Ticket, ticket_id, with_for_update=True)
            step = change(session, ticket) if ticket is not None else None
            if step is None:
                if ticket is not None:
                    session.expunge(ticket)  # the caller reads it as it is; a rollback would expire it
                session.rollback()
                return ticket, None
            event = TicketEvent(ticket_id=ticket.id, at=utcnow(), actor=actor, kind=step.kind, detail=step.detail)
            session.add(event)
            session.flush()
            rows = [Outbox(ticket_id=ticket.id, job=job, args=[event.id], attempts=1) for job in step.jobs]
            session.add_all(rows)
            session.commit()
            jobs = [Job(row.id, row.job, row.args) for row in rows]
        self.after_commit(jobs)
        return ticket, event

    def join(self, openid: str, text: str, ticket_id: int | None = None, estate_id: str | None = None,
             building: str | None = None, category: str | None = None, subject: str | None = None,
             unit: str | None = None, urgent: bool = False) -> tuple[TicketView | None, int | None]:
        """A neighbour follows an open ticket: the one numbered `ticket_id`, or the one for that place and problem
        (`open_same`: the subject, the unit where the subject has one per unit, urgent only into urgent).

        Returns the ticket (None when there is no such open ticket) and the id of the `joined` event
        (its push to the grid worker goes out only at the household counts `followup.tell_joined_at` names),
        None when nothing was written: the reporter themself, or someone already following (a retry).
        """
        ticket, event_id, _ = self.join_or_chase(openid, text, ticket_id, estate_id, building, category, subject,
                                                 unit, urgent)
        return ticket, event_id

    def join_or_chase(self, openid: str, text: str, ticket_id: int | None = None, estate_id: str | None = None,
                      building: str | None = None, category: str | None = None, subject: str | None = None,
                      unit: str | None = None, urgent: bool = False, chase: timedelta | None = None
                      ) -> JoinResult:
        """`join`, and with `chase` (the quiet time of bot/domain/chases.py) a neighbour who follows the ticket already
        and tells it again chases it (催办) in the same write: `chased` is then True (recorded, or the same
        words again), the event None.

        In a burst most messages take this path. Neighbours joining one ticket wait for nobody but the moment
        its household count is raised: no lock is taken to join."""
        query = ((_OPEN_BY_ID, {"ticket_id": ticket_id}) if ticket_id is not None else
                 open_same(estate_id, building, category, subject, unit, urgent))
        try:
            return self._write(lambda conn: self._join(conn, query, openid, text, chase))
        except _Moved:
            return JoinResult(None, None, None)

    def _join(self, conn: Connection, query: tuple[Select, dict], openid: str, text: str, chase: timedelta | None
              ) -> tuple[JoinResult, list[Job]]:
        """One neighbour's join (or chase) inside the caller's transaction.

        The usual case takes three statements: follow the ticket the query finds, count the household (which
        reads the ticket back), record the event. Only when nothing was followed is the ticket read to see why."""
        select_, params = query
        now = utcnow()
        followed = conn.execute(self._follow[select_], params | {"openid": openid, "text": text[:1000],
                                                                  "joined_at": now}).scalar()
        if followed is None:  # no open ticket, their own, or they follow it already (a retry, or told again)
            row = conn.execute(select_, params).first()
            ticket = TicketView(*row) if row is not None else None
            if ticket is None or ticket.resident_openid == openid:
                return JoinResult(ticket, None, None), []
            # A neighbour's ticket committed between the two statements (PostgreSQL reads each statement's own
            # snapshot): follow it now; only someone who follows it already chases.
            followed = conn.execute(self._follow[_OPEN_BY_ID], {"ticket_id": ticket.id, "openid": openid,
                                                                 "text": text[:1000], "joined_at": now}).scalar()
            if followed is None:
                if chase is None:
                    return JoinResult(ticket, None, None), []
                return JoinResult(ticket, None, True), self._chase(conn, ticket.id, openid, text, now, chase)
        row = conn.execute(_ONE_MORE_HOUSEHOLD, {"ticket_id": followed}).first()
        if row is None:  # resolved or cancelled since it was read (PostgreSQL): undo, and report anew
            raise _Moved
        ticket, households = TicketView(*row[:-1]), row[-1]
        event_id = self._event(conn, ticket.id, now, openid, "joined", {"households": households, "text": text[:300]})
        # Every neighbour is recorded; the grid worker hears at the counts config.yaml names (2, 3, 5,
        # 10... households), not once per message of a burst.
        if not self.directory.config.followup.tells_joined(households):
            return JoinResult(ticket, event_id, None), []
        return JoinResult(ticket, event_id, None), [self._outbox(conn, ticket.id, NOTIFY_JOB, [event_id], now)]

    def _chase(self, conn: Connection, ticket_id: int, openid: str, text: str, now, quiet: timedelta) -> list[Job]:
        """A follower's chase of the ticket as bot/domain/chases.py decides (steps.chase is the same through the ORM)."""
        # Chases of one ticket take turns (PostgreSQL; SQLite's write lock does it): each sees the last one told.
        conn.execute(_LOCK_TICKET, {"ticket_id": ticket_id})
        last = conn.execute(_LAST_CHASE, {"ticket_id": ticket_id}).first()
        mine = last if last is None or last.actor == openid else conn.execute(
            _MY_LAST_CHASE, {"ticket_id": ticket_id, "actor": openid}).first()
        decided = chases.decide(*(chases.Chase(r.at, r.detail) if r is not None else None for r in (last, mine)),
                                text, now, quiet)
        if decided is None:
            return []
        detail, tell = decided
        event_id = self._event(conn, ticket_id, now, openid, "chased", detail)
        return [self._outbox(conn, ticket_id, CHASE_JOB, [event_id], now)] if tell else []

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
