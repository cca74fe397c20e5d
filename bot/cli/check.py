"""`minhu check`: config.yaml and the environment validated, and what would be used."""
from __future__ import annotations

import os

import click

from bot.cli.base import cli_settings
from bot.settings import config_warnings
from bot.store.media import checked_store


@click.command()
def check() -> None:
    """Validate config.yaml and the environment, and say what would be used."""
    settings = cli_settings()
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
    click.echo(f"media: {checked_store(settings)}")
