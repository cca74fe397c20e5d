"""Opening and reading tickets: the ticket, its first event and its outbox row commit together."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import chases
from bot.clock import utcnow
from bot.hotsql import Batches, HotSQL
from bot.models import Outbox, Ticket, TicketEvent
from bot.queue import Job
from bot.routing import Directory
from bot.settings import limits_for
from bot.worktime import deadline
from nlp.subject import unit_matters

log = logging.getLogger("minhu.tickets")
NUMBER_BASE = 100000  # numbers start at 100001: six digits, easy to read out on the phone
DISPATCH_JOB = "workers.dispatch.dispatch_ticket"
# Jobs every new ticket gets through the outbox; dispatch_ticket also plans the reminders and escalation
# (one job, not two: each enqueue costs the webhook time, and the timers must not wait for a push that fails).
OPEN_JOBS = [DISPATCH_JOB]
NOTIFY_JOB = "workers.notify.notify_event"
URGE_JOB = "workers.urged.tell_urged"  # a resident's chase (催办) reaches whoever holds the ticket
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
    source: str = "wechat"  # or entered by staff: phone, walk_in, patrol, 12345, other (bot/intake_desk.py)
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
    """What a neighbour's report needs of the open ticket it joins, read without the ORM."""

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


_OPEN_LIST = ", ".join(f"'{status}'" for status in OPEN)
_TICKET_FIELDS = ", ".join(TicketView._fields)


def _open_same_sql(subject: bool, unit: bool, urgent: bool) -> str:
    """The open ticket for one place and problem: a neighbour's report of it joins it instead of opening another.

    Same estate, building and category; the same subject when the report names one (a ticket that names
    none may be it too, the one that does is preferred); the same unit when that subject has one per
    unit and the report says which; and an emergency only joins an urgent ticket, so it is never
    handled at a non-urgent ticket's pace."""
    where = ["estate_id = :estate_id", "building = :building", "category = :category", f"status IN ({_OPEN_LIST})"]
    order = []
    if subject:
        where.append("(subject = :subject OR subject IS NULL)")
        order.append("subject IS NULL")
    if unit:
        where.append("(unit = :unit OR unit IS NULL)")
        order.append("unit IS NULL")
    if urgent:
        where.append("urgent")
    return (f"SELECT {_TICKET_FIELDS} FROM tickets WHERE {' AND '.join(where)}"
            f" ORDER BY {', '.join([*order, 'id'])} LIMIT 1")


# Eight texts written once: each stays one statement the database plans once, with no NULL parameters to type.
_OPEN_SAME = {(s, u, e): _open_same_sql(s, u, e) for s in (False, True) for u in (False, True) for e in (False, True)}


def open_same(estate_id: str | None, building: str | None, category: str | None, subject: str | None = None,
              unit: str | None = None, urgent: bool = False) -> tuple[str, dict]:
    """The query for the open ticket a report of this place and problem joins, and its parameters."""
    unit = unit if unit_matters(subject) else None
    params = {"estate_id": estate_id, "building": building, "category": category}
    if subject:
        params["subject"] = subject
    if unit:
        params["unit"] = unit
    return _OPEN_SAME[(bool(subject), bool(unit), bool(urgent))], params


_OPEN_BY_ID = f"SELECT {_TICKET_FIELDS} FROM tickets WHERE id = :ticket_id AND status IN ({_OPEN_LIST})"
# No row written (rowcount 0): they follow it already (a retried message, or they tell it again).
_INSERT_FOLLOWER = ("INSERT INTO ticket_followers (ticket_id, openid, text, joined_at)"
                    " VALUES (:ticket_id, :openid, :text, :at) ON CONFLICT (ticket_id, openid) DO NOTHING")
_LAST_CHASE = ("SELECT actor, at, detail FROM ticket_events WHERE ticket_id = :ticket_id AND kind = 'urged'"
               " ORDER BY id DESC LIMIT 1")
_MY_LAST_CHASE = ("SELECT actor, at, detail FROM ticket_events WHERE ticket_id = :ticket_id AND kind = 'urged'"
                  " AND actor = :actor ORDER BY id DESC LIMIT 1")
_ONE_MORE_HOUSEHOLD = "UPDATE tickets SET households = households + 1 WHERE id = :ticket_id RETURNING households"
_TICKET_COLUMNS = ("source_key", "resident_openid", "text", "intent", "category", "subject", "urgent", "community_id",
                   "estate_id", "building", "unit", "room", "grid_id", "assignee_openid", "assignee_name", "status",
                   "created_at", "updated_at", "accept_due_at", "resolve_due_at", "source", "contact")
_INSERT_TICKET = (f"INSERT INTO tickets ({', '.join(_TICKET_COLUMNS)}, escalation_level, reopened_count, households)"
                  f" VALUES ({', '.join(':' + c for c in _TICKET_COLUMNS)}, 0, 0, :households) RETURNING id")
_SET_NUMBER = "UPDATE tickets SET number = :number WHERE id = :ticket_id"
# HotSQL.insert: the new row's id.
_INSERT_EVENT = ("INSERT INTO ticket_events (ticket_id, at, actor, kind, detail)"
                 " VALUES (:ticket_id, :at, :actor, :kind, :detail)")
_INSERT_OUTBOX = ("INSERT INTO outbox (ticket_id, job, args, created_at, attempts)"
                  " VALUES (:ticket_id, :job, :args, :at, 1)")


class TicketStore:
    """The store's ticket operations, used by handlers and workers alike."""

    def __init__(self, sessions: sessionmaker[Session], directory: Directory,
                 after_commit: Callable[[list[Job]], object] | None = None, batch_joins: bool = False):
        self.sessions, self.directory = sessions, directory
        self.after_commit = after_commit or (lambda jobs: None)
        self.hot = HotSQL(sessions.kw["bind"])
        self._batches = (Batches(self.hot, self._join, self.after_commit, wait=self.hot.turn_timeout)
                         if batch_joins and not self.hot.postgres else None)

    def open(self, report: Report, unless_open_same: bool = False) -> tuple[Ticket | None, bool]:
        """Create a ticket (or find the one this message already made); return it and whether it is new.

        With `unless_open_same`, nothing is written and (None, False) returned when an open ticket for the
        same place and problem exists (the one `join` would find), checked under the write lock: a
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
        hot = self.hot
        # Straight to the driver (bot/hotsql.py): this runs on every complaint.
        try:
            with hot.turn, hot.engine.begin() as conn:
                if unless_open_same and report.building:
                    # The lock is per place and category, not subject: a vague report and a precise one of the
                    # same problem, arriving together, must still find each other.
                    hot.lock_writes(conn, f"{report.estate_id}|{report.building}|{report.category}")
                    query, params = open_same(report.estate_id, report.building, report.category, report.subject,
                                              report.unit, report.urgent)
                    if hot.run(conn, query, params).fetchone() is not None:
                        return None, False
                ticket_id = hot.one(hot.run(conn, _INSERT_TICKET, values | {
                    key: hot.when(values[key]) for key in ("created_at", "updated_at", "accept_due_at",
                                                           "resolve_due_at")}))
                number = str(NUMBER_BASE + ticket_id)
                hot.run(conn, _SET_NUMBER, {"ticket_id": ticket_id, "number": number})
                detail = {"route": route.reason, "assignee": route.recipient.openid}
                hot.run(conn, _INSERT_EVENT, {"ticket_id": ticket_id, "at": hot.when(now), "kind": "created",
                                              "actor": report.resident or "system", "detail": hot.json(detail)})
                jobs = [Job(self._outbox(conn, ticket_id, job, [ticket_id], now), job, [ticket_id])
                        for job in OPEN_JOBS]
        except IntegrityError:
            # WeChat's retry of this message got here first (or earlier): its ticket is the ticket.
            existing = self.by_source(report.source_key) if report.source_key else None
            if existing is None:
                raise
            return existing, False
        self.after_commit(jobs)
        return Ticket(id=ticket_id, number=number, **values), True

    def _outbox(self, conn, ticket_id: int, job: str, args: list, now) -> int:
        return self.hot.insert(conn, _INSERT_OUTBOX, {"ticket_id": ticket_id, "job": job, "args": self.hot.json(args),
                                                      "at": self.hot.when(now)})

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
        """`join`, and with `chase` (the quiet time of bot/chases.py) a neighbour who follows the ticket already
        and tells it again chases it (催办) in the same write: `chased` is then True (recorded, or the same
        words again), the event None.

        Straight to the driver (bot/hotsql.py): in a burst most messages take this path, the neighbours
        who write twice too. On SQLite the web process's joins are written many per transaction by one
        thread (`Batches`); elsewhere each is its own transaction.
        """
        query, params = ((_OPEN_BY_ID, {"ticket_id": ticket_id}) if ticket_id is not None else
                         open_same(estate_id, building, category, subject, unit, urgent))
        item = (openid, text, query, params, chase)
        if self._batches is not None:
            return self._batches.submit(item)
        hot = self.hot
        with hot.turn, hot.engine.begin() as conn:
            result, jobs = self._join(conn, item)
        self.after_commit(jobs)
        return result

    def _join(self, conn, item) -> tuple[JoinResult, list[Job]]:
        """One neighbour's join (or chase) inside the caller's transaction."""
        openid, text, query, params, chase = item
        hot = self.hot
        row = hot.run(conn, query + hot.for_update(), params).fetchone()
        ticket = TicketView(*row) if row is not None else None
        if ticket is None or ticket.resident_openid == openid:
            return JoinResult(ticket, None, None), []
        now = utcnow()
        at = hot.when(now)
        if not hot.run(conn, _INSERT_FOLLOWER, {"ticket_id": ticket.id, "openid": openid, "text": text[:1000],
                                                "at": at}).rowcount:
            # Already following: a retried message, or they tell it again.
            if chase is None:
                return JoinResult(ticket, None, None), []
            return JoinResult(ticket, None, True), self._chase(conn, ticket.id, openid, text, now, chase)
        households = hot.one(hot.run(conn, _ONE_MORE_HOUSEHOLD, {"ticket_id": ticket.id}))
        event_id = hot.insert(conn, _INSERT_EVENT, {
            "ticket_id": ticket.id, "at": at, "actor": openid, "kind": "joined",
            "detail": hot.json({"households": households, "text": text[:300]})})
        # Every neighbour is recorded; the grid worker hears at the counts config.yaml names (2, 3, 5,
        # 10... households), not once per message of a burst.
        if not self.directory.config.followup.tells_joined(households):
            return JoinResult(ticket, event_id, None), []
        return JoinResult(ticket, event_id, None), [Job(self._outbox(conn, ticket.id, NOTIFY_JOB, [event_id], now),
                                                        NOTIFY_JOB, [event_id])]

    def _chase(self, conn, ticket_id: int, openid: str, text: str, now, quiet: timedelta) -> list[Job]:
        """A follower's chase of the ticket as bot/chases.py decides (steps.urge is the same through the ORM)."""
        hot = self.hot
        last = hot.run(conn, _LAST_CHASE, {"ticket_id": ticket_id}).fetchone()
        mine = last if last is None or last[0] == openid else hot.run(
            conn, _MY_LAST_CHASE, {"ticket_id": ticket_id, "actor": openid}).fetchone()
        decided = chases.decide(*(chases.Chase(hot.read_when(r[1]), hot.read_json(r[2])) if r is not None else None
                                  for r in (last, mine)), text, now, quiet)
        if decided is None:
            return []
        detail, tell = decided
        event_id = hot.insert(conn, _INSERT_EVENT, {"ticket_id": ticket_id, "at": hot.when(now), "actor": openid,
                                                    "kind": "urged", "detail": hot.json(detail)})
        if not tell:
            return []
        return [Job(self._outbox(conn, ticket_id, URGE_JOB, [event_id], now), URGE_JOB, [event_id])]

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
