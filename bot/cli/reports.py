"""`minhu digest`, `minhu report` and `minhu scheduler`: the follow-through commands (attached in bot/cli/main.py)."""
from __future__ import annotations

import csv
import sys
import unicodedata
from datetime import UTC

import click

from bot.cli.base import cli_sessions, cli_settings
from bot.domain.routing import Directory
from bot.domain.digest import compose, day_range, recipients, today, yesterday
from bot.domain.staff import StaffDirectory
from bot.domain.reports import MEASURES, figures, rates
from bot import runtime
from workers import schedule
from workers.daily import send_digests
from workers.timers import sweep


@click.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="the day to sum up (default: yesterday, local time)")
@click.option("--send", is_flag=True, help="Send to each secretary who has not had it (once per day).")
def digest(day, send: bool) -> None:
    """Print (or send) the secretaries' daily digest."""
    settings = cli_settings()
    day = day.date() if day else yesterday(settings.zone)
    if day > today(settings.zone):
        raise click.BadParameter(f"{day} has not begun: there is nothing to sum up yet", param_hint="--date")
    if send and day == today(settings.zone):
        # Sent once per day: a digest of half a day would stand in for the whole one tomorrow morning.
        raise click.BadParameter(f"{day} is not over: its digest can be sent from tomorrow (print it without --send)",
                                 param_hint="--date")
    if send:
        runtime.get(cli_settings)  # the job's runtime, beside a `minhu serve` too
        for openid, outcome in send_digests(day.isoformat()).items():
            click.echo(f"{openid}: {outcome}")
        runtime.get(cli_settings).close()
        return
    directory = Directory(settings.config)
    with cli_sessions(settings) as sessions, sessions() as session:
        staff = StaffDirectory(directory, sessions, None)  # the staff table only: no invite codes are read here
        for recipient in recipients(directory, staff):
            click.echo(f"→ {recipient.person.name} ({recipient.person.openid})")
            click.echo(compose(session, directory, recipient, day) + "\n")


def _percent(done: int, due: int) -> str:
    return f"{100 * done / due:.1f}%" if due else ""


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, left: bool = False) -> str:
    """Padded to `width` terminal columns (str.ljust counts a Chinese character as one)."""
    room = " " * max(0, width - _width(text))
    return text + room if left else room + text


@click.command()
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), required=True, help="first day (local)")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), required=True, help="last day (local), included")
@click.option("--community", default=None, help="one community's id (default: all)")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on standard output, one row per total, category and grid.")
def report(first, last, community: str | None, as_csv: bool) -> None:
    """The period's figures by category and grid, with the three rates (definitions in bot/domain/reports.py)."""
    settings = cli_settings()
    if last < first:
        raise click.BadParameter("--to is before --from")
    known = [c.id for c in settings.config.communities]
    if community is not None and community not in known:
        raise click.BadParameter(f"unknown community {community!r}; known: {', '.join(known)}",
                                 param_hint="--community")
    directory = Directory(settings.config)
    start, _ = day_range(first.date(), settings.zone)
    _, end = day_range(last.date(), settings.zone)
    with cli_sessions(settings) as sessions, sessions() as session:
        fig = figures(session, start, end, [community] if community else None, lists=False)
    config = settings.config
    rows = [("total", "", "合计", fig.total())]
    rows += [("category", code, config.category(code).name, counts)
             for code, counts in sorted(fig.by(0).items(), key=lambda item: str(item[0]))]
    rows += [("grid", gid or "", directory.grids[gid].name if gid in directory.grids else "未分网格", counts)
             for gid, counts in sorted(fig.by(1).items(), key=lambda item: str(item[0]))]
    if as_csv:
        out = csv.writer(sys.stdout)
        out.writerow(["scope", "key", "name", *MEASURES, "response_rate", "resolution_rate", "satisfaction_rate"])
        for scope, key, name, counts in rows:
            out.writerow([scope, key, name, *(counts[c] for c in MEASURES),
                          *(_percent(*pair) for pair in rates(counts).values())])
        return
    until = ""
    if fig.until < fig.end:  # the period is not over: say when its figures stop
        until = f"，截至{fig.until.replace(tzinfo=UTC).astimezone(settings.zone):%Y-%m-%d %H:%M}"
    click.echo(f"{first.date()} – {last.date()}（{settings.config.timezone}{until}）"
               f"{'，社区 ' + community if community else ''}")
    widths = (14, 6, 6, 6, 6, 9, 9, 9)
    head = ("", "新报", "接单", "办结", "超期", "响应率", "解决率", "满意率")
    click.echo("".join(_pad(text, w, left=i == 0) for i, (text, w) in enumerate(zip(head, widths))))
    for scope, _key, name, counts in rows:
        cells = [name if scope != "grid" else f"[{name}]",
                 *(str(counts[c]) for c in ("new", "accepted", "resolved", "overdue")),
                 *(_percent(*pair) or "—" for pair in rates(counts).values())]
        click.echo("".join(_pad(text, w, left=i == 0) for i, (text, w) in enumerate(zip(cells, widths))))


@click.command()
@click.option("--every", default=10.0, show_default=True, help="seconds between passes")
@click.option("--once", is_flag=True, help="One pass, then exit.")
def scheduler(every: float, once: bool) -> None:
    """Sweep for due reminders and escalations, and enqueue the daily digest at its time (any number may run)."""
    rt = runtime.get(cli_settings)
    if once:
        click.echo(f"follow-ups enqueued: {sweep(rt)}")
        click.echo(schedule.tick(rt) or "nothing due")
        return
    schedule.run(rt, every=every)
