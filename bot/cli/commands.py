"""`minhu serve`, `worker`, `relay` and `db upgrade`: running the bot."""
from __future__ import annotations

import logging
import sys
import time

import click
from rq import SimpleWorker

from bot.cli.serve import default_workers, relay_loop, run, run_workers
from bot import runtime
from bot.store import db as database
from bot.cli.base import cli_settings
# The jobs a worker runs, loaded before the first one arrives.
import workers.daily, workers.dispatch, workers.drafts, workers.notify, workers.timers  # noqa: E401, F401

log = logging.getLogger("minhu")


class Worker(SimpleWorker):
    """RQ's SimpleWorker with its command channel polled every second, not every minute: redis-py's thread for
    the channel stops only after its poll, so SIGTERM stopped a worker up to 60 s late (rq/rq#1613)."""

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
    from rq.serializers import JSONSerializer


    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    rt = runtime.get(cli_settings)
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
