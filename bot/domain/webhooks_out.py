"""Outbound webhooks: each ticket status change, found in the events, becomes one signed POST to a district system.

The sweep (run by the relay every few seconds) reads the ticket events after its cursor, keeps a row per event in
`webhook_deliveries` (the row's event id is the id the receiver dedupes by) and queues a job for each status change;
workers/webhooks.py posts it, retried by RQ with back-off. Reading the events, not hooking each step, catches every
way a ticket moves (the webhook, the desk, the timers) and loses none while Redis or the receiver is down.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, timedelta

from redis.exceptions import RedisError
from rq import Retry
from rq.exceptions import DuplicateJobError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.domain.clock import utcnow
from bot.store.models import Ticket, TicketEvent, WebhookDelivery
from bot.domain.privacy import mask_personal
from bot.domain.status_notes import status_notes

log = logging.getLogger("minhu.webhooks")
POST_JOB = "workers.webhooks.post_status"
CURSOR_KEY = "minhu:webhook:cursor"
# About 3 hours of attempts before a change is given up (marked failed, shown in the log).
RETRY = Retry(max=8, interval=[10, 30, 60, 300, 900, 1800, 3600, 3600])
# Events younger than this wait for the next sweep: a transaction that took an id first may commit a moment later.
SETTLE = timedelta(seconds=2)
LOST_AFTER = timedelta(minutes=5)  # a change pending this long is queued again unless its job is in Redis
# The ticket's status after each kind of event; a kind not here changes no status.
STATUS_AFTER = {"created": "new", "dispatched": "dispatched", "accepted": "accepted", "resolved": "resolved",
                "closed": "closed", "cancelled": "cancelled", "reopened": "dispatched", "transferred": "dispatched"}
KINDS = (*STATUS_AFTER, "rated")
OPEN311_STATUS = {"new": "open", "dispatched": "open", "accepted": "open"}


def enabled(settings) -> bool:
    """Configured with a URL and a secret (a change is never sent unsigned)."""
    return bool(settings.config.outbound_webhook.url and settings.secrets.outbound_webhook_secret)


def status_after(kind: str, detail: dict) -> str | None:
    """The status an event leaves its ticket in, None when it changes none (a 不满意 that reopened nothing)."""
    if kind == "rated":
        return "closed" if detail.get("satisfaction") != "unsatisfied" else None
    return STATUS_AFTER.get(kind)


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 of the body (which carries the timestamp too), in hex."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _cursor(rt, session) -> int:
    """The last event id swept: the newest row, or Redis's note, or (first sweep ever) the newest event now."""
    kept = session.scalar(select(func.max(WebhookDelivery.event_id)))
    try:
        noted = rt.redis.get(CURSOR_KEY)
    except RedisError:
        noted = None
    known = [int(v) for v in (kept, noted) if v is not None]
    if known:
        return max(known)
    start = session.scalar(select(func.max(TicketEvent.id))) or 0  # changes from now on, not the whole history
    try:
        rt.redis.set(CURSOR_KEY, start)
    except RedisError:
        pass  # the next sweep starts from its own now
    return start


def sweep(rt, batch: int = 500) -> int:
    """Keep a row for each status event since the last sweep and queue the changes; return how many were queued."""
    if not enabled(rt.settings):
        return 0
    with rt.sessions() as session:
        cursor = _cursor(rt, session)
        events = session.execute(select(TicketEvent.id, TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.detail)
                                 .where(TicketEvent.id > cursor, TicketEvent.kind.in_(KINDS),
                                        TicketEvent.at <= utcnow() - SETTLE)
                                 .order_by(TicketEvent.id).limit(batch)).all()
        last: dict[int, str | None] = {}
        rows = []
        for event_id, ticket_id, kind, detail in events:
            if ticket_id not in last:
                last[ticket_id] = session.scalar(
                    select(WebhookDelivery.status).where(WebhookDelivery.ticket_id == ticket_id,
                                                         WebhookDelivery.state != "skipped")
                    .order_by(WebhookDelivery.event_id.desc()).limit(1))
            status = status_after(kind, detail or {})
            # Only a change: a transfer between two grid workers, or a neighbour's verdict on a closed ticket, is none.
            changed = status is not None and status != last[ticket_id]
            if changed:
                last[ticket_id] = status
            rows.append(WebhookDelivery(event_id=event_id, ticket_id=ticket_id, status=status or "",
                                        state="pending" if changed else "skipped", attempts=0, created_at=utcnow()))
        session.add_all(rows)
        try:
            session.commit()
        except IntegrityError:  # another sweep took these events first
            session.rollback()
            return 0
        if events:
            try:
                rt.redis.set(CURSOR_KEY, events[-1][0])
            except RedisError:
                pass  # the rows hold the cursor too
        # Besides the new changes, those pending a while: their job may be lost (Redis down, or lost since).
        lost = list(session.scalars(select(WebhookDelivery.event_id).where(
            WebhookDelivery.state == "pending", WebhookDelivery.created_at < utcnow() - LOST_AFTER)
            .order_by(WebhookDelivery.event_id).limit(100)))
    fresh = [row.event_id for row in rows if row.state == "pending"]
    return sum(_enqueue(rt, event_id) for event_id in dict.fromkeys(fresh + lost))


def _enqueue(rt, event_id: int) -> bool:
    """Queue the POST of one change unless its job is in Redis already (queued, running or waiting for a retry)."""
    try:
        rt.queue.enqueue(POST_JOB, event_id, job_id=f"webhook-{event_id}", unique=True, retry=RETRY, result_ttl=0,
                         failure_ttl=24 * 3600)
    except DuplicateJobError:
        return False
    except RedisError as exc:
        log.warning("webhook for event %s not queued (Redis: %s); the next sweep will", event_id, exc)
        return False
    return True


def body(rt, row: WebhookDelivery, ticket: Ticket, events: list[TicketEvent], event: TicketEvent,
         timestamp: int) -> bytes:
    """What the receiver gets: the change, and the ticket as Open311 shows it (no name, contact, unit or room)."""
    zone = rt.settings.zone
    grid = rt.directory.grids.get(ticket.grid_id) if ticket.grid_id else None
    payload = {
        "event_id": row.event_id, "event": event.kind, "status": row.status,
        "open311_status": OPEN311_STATUS.get(row.status, "closed"),
        "occurred_at": event.at.replace(tzinfo=UTC).astimezone(zone).isoformat(timespec="seconds"),
        "timestamp": timestamp,  # the X-Minhu-Timestamp header's: signed with the body
        "ticket": {"service_request_id": ticket.number, "service_code": ticket.category,
                   "service_name": rt.settings.config.category_name(ticket.category), "source": ticket.source,
                   "description": mask_personal(ticket.text), "status_notes": status_notes(ticket, events),
                   "estate_id": ticket.estate_id, "building": ticket.building,
                   "agency_responsible": grid.name if grid else None, "urgent": ticket.urgent},
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
