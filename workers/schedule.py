"""`minhu scheduler`: every few seconds, the follow-up sweep (workers/timers.py); at the configured local time,
yesterday's digests.

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

from bot.domain import clock
from bot.domain.digest import recipients
from bot.store.models import Digest
from bot.store.queue import RETRY
from workers.notices import resume as resume_notices
from workers.timers import sweep

log = logging.getLogger("minhu.schedule")
DIGEST_JOB = "workers.daily.send_digests"


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


def run(rt, every: float = 10.0, stop: threading.Event | None = None, resume_every: float = 600.0) -> None:
    """Every `every` seconds until stopped: enqueue the follow-up of tickets whose next step has come, and the
    digest; every `resume_every`, a notice whose job Redis lost."""

    stop = stop or threading.Event()
    last_resume = 0.0
    while not stop.is_set():
        try:
            sweep(rt)
            tick(rt)
            if time.monotonic() - last_resume >= resume_every:
                resume_notices(rt)  # a notice whose job Redis lost
                last_resume = time.monotonic()
        except (RedisError, SQLAlchemyError) as exc:
            log.warning("scheduler pass failed, will retry: %s", exc)
        stop.wait(every)
