"""The delivery ledger: a push is claimed, sent, then marked, so a retried job sends nothing twice."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.store import metrics
from bot.domain.clock import utcnow
from bot.store.models import Delivery
from bot.errors import NoChannel
from bot import runtime

log = logging.getLogger("minhu.ledger")

# A claim older than this belongs to a worker that died mid-send: another may take it over.
STALE_CLAIM = timedelta(seconds=60)


# The ledger's statements, built once: a push runs each of them, and building one costs more CPU than running it.
_KEY = (Delivery.ticket_id == bindparam("b_ticket"), Delivery.event == bindparam("b_event"),
        Delivery.recipient == bindparam("b_recipient"))
_CLAIM = insert(Delivery).values(status="sending")
_FIND = select(Delivery.id, Delivery.status, Delivery.claimed_at).where(*_KEY)
_SENT = update(Delivery).where(*_KEY).values(status="sent", channel=bindparam("_channel"), sent_at=bindparam("_at"),
                                            error=None)
_FAILED = update(Delivery).where(*_KEY).values(status="failed", error=bindparam("_error"),
                                              claimed_at=bindparam("_at"))


class InFlight(Exception):
    """Another worker is sending this push right now; try again later."""


def deliver(engine: Engine, ticket_id: int, event: str, recipient: str,
            send: Callable[[], str], claimed: Callable[[Connection], None] | None = None,
            sent: Callable[[Connection], None] | None = None) -> bool:
    """Send once per (ticket, event, recipient); False when it was already sent.

    `claimed` adds the caller's writes to the claim's commit; `sent` makes the caller's writes once the push is
    recorded as sent (both in Core, on the ledger's connection)."""
    with engine.connect() as connection:
        return deliver_on(connection, ticket_id, event, recipient, send, claimed, sent)


def deliver_on(connection: Connection, ticket_id: int, event: str, recipient: str, send: Callable[[], str],
               claimed: Callable[[Connection], None] | None = None,
               sent: Callable[[Connection], None] | None = None) -> bool:
    """`deliver` on the caller's connection: what the caller read in its open transaction commits with the claim,
    so a push costs the database two transactions and one autocommit statement."""
    key = {"b_ticket": ticket_id, "b_event": event, "b_recipient": recipient}
    if not _claim(connection, key, claimed):
        return False
    # Each statement its own commit from here: once WeChat has answered, one round trip records the push. A worker
    # killed before it lands sends the push again on its retry.
    default = connection.default_isolation_level
    connection.execution_options(isolation_level="AUTOCOMMIT")
    try:
        channel = send()
    except Exception as exc:
        # Release the claim at once so the job's retry can send.
        connection.execute(_FAILED, {**key, "_error": f"{type(exc).__name__}: {exc}"[:500],
                                     "_at": utcnow() - STALE_CLAIM})
        metrics.count_push_failure(runtime.get().redis)
        raise
    connection.execute(_SENT, {**key, "_channel": channel, "_at": utcnow()})
    connection.commit()  # nothing at the database (each statement committed); lets the isolation level change
    connection.execution_options(isolation_level=default)
    if sent:
        sent(connection)
        connection.commit()
    return True


def _claim(connection: Connection, key: dict, claimed: Callable[[Connection], None] | None) -> bool:
    """Claim the push and commit (with the caller's writes); False when it was sent already, InFlight when another
    worker holds a fresh claim."""
    try:
        connection.execute(_CLAIM, {"ticket_id": key["b_ticket"], "event": key["b_event"],
                                    "recipient": key["b_recipient"], "claimed_at": utcnow()})
        if claimed:
            claimed(connection)
        connection.commit()
        return True
    except IntegrityError:
        connection.rollback()
    row = connection.execute(_FIND, key).one()
    if row.status == "sent":
        connection.rollback()
        return False
    now = utcnow()
    if row.status == "sending" and row.claimed_at > now - STALE_CLAIM:
        connection.rollback()
        raise InFlight(f"ticket {key['b_ticket']} {key['b_event']} is being sent")
    taken = connection.execute(update(Delivery).where(Delivery.id == row.id, Delivery.claimed_at == row.claimed_at)
                               .values(status="sending", claimed_at=now)).rowcount
    if taken and claimed:
        claimed(connection)
    connection.commit()
    if not taken:
        raise InFlight(f"ticket {key['b_ticket']} {key['b_event']} was claimed by another worker")
    return True


def deliver_each(rt, ticket_id: int, event: str, pushes: Iterable[tuple[str, object]]) -> int:
    """`deliver` each (recipient, push) of one ticket event through `rt.notifier`; a recipient WeChat cannot reach
    (no window, no template) is logged and skipped, since retrying will not help and the ledger keeps the failure.
    Returns how many were sent now."""
    sent = 0
    for recipient, push in pushes:
        try:
            sent += deliver(rt.engine, ticket_id, event, recipient,
                            lambda recipient=recipient, push=push: rt.notifier.send(recipient, push))
        except NoChannel as exc:
            log.warning("ticket %s %s: %s", ticket_id, event, exc)
    return sent
