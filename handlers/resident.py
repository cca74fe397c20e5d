"""A resident's other messages: welcome, help, thanks, their tickets, media."""
from __future__ import annotations

from handlers import texts
from handlers.base import Context, Message
from handlers.intake import category_name


def welcome(message: Message, ctx: Context) -> str:
    return texts.WELCOME


def help_text(message: Message, ctx: Context) -> str:
    return texts.HELP


def thanks(message: Message, ctx: Context) -> str:
    return texts.THANKS


def chitchat(message: Message, ctx: Context) -> str:
    return texts.CHITCHAT


def my_tickets(message: Message, ctx: Context) -> str:
    tickets = ctx.tickets.of_resident(message.sender)
    if not tickets:
        return texts.NO_TICKETS
    lines = [f"{t.number} {category_name(ctx, t.category)} {texts.STATUS.get(t.status, t.status)}" for t in tickets]
    return texts.MY_TICKETS.format(lines="\n".join(lines))


def cancel_how(message: Message, ctx: Context) -> str:
    return texts.CANCEL_HOW


def media(message: Message, ctx: Context) -> str:
    return texts.MEDIA_RECEIVED


def voice_unclear(message: Message, ctx: Context) -> str:
    return texts.VOICE_UNCLEAR


def nothing(message: Message, ctx: Context) -> None:
    return None
