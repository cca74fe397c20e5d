"""A resident's small talk: help, thanks, and anything that is not a report."""
from __future__ import annotations

from handlers import texts
from handlers.base import Context, Message
from handlers.intake import kept_media
from handlers.media import WHAT


def help_text(message: Message, ctx: Context) -> str:
    return texts.HELP


def thanks(message: Message, ctx: Context) -> str:
    return texts.THANKS


def chitchat(message: Message, ctx: Context) -> str:
    """Small talk; right after photos kept for a report ("你们看看这个"), ask again what they show."""
    media = kept_media(ctx, message.sender)
    if media:
        return texts.MEDIA_KEPT_FOR_REPORT.format(what=WHAT[media[-1]["kind"]])
    return texts.CHITCHAT


def blank(message: Message, ctx: Context) -> str:
    """A message of nothing but spaces."""
    return texts.EMPTY_MESSAGE
