"""`minhu user add` and `minhu apikey add`: dashboard accounts and Open311 keys, stored hashed."""
from __future__ import annotations

import secrets
import sys

import click
from sqlalchemy import select

from bot.cli.base import cli_sessions, cli_settings
from bot.web.dashboard.auth import hash_password
from bot.store.models import ApiKey, User
from bot.web.dashboard.open311 import key_hash


@click.group("user")
def user() -> None:
    """Dashboard accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["secretary", "grid_worker", "admin"]), required=True)
@click.option("--name", "display_name", default=None, help="the name shown on the dashboard (default: USERNAME)")
@click.option("--community", default=None, help="community id (default: the only one, for a secretary)")
@click.option("--grid", default=None, help="grid id, for a grid worker")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def user_add(username: str, role: str, display_name: str | None, community: str | None, grid: str | None,
             password_stdin: bool) -> None:
    """Create an account, or set a new password for an existing one."""
    settings = cli_settings()
    config = settings.config
    communities = {c.id: c for c in config.communities}
    grids = {g.id: c.id for c in config.communities for e in c.estates for g in e.grids}
    if role == "grid_worker":
        if grid not in grids:
            raise click.BadParameter(f"a grid worker needs --grid, one of: {', '.join(grids)}", param_hint="--grid")
        community = grids[grid]
    elif role == "secretary":
        community = community or (config.communities[0].id if len(config.communities) == 1 else None)
        if community not in communities:
            raise click.BadParameter(f"a secretary needs --community, one of: {', '.join(communities)}",
                                     param_hint="--community")
        grid = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码 (password)", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("the password must be at least 8 characters")
    # After the arguments are checked: a mistake there needs no database.
    with cli_sessions(settings, upgrade=True) as sessions, sessions() as session:
        account = session.scalar(select(User).where(User.username == username))
        if account is None:
            account = User(username=username)
            session.add(account)
        account.password_hash = hash_password(password)
        account.role, account.community_id, account.grid_id = role, community, grid
        account.display_name = display_name or account.display_name or username
        session.commit()
    click.echo(f"user {username} ({role}{', ' + (grid or community) if (grid or community) else ''}) saved")


@user.command("list")
def user_list() -> None:
    """Show the accounts (never their passwords)."""
    with cli_sessions(cli_settings(), upgrade=True) as sessions, sessions() as session:
        for account in session.scalars(select(User).order_by(User.username)):
            click.echo(f"{account.username}\t{account.role}\t{account.grid_id or account.community_id or '-'}\t"
                       f"{account.display_name or ''}\tlast login: {account.last_login_at or 'never'}")


@click.group("apikey")
def apikey() -> None:
    """Keys for the Open311 API."""


@apikey.command("add")
@click.argument("name")
def apikey_add(name: str) -> None:
    """Make a key for a city system; it is printed once and only its hash is kept."""
    key = "mh_" + secrets.token_urlsafe(32)
    with cli_sessions(cli_settings(), upgrade=True) as sessions, sessions() as session:
        session.add(ApiKey(name=name, key_hash=key_hash(key)))
        session.commit()
    click.echo(key)
    click.echo(f"(the key for {name}: keep it now, it is not shown again)", err=True)
