"""`minhu digest`, `minhu report` and `minhu scheduler`: the follow-through commands (attached in bot/cli.py)."""
from __future__ import annotations

import csv
import sys

import click

from bot.errors import ConfigError
from bot.settings import Settings, load_settings

COLUMNS = ("new", "accepted", "resolved", "overdue", "due_accept", "accepted_in_time", "due_resolve",
           "resolved_by_end", "rated", "satisfied")


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _store(settings: Settings):
    from bot import db
    from bot.routing import Directory

    engine = db.make_engine(settings.database_url)
    return db.make_sessions(engine), Directory(settings.config)


@click.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="the day to sum up (default: yesterday, local time)")
@click.option("--send", is_flag=True, help="Send to each secretary who has not had it (once per day).")
def digest(day, send: bool) -> None:
    """Print (or send) the secretaries' daily digest."""
    from bot.digest import compose, recipients, yesterday

    settings = _settings()
    day = day.date() if day else yesterday(settings.zone)
    if send:
        from workers import runtime
        from workers.digest import send_digests

        for openid, outcome in send_digests(day.isoformat()).items():
            click.echo(f"{openid}: {outcome}")
        runtime.get().close()
        return
    sessions, directory = _store(settings)
    with sessions() as session:
        for recipient in recipients(directory):
            click.echo(f"→ {recipient.person.name} ({recipient.person.openid})")
            click.echo(compose(session, directory, recipient, day) + "\n")


def _percent(done: int, due: int) -> str:
    return f"{100 * done / due:.1f}%" if due else ""


@click.command()
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), required=True, help="first day (local)")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), required=True, help="last day (local), included")
@click.option("--community", default=None, help="one community's id (default: all)")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on standard output, one row per total, category and grid.")
def report(first, last, community: str | None, as_csv: bool) -> None:
    """The period's figures by category and grid, with the three rates (definitions in bot/reports.py)."""
    from bot.digest import day_range
    from bot.reports import figures, rates

    settings = _settings()
    if last < first:
        raise click.BadParameter("--to is before --from")
    sessions, directory = _store(settings)
    start, _ = day_range(first.date(), settings.zone)
    _, end = day_range(last.date(), settings.zone)
    with sessions() as session:
        fig = figures(session, start, end, [community] if community else None, lists=False)
    config = settings.config
    rows = [("total", "", "合计", fig.total())]
    rows += [("category", code, config.category(code).name, counts)
             for code, counts in sorted(fig.by(0).items(), key=lambda item: str(item[0]))]
    rows += [("grid", gid or "", directory.grids[gid].name if gid in directory.grids else "未分网格", counts)
             for gid, counts in sorted(fig.by(1).items(), key=lambda item: str(item[0]))]
    if as_csv:
        out = csv.writer(sys.stdout)
        out.writerow(["scope", "key", "name", *COLUMNS, "response_rate", "resolution_rate", "satisfaction_rate"])
        for scope, key, name, counts in rows:
            out.writerow([scope, key, name, *(counts[c] for c in COLUMNS),
                          *(_percent(*pair) for pair in rates(counts).values())])
        return
    click.echo(f"{first.date()} – {last.date()}（{settings.config.timezone}）"
               f"{'，社区 ' + community if community else ''}")
    click.echo(f"{'':<12}{'新报':>6}{'接单':>6}{'办结':>6}{'超期':>6}{'响应率':>8}{'解决率':>8}{'满意率':>8}")
    for scope, _key, name, counts in rows:
        rate = [_percent(*pair) or "—" for pair in rates(counts).values()]
        label = name if scope != "grid" else f"[{name}]"
        click.echo(f"{label:<12}{counts['new']:>6}{counts['accepted']:>6}{counts['resolved']:>6}"
                   f"{counts['overdue']:>6}{rate[0]:>9}{rate[1]:>9}{rate[2]:>9}")


@click.command()
@click.option("--every", default=30.0, show_default=True, help="seconds between passes")
@click.option("--once", is_flag=True, help="One pass, then exit.")
def scheduler(every: float, once: bool) -> None:
    """Enqueue the daily digest at the configured local time (any number may run; each secretary gets one)."""
    from workers import runtime, schedule

    rt = runtime.get()
    if once:
        click.echo(schedule.tick(rt) or "nothing due")
        return
    schedule.run(rt, every=every)
