"""The daily schedule: at the configured local time, enqueue yesterday's digests (`minhu scheduler`).

Any number of schedulers may run: the job id is the day's, `unique` refuses a second copy while one
exists, and the Digest table's unique (secretary, day) row is the guarantee of exactly one digest.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from redis.exceptions import RedisError
from rq.exceptions import DuplicateJobError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bot import clock
from bot.digest import recipients
from bot.models import Digest, Ticket
from bot.queue import RETRY
from workers.notices import resume as resume_notices

log = logging.getLogger("minhu.schedule")
DIGEST_JOB = "workers.digest.send_digests"
OPEN_STATUSES = ("new", "dispatched", "accepted")


def due_day(config, now: datetime) -> date | None:
    """The day whose digest is due at `now` (naive UTC): yesterday, once the local digest time has come."""
    local = now.replace(tzinfo=UTC).astimezone(ZoneInfo(config.timezone))
    return local.date() - timedelta(days=1) if local.time() >= config.digest.time else None


def tick(rt) -> str | None:
    """One pass: enqueue the due day's digest job unless every secretary has it or a copy is queued."""
    day = due_day(rt.settings.config, clock.utcnow())
    if day is None:
        return None
    wanted = {r.person.openid for r in recipients(rt.directory, rt.staff)}
    with rt.sessions() as session:
        sent = session.scalar(select(func.count()).select_from(Digest).where(
            Digest.day == day, Digest.status == "sent", Digest.recipient.in_(wanted)))
    if sent >= len(wanted):
        return None
    job_id = f"digest-{day.isoformat()}"
    try:
        # A failed copy is kept briefly, so a later pass tries the day again.
        rt.queue.enqueue(DIGEST_JOB, day.isoformat(), job_id=job_id, unique=True, retry=RETRY,
                         result_ttl=3600, failure_ttl=900)
    except DuplicateJobError:
        return None
    log.info("digest for %s enqueued", day)
    return job_id


def sweep_timers(rt, batch: int = 500) -> int:
    """Plan every open ticket's timers again: Redis may have lost scheduled jobs (its last second, or more).

    Planning is idempotent (steps already taken are skipped, job ids are fixed), so a sweep that finds
    nothing lost changes nothing."""
    from workers.timers import schedule_ticket

    planned, last_id = 0, 0
    while True:
        with rt.sessions() as session:
            ids = list(session.scalars(select(Ticket.id).where(Ticket.status.in_(OPEN_STATUSES), Ticket.id > last_id)
                                       .order_by(Ticket.id).limit(batch)))
        for ticket_id in ids:
            planned += schedule_ticket(ticket_id)
        if len(ids) < batch:
            return planned
        last_id = ids[-1]


def run(rt, every: float = 30.0, stop: threading.Event | None = None, sweep_every: float = 600.0) -> None:
    """Tick every `every` seconds until stopped; sweep the open tickets' timers every `sweep_every`."""
    stop = stop or threading.Event()
    last_sweep = 0.0
    while not stop.is_set():
        try:
            tick(rt)
            if time.monotonic() - last_sweep >= sweep_every:
                sweep_timers(rt)
                resume_notices(rt)  # a notice whose job Redis lost
                last_sweep = time.monotonic()
        except (RedisError, SQLAlchemyError) as exc:
            log.warning("scheduler pass failed, will retry: %s", exc)
        stop.wait(every)
