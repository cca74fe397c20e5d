"""Follow-through timers: remind before a limit passes, escalate one level at a time after it, page for urgent tickets.

Every ticket gets `schedule_ticket` through the outbox when it opens; it puts one RQ job per step in the
scheduled registry with a deterministic id (timer-<ticket>-<step>). Each step runs `run_step`, which
does nothing once the ticket has moved on, and records the step in `followup_steps` (unique per
ticket and step) with its event before pushing through the delivery ledger: a job run twice, or a
worker killed half-way and retried, escalates once. `on_event` (a job for ticket events) drops the
timers a step made moot and plans a reopened ticket's new round.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import clock
from bot.models import FollowUpStep, Ticket, TicketEvent
from bot.privacy import mask_openid
from bot.queue import RETRY
from bot.settings import Config, limits_for
from bot.worktime import deadline
from workers import runtime
from workers.escalation import recipients
from workers.ledger import deliver

log = logging.getLogger("minhu.timers")
RUN_STEP = "workers.timers.run_step"
# A stage is pending while the ticket is in one of these statuses.
WAITING = {"accept": ("new", "dispatched"), "resolve": ("new", "dispatched", "accepted")}
EVENT_KIND = {"remind": "reminded", "escalate": "escalated", "page": "paged"}
PAGE_GRACE = timedelta(minutes=1)
STEP_NAMES = ["page:urgent"] + [name for stage in ("accept", "resolve") for name in (
    f"remind:{stage}", f"escalate:{stage}:1", f"escalate:{stage}:2", f"escalate:{stage}:3")]


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
    # The chat pages at once (bot.steps.alert); this is the backstop for tickets opened any other way.
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


def job_id(ticket_id: int, step: str) -> str:
    return f"timer-{ticket_id}-{step.replace(':', '-').replace('@', '-r')}"


def _pending(ticket: Ticket, stage: str) -> bool:
    return ticket.status in WAITING[stage]


def schedule_ticket(ticket_id: int) -> int:
    """Put the ticket's follow-up steps in the scheduler (those already due, in the queue); return how many."""
    rt = runtime.get()
    with rt.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            return 0
        done = set(session.scalars(select(FollowUpStep.step).where(FollowUpStep.ticket_id == ticket_id)))
        steps = [s for s in plan(rt.settings.config, ticket) if s.name not in done and _pending(ticket, s.stage)]
    now = clock.utcnow()
    for step in steps:
        options = dict(job_id=job_id(ticket_id, step.name), retry=RETRY, result_ttl=3600, failure_ttl=7 * 24 * 3600)
        if step.at <= now:
            rt.queue.enqueue(RUN_STEP, ticket_id, step.name, **options)
        else:
            # Aware UTC: RQ reads a naive datetime as the server's local time.
            rt.queue.enqueue_at(step.at.replace(tzinfo=UTC), RUN_STEP, ticket_id, step.name, **options)
    return len(steps)


def cancel_timers(queue: Queue, ticket_id: int, stage: str | None = None, round_: int = 0) -> int:
    """Drop the ticket's scheduled steps (of one stage, or all) once it has moved on; return how many.

    Optional: a step that runs anyway finds the ticket moved on and does nothing.
    """
    registry = queue.scheduled_job_registry
    removed = 0
    for name in STEP_NAMES:
        if stage and Step(name, datetime.min).stage != stage:
            continue
        step = f"{name}@{round_}" if round_ else name
        if registry.remove(job_id(ticket_id, step)):
            removed += 1
            try:
                Job.fetch(job_id(ticket_id, step), connection=queue.connection, serializer=queue.serializer).delete()
            except NoSuchJobError:
                pass  # already gone: nothing to delete
    return removed


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
            deliver(rt.sessions, ticket_id, step, openid, lambda o=openid, p=push: rt.notifier.send(o, p))
        except Exception as exc:  # noqa: BLE001 - reach the others first, then fail the job so RQ retries
            log.warning("ticket %s %s: push to %s failed: %s", ticket_id, step, mask_openid(openid), exc)
            failure = failure or exc
    if failure:
        raise failure
    return "done"


def on_event(event_id: int) -> str:
    """Keep the timers in step with a ticket event: drop what is moot, plan a reopened ticket's new round."""
    rt = runtime.get()
    with rt.sessions() as session:
        event = session.get(TicketEvent, event_id)
        ticket = session.get(Ticket, event.ticket_id) if event else None
        if ticket is None:
            return "gone"
        kind, round_ = event.kind, ticket.reopened_count or 0
    if kind == "accepted":
        cancel_timers(rt.queue, ticket.id, "accept", round_)
    elif kind in ("resolved", "cancelled", "closed", "disposed"):
        cancel_timers(rt.queue, ticket.id, None, round_)
    elif kind in ("reopened", "transferred"):
        schedule_ticket(ticket.id)
    return kind
