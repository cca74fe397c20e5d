"""The `minhu` command: serve, say, worker, relay, db upgrade, check, and the desk's and follow-through's commands."""
from __future__ import annotations

import importlib
import logging
import sys

import click

from bot.errors import MinhuError

# Each subcommand: where it lives, and its one line for `minhu --help`. A subcommand's module is loaded when it runs
# (click's lazy group), so `minhu --help` loads neither SQLAlchemy nor pydantic; tests/test_cli.py checks each line
# against the command's own help.
COMMANDS = {
    "apikey": ("bot.cli.admin", "apikey", "Keys for the Open311 API."),
    "backup": ("bot.cli.backup", "backup",
               "Back up the database, the stored media and config.yaml into one dated archive; or --check one."),
    "check": ("bot.cli.check", "check", "Validate config.yaml and the environment, and say what would be used."),
    "corrections": ("bot.cli.corrections", "corrections",
                    "Export category corrections made on the desk as JSON lines {text, predicted, category, at} for "
                    "retraining."),
    "db": ("bot.cli.commands", "db", "The database schema."),
    "digest": ("bot.cli.reports", "digest", "Print (or send) the secretaries' daily digest."),
    "menu": ("bot.cli.people", "menu", "The Official Account's custom menu."),
    "relay": ("bot.cli.commands", "relay", "Re-enqueue outbox rows that never reached Redis (run one, anywhere)."),
    "report": ("bot.cli.reports", "report",
               "The period's figures by category and grid, with the three rates (definitions in "
               "bot/domain/reports.py)."),
    "restore": ("bot.cli.backup", "restore",
                "Restore a backup archive: the database and the media; its config file is put beside the one in use."),
    "say": ("bot.cli.say", "say",
            "Send a signed text message to a running bot, as WeChat would, and print the reply."),
    "scheduler": ("bot.cli.reports", "scheduler",
                  "Sweep for due reminders and escalations, and enqueue the daily digest at its time (any number may "
                  "run)."),
    "serve": ("bot.cli.commands", "serve",
              "Run everything on this machine: webhook, workers, scheduler, outbox relay (and Redis, if none is "
              "set)."),
    "staff": ("bot.cli.people", "staff", "Grid workers and secretaries who are not in config.yaml."),
    "user": ("bot.cli.admin", "user", "Dashboard accounts."),
    "worker": ("bot.cli.commands", "worker",
               "Run RQ workers that keep their connections and caches across jobs, with RQ's scheduler (retries need "
               "it)."),
}


def failure_of(exc: Exception) -> str | None:
    """One line for an expected failure (bad configuration, Redis or the database out of reach); None for a bug."""
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
    """The `minhu` group: subcommands loaded when they run, and one error channel: what an operator can fix is one
    line, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, line) for name, (_, _, line) in sorted(COMMANDS.items())])

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


if __name__ == "__main__":
    main()
