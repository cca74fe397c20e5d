"""The `minhu` command: serve, say, worker, relay, db upgrade, check."""
from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import click

from bot.errors import ConfigError
from bot.keptsecret import kept_secret

log = logging.getLogger("minhu")
# The commands import what they use when they run: `minhu --help` loads neither SQLAlchemy nor pydantic.


def _settings():
    from bot.settings import load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def demo_token(data_dir: Path) -> str:
    """A random webhook token kept under the data folder, for a machine with no MINHU_WECHAT_TOKEN."""
    return kept_secret(data_dir, "wechat_token", 16)


def failure_of(exc: Exception) -> str | None:
    """One line for an expected failure (bad configuration, Redis or the database out of reach); None for a bug."""
    from bot.errors import MinhuError

    if isinstance(exc, MinhuError):
        return str(exc)
    # Looked up, not imported: a failure of Redis or SQLAlchemy means they were imported already.
    redis_errors = sys.modules.get("redis.exceptions")
    if redis_errors and isinstance(exc, (redis_errors.ConnectionError, redis_errors.TimeoutError)):
        return (f"cannot reach Redis ({exc}): is `minhu serve` running, with this data folder? "
                f"Otherwise set MINHU_REDIS_URL")
    wechat = sys.modules.get("bot.wechat.client")
    if wechat and isinstance(exc, wechat.WeChatError):
        return f"WeChat did not take it: {exc}"
    ledger = sys.modules.get("workers.ledger")
    if ledger and isinstance(exc, ledger.InFlight):
        return f"{exc} by another worker right now: try again in a minute"
    database_errors = sys.modules.get("sqlalchemy.exc")
    if database_errors and isinstance(exc, (database_errors.OperationalError, database_errors.InterfaceError)):
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return f"cannot use the database ({reason}): check MINHU_DATABASE_URL, or that the database server is up"
    return None


class Commands(click.Group):
    """The `minhu` group, with one error channel: what an operator can fix is one line, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            message = failure_of(exc)
            if message is None:
                raise
            raise click.ClickException(message) from exc


@click.group(cls=Commands)
@click.option("--verbose", "-v", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """民呼 minhu: residents' complaints in, tickets out, seen through to a fix."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not verbose:  # the schema check every `user add` makes is no news: Alembic speaks when asked (-v)
        logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--web-workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
# Up to 16: each push waits about 0.1 s on WeChat; 16 workers overlap those waits enough for a burst of 200 reports
# (docs/PERFORMANCE.md, "Push pipeline"). Fewer on a small machine: each takes about 70-100 MB.
@click.option("--workers", "rq_workers", default=None, type=click.IntRange(1, 64),
              help="RQ worker processes  [default: 16, fewer where memory is short]")
def serve(host: str, port: int, web_workers: int, rq_workers: int | None) -> None:
    """Run everything on this machine: webhook, workers, scheduler, outbox relay (and Redis, if none is set)."""
    from bot.serve import default_workers, run

    sys.exit(run(_settings(), host, port, web_workers, rq_workers or default_workers()))


@main.command()
@click.argument("text")
@click.option("--as", "sender", default="o_demo_resident", show_default=True, help="the sender's openid")
@click.option("--url", default="http://127.0.0.1:8000/wechat", show_default=True)
@click.option("--msg-id", default=None, help="WeChat's MsgId (default: a new one)")
def say(text: str, sender: str, url: str, msg_id: str | None) -> None:
    """Send a signed text message to a running bot, as WeChat would, and print the reply."""
    from bot.say import send_text

    settings = _settings()
    secrets = settings.secrets
    token = secrets.wechat_token or demo_token(secrets.data_dir)
    crypto = None
    if secrets.wechat_aes_key and secrets.wechat_appid:  # the webhook then takes encrypted messages only
        from wechatpy.crypto import WeChatCrypto

        crypto = WeChatCrypto(token, secrets.wechat_aes_key, secrets.wechat_appid)
    try:
        reply = send_text(url, token, sender, text, msg_id, crypto=crypto)
    except OSError as exc:
        raise click.ClickException(f"cannot reach {url}: {exc}. Is `minhu serve` running?") from exc
    click.echo(reply if reply is not None else "(no reply)")


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="worker processes to run and watch (each takes one job at a time)")
def worker(burst: bool, processes: int) -> None:
    """Run RQ workers that keep their connections and caches across jobs, with RQ's scheduler (retries need it)."""
    if processes > 1:
        from bot.serve import run_workers

        sys.exit(run_workers(processes, burst))
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from workers import runtime

    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    rt = runtime.get()
    import workers.digest, workers.dispatch, workers.drafts, workers.notify, workers.timers  # noqa: E401, F401
    while True:
        try:
            # SimpleWorker runs each job in this process (RQ's Worker forks a work-horse per job and loses every
            # warm cache and connection with it); the job's time limit still holds (SIGALRM, as in a horse).
            # Inside the try: RQ's Worker talks to Redis as it is made, and Redis may still be down.
            # Registry maintenance every minute, not RQ's ten: a job whose worker was killed is retried sooner.
            worker = SimpleWorker([rt.queue], connection=rt.redis, serializer=JSONSerializer,
                                  maintenance_interval=60)
            worker.work(with_scheduler=True, burst=burst, logging_level="INFO")
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            # RQ gives up when Redis vanishes mid-job; the job is retried once Redis is back. Wait for it.
            log.warning("worker lost Redis (%s); starting again in 5 s", exc)
            time.sleep(5)


@main.command()
@click.option("--once", is_flag=True, help="One pass, then exit.")
@click.option("--every", default=5.0, show_default=True, help="seconds between passes")
def relay(once: bool, every: float) -> None:
    """Re-enqueue outbox rows that never reached Redis (run one, anywhere)."""
    from bot.serve import relay_loop
    from workers import runtime

    relay_loop(runtime.get(), every=every, once=once)


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the tables to the newest version."""
    from bot import db as database

    settings = _settings()
    engine = database.make_engine(settings.database_url)
    database.upgrade(engine)
    click.echo(f"database at newest version: {engine.url.render_as_string(hide_password=True)}")


@main.command()
def check() -> None:
    """Validate config.yaml and the environment, and say what would be used."""
    from bot.settings import config_warnings

    settings = _settings()
    config = settings.config
    estates = [e for c in config.communities for e in c.estates]
    click.echo(f"{settings.config_path}: ok — communities {len(config.communities)}, estates {len(estates)}, "
               f"grids {sum(len(e.grids) for e in estates)}, categories {len(config.categories)}")
    for warning in config_warnings(config):
        click.echo(f"warning: {warning}")
    missing = [name for name in ("MINHU_WECHAT_TOKEN", "MINHU_WECHAT_APPID", "MINHU_WECHAT_SECRET")
               if not os.environ.get(name)]
    if missing:
        click.echo(f"not set (demo mode): {', '.join(missing)}")
    if config.outbound_webhook.url and not os.environ.get("MINHU_OUTBOUND_WEBHOOK_SECRET"):
        click.echo("warning: outbound_webhook.url is set but MINHU_OUTBOUND_WEBHOOK_SECRET is not: nothing is sent unsigned")
    from bot.blobs import checked_store

    click.echo(f"media: {checked_store(settings)}")


from bot.cli_admin import attach  # noqa: E402  (dashboard accounts and Open311 keys)

attach(main)

from bot.cli_reports import digest, report, scheduler  # noqa: E402  (follow-through: digest, report, scheduler)

for _command in (digest, report, scheduler):
    main.add_command(_command)

from bot.cli_people import attach as attach_people  # noqa: E402  (menu push, staff invite)

attach_people(main)

from bot.cli_backup import attach as attach_backup  # noqa: E402  (backup, restore)

attach_backup(main)

from bot.cli_desk import corrections  # noqa: E402  (category corrections for retraining)

main.add_command(corrections)


if __name__ == "__main__":
    main()
