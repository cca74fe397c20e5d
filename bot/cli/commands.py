"""`minhu serve`, `worker`, `relay` and `db upgrade`: running the bot."""
from __future__ import annotations

import logging
import sys
import time

import click
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.serve import default_workers, relay_loop, run, run_workers
from bot import runtime
from bot.store import db as database
from bot.cli.base import cli_settings
# The jobs a worker runs, loaded before the first one arrives.
import workers.daily, workers.dispatch, workers.drafts, workers.notify, workers.timers  # noqa: E401, F401

log = logging.getLogger("minhu")


class Worker(SimpleWorker):
    """RQ's SimpleWorker with fewer round trips to Redis a job, and its command channel polled every second, not every
    minute: redis-py's thread for the channel stops only after its poll, so SIGTERM stopped a worker up to 60 s late
    (rq/rq#1613)."""

    # RQ renews the worker's key (a TTL of worker_ttl + 60 s; it waits for a job at most worker_ttl - 15 s) between
    # each two steps of a job, three commands each time: in a burst, 9 of a job's 20 or so round trips to Redis.
    # A renewal as long as the last one, within BEAT_EVERY of it, changes nothing that anyone reads.
    BEAT_EVERY = 10.0
    _beat = (float("-inf"), 0)

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        """RQ's heartbeat in one round trip, and only when the last one is not fresh and as long."""
        ttl = timeout or self.worker_ttl + 60
        if pipeline is not None:  # part of RQ's own transaction (a job starting): always
            self._beat = (time.monotonic(), ttl)
            return super().heartbeat(timeout, pipeline)
        at, kept = self._beat
        if kept >= ttl and time.monotonic() - at < self.BEAT_EVERY:
            return
        with self.connection.pipeline(transaction=False) as pipe:
            super().heartbeat(timeout, pipe)
            pipe.execute()
        self._beat = (time.monotonic(), ttl)

    # RQ writes the worker's state before and after each job (the same "idle" twice) and asks Redis whether workers
    # are suspended (`rq suspend`) before each job: both a round trip each time that, in a burst, tells nothing new.
    SUSPENSION_EVERY = 1.0
    _written_state = None
    _suspension_checked = float("-inf")

    def set_state(self, state: str, pipeline=None) -> None:
        """RQ's set_state, skipped when the state in Redis is this one already."""
        if pipeline is None and state == self._written_state:
            return
        super().set_state(state, pipeline)
        self._written_state = state

    def check_for_suspension(self, burst: bool) -> None:
        """RQ's check for `rq suspend`, at most once a second."""
        if time.monotonic() - self._suspension_checked < self.SUSPENSION_EVERY:
            return
        super().check_for_suspension(burst)
        self._suspension_checked = time.monotonic()

    def subscribe(self) -> None:
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(sleep_time=1, daemon=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--web-workers", default=None, type=click.IntRange(1, 64),
              help="gunicorn worker processes  [default: 1 on SQLite, 2 on PostgreSQL]")
# Up to 16: each push waits about 0.1 s on WeChat; 16 workers overlap those waits enough for a burst of 200 reports
# (docs/PERFORMANCE.md, "Push pipeline"). Fewer on a small machine: each takes about 70-100 MB.
@click.option("--workers", "rq_workers", default=None, type=click.IntRange(1, 64),
              help="RQ worker processes  [default: 16, fewer where memory is short]")
def serve(host: str, port: int, web_workers: int | None, rq_workers: int | None) -> None:
    """Run everything on this machine: webhook, workers, scheduler, outbox relay (and Redis, if none is set)."""
    sys.exit(run(cli_settings(), host, port, web_workers, rq_workers or default_workers()))


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="worker processes to run and watch (each takes one job at a time)")
def worker(burst: bool, processes: int) -> None:
    """Run RQ workers that keep their connections and caches across jobs, with RQ's scheduler (retries need it)."""
    if processes > 1:
        sys.exit(run_workers(processes, burst))
    rt = runtime.get(cli_settings)
    try:
        workers.dispatch.warm_up(rt)
    except SQLAlchemyError as exc:  # the database is not there yet: the first job pays for it, or is retried
        log.warning("worker not warmed up (%s)", exc)
    while True:
        try:
            # SimpleWorker runs each job in this process (RQ's Worker forks a work-horse per job and loses every
            # warm cache and connection with it); the job's time limit still holds (SIGALRM, as in a horse).
            # Inside the try: RQ's Worker talks to Redis as it is made, and Redis may still be down.
            # Registry maintenance every minute, not RQ's ten: a job whose worker was killed is retried sooner.
            worker = Worker([rt.queue], connection=rt.redis, serializer=JSONSerializer, maintenance_interval=60)
            worker.work(with_scheduler=True, burst=burst, logging_level="INFO")
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            # RQ gives up when Redis vanishes mid-job; the job is retried once Redis is back. Wait for it.
            log.warning("worker lost Redis (%s); starting again in 5 s", exc)
            time.sleep(5)


@click.command()
@click.option("--once", is_flag=True, help="One pass, then exit.")
@click.option("--every", default=5.0, show_default=True, help="seconds between passes")
def relay(once: bool, every: float) -> None:
    """Re-enqueue outbox rows that never reached Redis (run one, anywhere)."""
    relay_loop(runtime.get(cli_settings), every=every, once=once)


@click.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the tables to the newest version."""
    settings = cli_settings()
    engine = database.make_engine(settings.database_url)
    database.upgrade(engine)
    click.echo(f"database at newest version: {engine.url.render_as_string(hide_password=True)}")
