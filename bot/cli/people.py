"""`minhu menu push` and `minhu staff invite`: the account's menu, and one-time codes for new staff."""
from __future__ import annotations

import click

from bot.cli.base import cli_settings
from bot import runtime
from bot.wechat.client import WeChatError


def menu_json(buttons) -> dict:
    """config.yaml's menu in WeChat's menu/create shape."""
    def one(button):
        if button.sub_buttons:
            return {"name": button.name, "sub_button": [one(sub) for sub in button.sub_buttons]}
        return {"type": "click", "name": button.name, "key": button.key}
    return {"button": [one(button) for button in buttons]}


@click.group()
def menu() -> None:
    """The Official Account's custom menu."""


@menu.command("push")
def menu_push() -> None:
    """Replace the account's menu with the one in config.yaml."""
    rt = runtime.get(cli_settings)
    buttons = rt.settings.config.menu
    if not buttons:
        raise click.ClickException(f"{rt.settings.config_path}: menu is empty")
    try:
        rt.notifier.client.create_menu(menu_json(buttons))
    except WeChatError as exc:
        raise click.ClickException(f"WeChat refused the menu: {exc}") from exc
    click.echo(f"menu pushed: {' / '.join(b.name for b in buttons)}")


@click.group()
def staff() -> None:
    """Grid workers and secretaries who are not in config.yaml."""


@staff.command("invite")
@click.option("--name", required=True, help="how residents and the dashboard name them")
@click.option("--grid", "grid_id", default=None, help="the grid they look after (grid workers)")
@click.option("--secretary", is_flag=True, help="a secretary: every grid's tickets, urgent pages and the digest")
@click.option("--community", "community_id", default=None,
              help="a secretary's community (default: the only one; with several, every community)")
def staff_invite(name: str, grid_id: str | None, secretary: bool, community_id: str | None) -> None:
    """Print a one-time code (valid 7 days); the person sends `绑定 <code>` to the account."""
    if not secretary and not grid_id:
        raise click.BadParameter("a grid worker needs --grid (or give --secretary)", param_hint="--grid")
    rt = runtime.get(cli_settings)
    try:
        code = rt.staff.invite(name, grid_id, "secretary" if secretary else "grid_worker", community_id)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{name} sends this to the account within 7 days: 绑定 {code}")


@staff.command("list")
def staff_list() -> None:
    """Everyone who is staff: config.yaml's people, then those bound with a code."""
    rt = runtime.get(cli_settings)
    for member in rt.staff.members():
        scope = "全部网格" if member.grids is None else "、".join(sorted(member.grids))
        origin = "config.yaml" if rt.staff.in_config(member.openid) else "invite"
        click.echo(f"{member.name}\t{member.role}\t{scope}\t{member.openid}\t{origin}")


@staff.command("remove")
@click.argument("who")
def staff_remove(who: str) -> None:
    """Unbind someone bound with a code (by openid or name); they may then bind with a new invite."""
    removed = runtime.get(cli_settings).staff.remove(who)
    if not removed:
        raise click.ClickException(f"no one bound by invite is called {who!r} (config.yaml's staff are changed there)")
    for member in removed:
        click.echo(f"removed {member.name} ({member.role}, {member.openid})")
