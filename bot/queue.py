"""RQ queues and the outbox relay: jobs reach Redis after the database commit, or later, never never."""
from __future__ import annotations

import logging
from datetime import timedelta

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.serializers import JSONSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utcnow
from bot.models import Outbox

log = logging.getLogger("minhu.queue")
QUEUE_NAME = "minhu"
# Backoff for jobs that talk to WeChat: about 20 minutes in all before a job is given up.
RETRY = Retry(max=6, interval=[5, 15, 60, 120, 300, 600])


def connect(url: str, fast: bool = False) -> Redis:
    """A Redis connection; `fast` fails within half a second, for the webhook's 5-second budget."""
    timeout = 0.5 if fast else 10
    return Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                          health_check_interval=30)


def make_queue(redis: Redis, name: str = QUEUE_NAME) -> Queue:
    return Queue(name, connection=redis, serializer=JSONSerializer)


def enqueue_row(queue: Queue, row: Outbox) -> None:
    """Enqueue one outbox row's job; its id makes the job recognisable in Redis."""
    queue.enqueue(row.job, *row.args, retry=RETRY, job_id=f"outbox-{row.id}-{row.attempts}",
                  result_ttl=3600, failure_ttl=7 * 24 * 3600)


def relay(sessions: sessionmaker[Session], queue: Queue, ids: list[int] | None = None,
          older_than: timedelta = timedelta(seconds=0), limit: int = 500) -> int:
    """Enqueue outbox rows not yet in Redis (the given ids, or any older than `older_than`); return how many."""
    sent = 0
    with sessions() as session:
        query = select(Outbox).where(Outbox.enqueued_at.is_(None))
        query = query.where(Outbox.id.in_(ids)) if ids is not None else query.where(
            Outbox.created_at <= utcnow() - older_than)
        rows = session.scalars(query.order_by(Outbox.id).limit(limit)).all()
        for row in rows:
            row.attempts += 1
            try:
                enqueue_row(queue, row)
            except RedisError as exc:
                log.warning("outbox %s not enqueued (Redis: %s); the relay will try again", row.id, exc)
                session.rollback()
                break
            row.enqueued_at = utcnow()
            session.commit()
            sent += 1
    return sent
