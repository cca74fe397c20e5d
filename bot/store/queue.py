"""RQ queues and the outbox relay: jobs reach Redis after the database commit, or later, never never."""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import NamedTuple

from redis import Connection, Redis, UnixDomainSocketConnection
from redis.client import Pipeline
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry as RedisRetry
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.job import JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.clock import utcnow
from bot.store.models import Outbox

log = logging.getLogger("minhu.queue")
QUEUE_NAME = "minhu"
# Backoff for jobs that talk to WeChat: about 20 minutes in all before a job is given up.
RETRY = Retry(max=6, interval=[5, 15, 60, 120, 300, 600])


class _Outage:
    """When this process last failed to reach Redis: for a moment after, fast connections fail at once."""

    until = 0.0
    pause = 2.0


def _fail_fast(base: type[Connection]) -> type[Connection]:
    class FailFast(base):
        def connect(self):
            if time.monotonic() < _Outage.until:
                raise RedisConnectionError("Redis was unreachable a moment ago; not waiting for it again yet")
            try:
                super().connect()
            except (RedisConnectionError, RedisTimeoutError):
                _Outage.until = time.monotonic() + _Outage.pause
                raise

    return FailFast


def connect(url: str, fast: bool = False) -> Redis:
    """A Redis connection; `fast` fails within half a second and does not retry, for the webhook's 5 s.

    A message touches Redis several times; when Redis is down, every touch after the first fails at
    once for a couple of seconds, so the resident's answer (from the database) is not held up."""
    if not fast:
        return Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10, health_check_interval=30)
    base = UnixDomainSocketConnection if url.startswith("unix:") else Connection
    return Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30,
                          retry=RedisRetry(NoBackoff(), 0), connection_class=_fail_fast(base))


class Job(NamedTuple):
    """An outbox row just committed: its id, the job's dotted name and its arguments."""

    outbox_id: int
    name: str
    args: list


def make_queue(redis: Redis, name: str = QUEUE_NAME) -> Queue:
    return Queue(name, connection=redis, serializer=JSONSerializer)


def _prepared(outbox_id: int, attempt: int, name: str, args: list):
    """An outbox row's job, for `enqueue_many`: its id makes the job recognisable in Redis."""
    return Queue.prepare_data(name, args, job_id=job_id(outbox_id, attempt), retry=RETRY, result_ttl=3600,
                              failure_ttl=7 * 24 * 3600)


def enqueue(queue: Queue, outbox_id: int, attempt: int, name: str, args: list) -> None:
    """Enqueue one outbox row's job."""
    queue.enqueue_many([_prepared(outbox_id, attempt, name, args)])


def enqueue_committed(queue: Queue, jobs: list[Job], pipeline: Pipeline | None = None) -> int:
    """Right after commit: enqueue the new rows' jobs, all in one round trip; what Redis refuses waits for the relay.

    With `pipeline` the jobs are only added to it, for the caller to send with its own writes. The rows are
    not marked here: the relay marks them when it finds their jobs in Redis, a few seconds on, in bulk (a
    mark per message cost the webhook a transaction)."""
    if not jobs:
        return 0
    try:
        queue.enqueue_many([_prepared(job.outbox_id, 1, job.name, job.args) for job in jobs], pipeline=pipeline)
    except RedisError as exc:
        log.warning("outbox %s not enqueued (Redis: %s); the relay will try again", outbox_ids(jobs), exc)
        return 0
    return len(jobs)


def outbox_ids(jobs: list[Job]) -> str:
    return ", ".join(str(job.outbox_id) for job in jobs)


def relay(sessions: sessionmaker[Session], queue: Queue, older_than: timedelta = timedelta(seconds=0),
          limit: int = 500) -> int:
    """Outbox rows older than `older_than` not yet marked: mark those Redis has, enqueue the rest; return how many
    were enqueued.

    A row's job normally reached Redis right after its commit; this pass confirms it,
    or, after a Redis outage or a killed process, sends it."""
    with sessions() as session:
        query = select(Outbox).where(Outbox.enqueued_at.is_(None), Outbox.created_at <= utcnow() - older_than)
        rows = session.scalars(query.order_by(Outbox.id).limit(limit)).all()
        if not rows:
            return 0
        try:
            pipe = queue.connection.pipeline(transaction=False)
            for row in rows:
                pipe.exists(RQJob.key_for(job_id(row.id, row.attempts)))
            missing = [row for row, there in zip(rows, pipe.execute()) if not there]
            for row in missing:
                row.attempts += 1
            if missing:
                queue.enqueue_many([_prepared(row.id, row.attempts, row.job, row.args) for row in missing])
        except RedisError as exc:
            log.warning("outbox rows not enqueued (Redis: %s); the relay will try again", exc)
            session.rollback()
            return 0
        now = utcnow()
        for row in rows:
            row.enqueued_at = now
        session.commit()
    return len(missing)


def job_id(outbox_id: int, attempt: int) -> str:
    return f"outbox-{outbox_id}-{attempt}"


# A running job's heartbeat is renewed every 30 s or so and RQ kills a job after 180 s: five minutes of
# silence means its worker died, even if RQ's own registry maintenance has not caught up yet.
SILENT_AFTER = timedelta(minutes=5)


def _silent(job: RQJob, now) -> bool:
    beat = job.last_heartbeat or job.started_at
    return beat is None or beat.replace(tzinfo=None) < now - SILENT_AFTER


def reconcile(sessions: sessionmaker[Session], queue: Queue, min_age: timedelta = timedelta(seconds=30),
              limit: int = 500) -> dict[str, int]:
    """Check enqueued jobs not yet seen finished: mark the finished, re-enqueue the ones Redis lost.

    Redis may lose its last second of writes in a crash (AOF fsync every second): a job the outbox
    believes enqueued can be gone. Jobs are idempotent, so enqueuing such a job again is safe."""
    counts = {"finished": 0, "failed": 0, "lost": 0}
    now = utcnow()
    with sessions() as session:
        rows = session.scalars(select(Outbox).where(Outbox.done_at.is_(None), Outbox.enqueued_at.is_not(None),
                                                    Outbox.enqueued_at <= now - min_age)
                               .order_by(Outbox.id).limit(limit)).all()
        for row in rows:
            try:
                job = RQJob.fetch(job_id(row.id, row.attempts), connection=queue.connection,
                                  serializer=queue.serializer)
                status = job.get_status(refresh=False)
            except NoSuchJobError:
                status = None
            if status == JobStatus.QUEUED and queue.connection.lpos(queue.key, job.id) is None:
                status = None  # Redis kept the job's hash but lost its place in the queue: it would never run
            elif status == JobStatus.STARTED and _silent(job, now):
                status = None  # its worker died and RQ has not noticed for a long while
            if status == JobStatus.FINISHED:
                row.done_at, counts["finished"] = now, counts["finished"] + 1
            elif status in (JobStatus.FAILED, JobStatus.CANCELED, JobStatus.STOPPED):
                # Retries are used up: keep the row as the record; the job's failure is in RQ's failed registry.
                row.done_at, counts["failed"] = now, counts["failed"] + 1
                log.error("outbox %s: job %s ended %s", row.id, row.job, status)
            elif status is None:
                row.attempts += 1
                enqueue(queue, row.id, row.attempts, row.job, row.args)
                row.enqueued_at, counts["lost"] = now, counts["lost"] + 1
                log.warning("outbox %s: job was not in Redis; enqueued it again", row.id)
            session.commit()
    return counts
