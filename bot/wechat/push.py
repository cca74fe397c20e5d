"""Pushes to staff and residents: a customer-service message, or a template message outside the window."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.errors import NoChannel
from bot.domain.privacy import mask_openid
from bot.settings import Template
from bot.wechat.client import OutsideWindow, WeChatClient

log = logging.getLogger("minhu.notifier")
KEYWORD_CHARS = 20  # WeChat's limit on one template keyword value (docs/TEMPLATES.md)
MAX_TEXT_BYTES = 2048  # WeChat's cap on a customer-service text, and WeCom's on an app message


def fit(text: str) -> str:
    """The text within MAX_TEXT_BYTES of UTF-8, ending with "…" where it had to be cut."""
    if len(text.encode("utf-8")) <= MAX_TEXT_BYTES:
        return text
    return text.encode("utf-8")[:MAX_TEXT_BYTES - 3].decode("utf-8", "ignore") + "…"


def shown(value: str) -> str:
    """A template keyword value as WeChat shows it since 2023-05-04: one line, at most 20 characters (cut with "…"
    here, so the reader sees it was cut rather than WeChat's silent end)."""
    line = " ".join(value.split())
    return line if len(line) <= KEYWORD_CHARS else line[:KEYWORD_CHARS - 1] + "…"


def filled(template: Template, fields: dict[str, str]) -> dict[str, str]:
    """The template's keyword values from `fields` ({number}, {place}...; one not given is empty), each as shown."""
    return {key: shown(value.format_map(_Missing(fields))) for key, value in template.data.items()}


@dataclass(frozen=True)
class Push:
    """What to tell someone: the text, and the fields a template message is filled from."""

    text: str
    fields: dict[str, str] = field(default_factory=dict)
    template: str = "task"  # which template message carries it outside the window: task (staff) | notice (residents)


class Notifier:
    """Sends a Push through the first channel that reaches the person; returns the channel's name."""

    def __init__(self, client: WeChatClient, template: Template, templates: dict[str, Template] | None = None,
                 wecom=None):
        self.client, self.template = client, template
        self.templates = {"task": template, **(templates or {})}
        self.wecom = wecom  # bot.wechat.wecom.WeComChannel for staff who use WeCom, or None

    def close(self) -> None:
        """Close the channels' connections."""
        self.client.close()
        if self.wecom is not None:
            self.wecom.client.close()

    def send(self, openid: str, push: Push) -> str:
        text = fit(push.text)
        if self.wecom is not None and self.wecom.reaches(openid):
            self.wecom.send(openid, text)
            return "wecom"
        template = self.templates.get(push.template, self.template)
        try:
            self.client.send_text(openid, text)
            return "custom"
        except OutsideWindow:
            if not template.id:
                raise NoChannel(f"{mask_openid(openid)} is outside the 48-hour window and no {push.template} template is configured")
        self.client.send_template(openid, template.id, filled(template, push.fields))
        return "template"

    def send_photo(self, openid: str, name: str, data: bytes) -> str:
        """A kept photo as a WeCom app image message, or a customer-service one (inside the 48-hour window only)."""
        if self.wecom is not None and self.wecom.reaches(openid):
            self.wecom.send_photo(openid, name, data)
            return "wecom"
        media_id = self.client.upload_media("image", name, data)
        self.client.send_image(openid, media_id)
        return "custom"


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return ""
