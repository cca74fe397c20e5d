"""Follow-through timers: remind before a limit passes, escalate one level at a time after it, page for urgent tickets.

The deadlines live in the database: each open ticket's `next_step_at` says when its earliest step not yet
taken is due (set at dispatch, and again by `on_event` on each change). One periodic `sweep` (in `minhu
scheduler`) finds the tickets whose moment has come over an index and enqueues a `follow_up` job for
each; that job runs the due steps with `run_step`, which does nothing once the ticket has moved on and
records the step in `followup_steps` (unique per ticket and step) with its event before pushing through
the delivery ledger, then moves `next_step_at` on. A job run twice, two sweepers, a worker killed
half-way or a Redis that lost its jobs: each step still happens once, and none is lost.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from rq.exceptions import DuplicateJobError
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from bot.domain import clock
from bot.store.models import FollowUpStep, Ticket, TicketEvent
from bot.domain.privacy import mask_openid
from bot.store.queue import RETRY
from bot.settings import Config, limits_for
from bot.domain.worktime import deadline
from bot import runtime
from workers.escalation import recipients
from workers.ledger import deliver

log = logging.getLogger("minhu.timers")
FOLLOW_UP = "workers.timers.follow_up"
# A stage is pending while the ticket is in one of these statuses.
WAITING = {"accept": ("new", "dispatched"), "resolve": ("new", "dispatched", "accepted")}
EVENT_KIND = {"remind": "reminded", "escalate": "escalated", "page": "paged"}
PAGE_GRACE = timedelta(minutes=1)


@dataclass(frozen=True)
class Step:
    """One follow-up step and when it is due (UTC): remind:accept, escalate:resolve:2, page:urgent.

    A reopened ticket starts a new round: its steps carry the round (escalate:accept:1@1), so they run again.
    """

    name: str
    at: datetime

    @property
    def base(self) -> str:
        return self.name.split("@")[0]

    @property
    def stage(self) -> str:
        return "accept" if self.base == "page:urgent" else self.base.split(":")[1]

    @property
    def kind(self) -> str:
        return self.base.split(":")[0]

    @property
    def level(self) -> int:
        return int(self.base.rsplit(":", 1)[1]) if self.kind == "escalate" else 0


def _share(value, limit):
    return limit * value if isinstance(value, float) else value


def plan(config: Config, ticket: Ticket) -> list[Step]:
    """Every step this ticket could need, from its deadlines and config.yaml's follow-up settings."""
    followup = config.followup
    accept_within, resolve_within = limits_for(config, ticket.category, ticket.urgent)
    category = config.category(ticket.category)
    levels = 3 if category.department else 2
    # A reopened ticket's deadlines were set again when the resident said 不满意 (rated_at).
    start, suffix = (ticket.rated_at or ticket.created_at, f"@{ticket.reopened_count}") if ticket.reopened_count \
        else (ticket.created_at, "")
    # The chat pages at once (bot.domain.steps.alert); this is the backstop for tickets opened any other way.
    steps = [Step("page:urgent", ticket.created_at + PAGE_GRACE)] if ticket.urgent and not suffix else []
    for stage, due, within in (("accept", ticket.accept_due_at, accept_within),
                               ("resolve", ticket.resolve_due_at, resolve_within)):
        if due is None:
            continue
        before = _share(followup.remind_before, within)
        if before < within:
            steps.append(Step(f"remind:{stage}{suffix}", deadline(config, start, within - before, ticket.urgent)))
        every = _share(followup.escalate_every, within)
        steps += [Step(f"escalate:{stage}:{level}{suffix}", deadline(config, due, every * (level - 1), ticket.urgent))
                  for level in range(1, levels + 1)]
    return steps


def _pending(ticket: Ticket, stage: str) -> bool:
    return ticket.status in WAITING[stage]


def next_step_at(config: Config, ticket: Ticket, done: set[str], after: datetime | None = None) -> datetime | None:
    """When the ticket's earliest step still to do is due (after `after`, when given); None when nothing is left."""
    times = [s.at for s in plan(config, ticket) if s.name not in done and _pending(ticket, s.stage)
             and (after is None or s.at > after)]
    return min(times, default=None)


def _done(session, ticket_id: int) -> set[str]:
    return set(session.scalars(select(FollowUpStep.step).where(FollowUpStep.ticket_id == ticket_id)))


def replan(ticket_id: int) -> datetime | None:
    """Set when the sweep next looks at the ticket, from its deadlines and the steps already taken."""
    rt = runtime.get()
    with rt.sessions() as session:
        ticket = session.get(Ticket, ticket_id, with_for_update=True)
        if ticket is None:
            return None
        ticket.next_step_at = next_step_at(rt.settings.config, ticket, _done(session, ticket_id))
        session.commit()
        return ticket.next_step_at


def follow_up_id(ticket_id: int, due: datetime) -> str:
    return f"followup-{ticket_id}-{due:%Y%m%d%H%M%S}"


def sweep(rt, batch: int = 500) -> int:
    """Enqueue a follow-up job for each ticket whose next step has come (an indexed query); return how many.

    Any number of sweeps may run: a ticket's job id is fixed by its due time and `unique` refuses a second
    copy while one is queued; should both run, the steps' rows and the ledger still act once."""
    now = clock.utcnow()
    enqueued, after = 0, (datetime.min, 0)
    while True:
        with rt.sessions() as session:
            # Page through all that are due: tickets whose job waits for a retry must not hide the others.
            due = session.execute(select(Ticket.id, Ticket.next_step_at).where(
                Ticket.next_step_at <= now, tuple_(Ticket.next_step_at, Ticket.id) > tuple_(*after))
                .order_by(Ticket.next_step_at, Ticket.id).limit(batch)).all()
        for ticket_id, at in due:
            try:
                # No result kept: a job that found nothing due (clocks apart) must not block the next copy. A job out
                # of retries (WeChat down for long) is kept an hour, then the sweep starts a new round of them.
                rt.queue.enqueue(FOLLOW_UP, ticket_id, job_id=follow_up_id(ticket_id, at), unique=True, retry=RETRY,
                                 result_ttl=0, failure_ttl=3600)
                enqueued += 1
            except DuplicateJobError:
                pass  # queued already, by this sweep's last pass or another sweeper
        if len(due) < batch:
            return enqueued
        after = (due[-1][1], due[-1][0])


def follow_up(ticket_id: int) -> str:
    """Take every step of the ticket that has come due, then move its next look on; a failed push fails the job.

    The next look moves only once every push went out: a retry takes the same steps again, each recorded
    once (followup_steps) and pushed once (the ledger)."""
    rt = runtime.get()
    now = clock.utcnow()
    config = rt.settings.config
    with rt.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or ticket.next_step_at is None or ticket.next_step_at > now:
            return "not due"
        since = ticket.next_step_at
        due = [s.name for s in plan(config, ticket) if since <= s.at <= now and _pending(ticket, s.stage)]
    results, failure = [], None
    for name in due:
        try:
            results.append(run_step(ticket_id, name))
        except Exception as exc:  # noqa: BLE001 - take the later steps too, then fail the job so RQ retries
            results.append("failed")
            failure = failure or exc
    if failure:
        raise failure
    with rt.sessions() as session:
        ticket = session.get(Ticket, ticket_id, with_for_update=True)
        if ticket is not None and ticket.next_step_at == since:  # else an event planned it again meanwhile: that plan stands
            ticket.next_step_at = next_step_at(config, ticket, _done(session, ticket_id), after=now)
            session.commit()
    return ", ".join(f"{name}: {result}" for name, result in zip(due, results)) or "nothing pending"


def run_step(ticket_id: int, step: str) -> str:
    """Do one step unless the ticket has moved on: record it once, then push to whoever must hear of it."""
    rt = runtime.get()
    now = clock.utcnow()
    with rt.sessions() as session:
        ticket = session.get(Ticket, ticket_id, with_for_update=True)
        if ticket is None:
            return "gone"
        planned = {s.name: s for s in plan(rt.settings.config, ticket)}
        if step not in planned:
            return "not planned"  # config.yaml changed since the ticket opened (a department removed, say)
        planned = planned[step]
        if not _pending(ticket, planned.stage):
            return "moved on"
        if planned.kind == "page" and session.scalar(select(TicketEvent.id).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "urgent")):
            return "paged by the chat"
        pushes = recipients(rt, ticket, planned.base, now)
        detail = {"step": step, "to": [openid for openid, _ in pushes]}
        session.add(FollowUpStep(ticket_id=ticket_id, step=step, at=now))
        session.add(TicketEvent(ticket_id=ticket_id, at=now, actor="system", kind=EVENT_KIND[planned.kind],
                                detail=detail))
        if planned.kind == "escalate":
            ticket.escalation_level = max(ticket.escalation_level or 0, planned.level)
        try:
            session.commit()
        except IntegrityError:
            # An earlier run recorded this step; it may have died before pushing, so push (the ledger dedupes).
            session.rollback()
    failure = None
    for openid, push in pushes:
        try:
            deliver(rt.engine, ticket_id, step, openid, lambda o=openid, p=push: rt.notifier.send(o, p))
        except Exception as exc:  # noqa: BLE001 - reach the others first, then fail the job so RQ retries
            log.warning("ticket %s %s: push to %s failed: %s", ticket_id, step, mask_openid(openid), exc)
            failure = failure or exc
    if failure:
        raise failure
    return "done"


def on_event(event_id: int) -> str:
    """Keep the ticket's next look in step with an event: accepted or closed moves it on, reopened plans a new round."""
    rt = runtime.get()
    with rt.sessions() as session:
        event = session.get(TicketEvent, event_id)
        if event is None:
            return "gone"
        ticket_id, kind = event.ticket_id, event.kind
    replan(ticket_id)
    return kind
