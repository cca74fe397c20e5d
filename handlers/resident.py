"""A resident's small talk: help, thanks, and anything that is not a report."""
from __future__ import annotations

from handlers import texts
from handlers.base import Context, Message


def help_text(message: Message, ctx: Context) -> str:
    return texts.HELP


def thanks(message: Message, ctx: Context) -> str:
    return texts.THANKS


def chitchat(message: Message, ctx: Context) -> str:
    return texts.CHITCHAT


def blank(message: Message, ctx: Context) -> str:
    """A message of nothing but spaces."""
    return texts.EMPTY_MESSAGE
