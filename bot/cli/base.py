"""What the `minhu` subcommands share: the settings, read once with an error an operator can act on."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.served import beside_serve
from bot.errors import ConfigError
from bot.settings import Settings, load_settings
from bot.store import db
from bot.store.keptsecret import kept_secret


def cli_settings() -> Settings:
    """The settings (with what a `minhu serve` beside set up), or a one-line error naming the bad key."""
    try:
        return load_settings(env=beside_serve(dict(os.environ)))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def cli_sessions(settings: Settings, upgrade: bool = False) -> Iterator[sessionmaker[Session]]:
    """Sessions on the settings' database for one command, closed after it; `upgrade` first migrates it."""
    engine = db.make_engine(settings.database_url)
    try:
        if upgrade:
            db.upgrade(engine)
        yield db.make_sessions(engine)
    finally:
        engine.dispose()


def demo_token(data_dir: Path) -> str:
    """A random webhook token kept under the data folder, for a machine with no MINHU_WECHAT_TOKEN."""
    return kept_secret(data_dir, "wechat_token", 16)
