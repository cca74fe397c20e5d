"""Prometheus metrics read at scrape time (tickets, queue, push failures), so any process can answer a scrape.

The webhook's own counters live in bot/web/dashboard/health.py: only web processes create them.
"""
from __future__ import annotations

import logging
import os

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from redis import Redis
from redis.exceptions import RedisError
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.store.models import Delivery, Ticket

log = logging.getLogger("minhu.metrics")
PUSH_FAILURES_KEY = "minhu:metrics:push_failures"


def count_push_failure(redis: Redis) -> None:
    """A push WeChat refused or never answered (workers call this; it must never fail the job)."""
    try:
        redis.incr(PUSH_FAILURES_KEY)
    except RedisError as exc:
        log.warning("push failure not counted (Redis: %s)", exc)


class StoreCollector:
    """Tickets by category and status, queue depth and push failures, read from the database and Redis."""

    def __init__(self, runtime):
        self.rt = runtime

    def collect(self):
        tickets = GaugeMetricFamily("minhu_tickets", "Tickets in the store, by category and status",
                                    labels=["category", "status"])
        failed_now = GaugeMetricFamily("minhu_deliveries_failed", "Pushes whose last attempt failed")
        try:
            with self.rt.sessions() as db:
                for category, status, count in db.execute(
                        select(Ticket.category, Ticket.status, func.count()).group_by(Ticket.category, Ticket.status)):
                    tickets.add_metric([category, status], count)
                failed_now.add_metric([], db.scalar(select(func.count()).where(Delivery.status == "failed")) or 0)
        except SQLAlchemyError as exc:
            log.warning("metrics: database unreachable: %s", exc)
        yield tickets
        yield failed_now
        depth = GaugeMetricFamily("minhu_queue_jobs", "RQ jobs by state", labels=["state"])
        failures = CounterMetricFamily("minhu_push_failures", "Pushes that failed (each attempt)")
        try:
            queue = self.rt.queue
            depth.add_metric(["queued"], queue.count)
            depth.add_metric(["scheduled"], ScheduledJobRegistry(queue=queue).count)
            depth.add_metric(["failed"], FailedJobRegistry(queue=queue).count)
            failures.add_metric([], int(self.rt.redis.get(PUSH_FAILURES_KEY) or 0))
        except RedisError as exc:
            log.warning("metrics: Redis unreachable: %s", exc)
        yield depth
        yield failures


def exposition(runtime) -> bytes:
    """The text to answer a scrape with: this process's (or all web processes') counters, then the store's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        own = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        own = generate_latest(REGISTRY)
    store = CollectorRegistry()
    store.register(StoreCollector(runtime))
    return own + generate_latest(store)
