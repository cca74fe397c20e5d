"""The delivery ledger: a push is claimed, sent, then marked, so a retried job sends nothing twice."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.store import metrics
from bot.domain.clock import utcnow
from bot.store.models import Delivery
from bot.errors import NoChannel
from bot import runtime

log = logging.getLogger("minhu.ledger")

# A claim older than this belongs to a worker that died mid-send: another may take it over.
STALE_CLAIM = timedelta(seconds=60)


class InFlight(Exception):
    """Another worker is sending this push right now; try again later."""


def deliver(sessions: sessionmaker[Session], ticket_id: int, event: str, recipient: str,
            send: Callable[[], str], claimed: Callable[[Session], None] | None = None,
            sent: Callable[[Session], None] | None = None) -> bool:
    """Send once per (ticket, event, recipient); False when it was already sent.

    `claimed` adds the caller's writes to the claim's commit; `sent` makes the caller's writes once the push is
    recorded as sent."""
    with sessions() as session:
        session.add(Delivery(ticket_id=ticket_id, event=event, recipient=recipient, claimed_at=utcnow()))
        try:
            if claimed:
                claimed(session)  # its statement flushes the claim: a claim already there fails here
            session.commit()
        except IntegrityError:
            session.rollback()
            row = session.scalar(select(Delivery).where(Delivery.ticket_id == ticket_id, Delivery.event == event,
                                                        Delivery.recipient == recipient))
            if row.status == "sent":
                return False
            now = utcnow()
            if row.status == "sending" and row.claimed_at > now - STALE_CLAIM:
                raise InFlight(f"ticket {ticket_id} {event} is being sent")
            taken = session.execute(update(Delivery).where(Delivery.id == row.id,
                                                           Delivery.claimed_at == row.claimed_at)
                                    .values(status="sending", claimed_at=now)).rowcount
            if taken and claimed:
                claimed(session)
            session.commit()
            if not taken:
                raise InFlight(f"ticket {ticket_id} {event} was claimed by another worker")
    key = (Delivery.ticket_id == ticket_id, Delivery.event == event, Delivery.recipient == recipient)
    with sessions() as marker:
        # Checked out (and pinged) before the push, each statement its own commit: once WeChat has answered, one
        # round trip records the push. A worker killed before it lands sends the push again on its retry.
        connection = marker.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        try:
            channel = send()
        except Exception as exc:
            # Release the claim at once so the job's retry can send.
            connection.execute(update(Delivery).where(*key).values(
                status="failed", error=f"{type(exc).__name__}: {exc}"[:500], claimed_at=utcnow() - STALE_CLAIM))
            metrics.count_push_failure(runtime.get().redis)
            raise
        connection.execute(update(Delivery).where(*key).values(status="sent", channel=channel, sent_at=utcnow(),
                                                               error=None))
    if sent:
        with sessions() as session:
            sent(session)
            session.commit()
    return True


def deliver_each(rt, ticket_id: int, event: str, pushes: Iterable[tuple[str, object]]) -> int:
    """`deliver` each (recipient, push) of one ticket event through `rt.notifier`; a recipient WeChat cannot reach
    (no window, no template) is logged and skipped, since retrying will not help and the ledger keeps the failure.
    Returns how many were sent now."""
    sent = 0
    for recipient, push in pushes:
        try:
            sent += deliver(rt.sessions, ticket_id, event, recipient,
                            lambda recipient=recipient, push=push: rt.notifier.send(recipient, push))
        except NoChannel as exc:
            log.warning("ticket %s %s: %s", ticket_id, event, exc)
    return sent
