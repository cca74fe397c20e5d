"""post_status: one ticket status change, signed, to the district system; RQ retries it with back-off until it is taken."""
from __future__ import annotations

import logging
from datetime import UTC

import requests
from rq import get_current_job
from sqlalchemy import select, update

from bot.domain import webhooks_out
from bot.domain.clock import utcnow
from bot.errors import MinhuError
from bot.store.models import Ticket, TicketEvent, WebhookDelivery
from bot import runtime

log = logging.getLogger("minhu.webhooks")


class WebhookRefused(MinhuError):
    """The receiver did not answer 2xx; the job is retried with back-off."""


def _note(rt, event_id: int, **values) -> None:
    with rt.sessions() as session:
        session.execute(update(WebhookDelivery).where(WebhookDelivery.event_id == event_id).values(**values))
        session.commit()


def post_status(event_id: int) -> str:
    """POST the change once it is taken (2xx); the same event id on every attempt, so the receiver can dedupe."""
    rt = runtime.get()
    settings = rt.settings
    with rt.sessions() as session:
        row = session.scalar(select(WebhookDelivery).where(WebhookDelivery.event_id == event_id))
        if row is None or row.state != "pending":
            return "nothing to send"
        ticket = session.get(Ticket, row.ticket_id)
        events = list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == row.ticket_id,
                                                                TicketEvent.id <= event_id).order_by(TicketEvent.id)))
        timestamp = int(utcnow().replace(tzinfo=UTC).timestamp())
        payload = webhooks_out.body(rt, row, ticket, events, events[-1], timestamp)
        attempts = row.attempts + 1
    secret = settings.secrets.outbound_webhook_secret
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "minhu-webhook/1",
               "X-Minhu-Event-Id": str(event_id), "X-Minhu-Timestamp": str(timestamp),
               "X-Minhu-Signature": webhooks_out.sign(secret, payload)}
    hook = settings.config.outbound_webhook
    try:
        answer = requests.post(hook.url, data=payload, headers=headers, timeout=hook.timeout.total_seconds(),
                               allow_redirects=False)
        if not 200 <= answer.status_code < 300:
            raise WebhookRefused(f"HTTP {answer.status_code}")
    except (requests.RequestException, WebhookRefused) as exc:
        job = get_current_job()
        last = job is None or not job.retries_left
        _note(rt, event_id, attempts=attempts, error=f"{type(exc).__name__}: {exc}"[:500],
              **({"state": "failed"} if last else {}))
        if last:
            log.warning("webhook for event %s given up after %s attempts: %s", event_id, attempts, exc)
        raise
    _note(rt, event_id, attempts=attempts, state="sent", sent_at=utcnow(), error=None)
    return "sent"
