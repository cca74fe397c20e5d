"""`minhu corrections`: the categories staff corrected on the desk, as training data for the reader (attached in
bot/cli/main.py; the database libraries load only when the command runs, so `minhu --help` stays light)."""
from __future__ import annotations

import json
import sys

import click
from sqlalchemy import select

from bot.store.models import TicketEvent
from bot.cli.base import cli_sessions, cli_settings


def corrected(session, since=None) -> list[dict]:
    """Each category correction: what the resident said, what the reader chose, what staff made it."""
    query = select(TicketEvent).where(TicketEvent.kind == "recategorized").order_by(TicketEvent.id)
    if since is not None:
        query = query.where(TicketEvent.at >= since)
    return [{"text": (e.detail or {}).get("said", ""), "predicted": (e.detail or {}).get("from"),
             "category": (e.detail or {}).get("to"), "at": e.at.isoformat(timespec="seconds")}
            for e in session.scalars(query)]


@click.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="only corrections from this day on")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", show_default=True,
              help="where to write the JSON lines")
def corrections(since, output) -> None:
    """Export category corrections made on the desk as JSON lines {text, predicted, category, at} for retraining."""
    with cli_sessions(cli_settings()) as sessions, sessions() as session:
        rows = corrected(session, since)
    for row in rows:
        output.write(json.dumps(row, ensure_ascii=False) + "\n")
    if output is not sys.stdout:
        click.echo(f"{len(rows)} corrections written", err=True)
