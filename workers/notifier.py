"""Pushes to staff and residents: a customer-service message, or a template message outside the window."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.errors import NoChannel
from bot.settings import Template
from bot.wechat.client import OutsideWindow, WeChatClient

log = logging.getLogger("minhu.notifier")


@dataclass(frozen=True)
class Push:
    """What to tell someone: the text, and the fields a template message is filled from."""

    text: str
    fields: dict[str, str] = field(default_factory=dict)


class Notifier:
    """Sends a Push through the first channel that reaches the person; returns the channel's name."""

    def __init__(self, client: WeChatClient, template: Template):
        self.client, self.template = client, template

    def send(self, openid: str, push: Push) -> str:
        try:
            self.client.send_text(openid, push.text)
            return "custom"
        except OutsideWindow:
            if not self.template.id:
                raise NoChannel(f"{openid[:6]}… is outside the 48-hour window and no template is configured")
        values = {key: value.format_map(_Missing(push.fields)) for key, value in self.template.data.items()}
        self.client.send_template(openid, self.template.id, values)
        return "template"


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return ""
