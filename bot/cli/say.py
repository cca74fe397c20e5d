"""`minhu say`: a signed text message to a running bot, as WeChat sends it, and the reply (loads no database)."""
from __future__ import annotations

import click

from bot.cli.base import cli_settings, demo_token
from bot.wechat.say import send_text


@click.command()
@click.argument("text")
@click.option("--as", "sender", default="o_demo_resident", show_default=True, help="the sender's openid")
@click.option("--url", default="http://127.0.0.1:8000/wechat", show_default=True)
@click.option("--msg-id", default=None, help="WeChat's MsgId (default: a new one)")
def say(text: str, sender: str, url: str, msg_id: str | None) -> None:
    """Send a signed text message to a running bot, as WeChat would, and print the reply."""
    settings = cli_settings()
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
