"""The dispatch machinery: messages, context, composable filters and the ordered handler list."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.domain.message import Message
from bot.domain.people import People
from bot.domain.privacy import mask_key
from bot.domain.quotas import Quotas
from bot.domain.routing import Directory
from bot.domain.staff import StaffDirectory
from bot.settings import Settings
from bot.store.state import RequestState, StateStore
from bot.store.tickets import TicketStore
from nlp.analyzer import Analysis, Analyzer

log = logging.getLogger("minhu.handlers")


@dataclass
class Context:
    """What a handler may use: settings, the directory of people, the store, state and the reader."""

    settings: Settings
    directory: Directory
    tickets: TicketStore
    state: StateStore | RequestState  # each person's conversation state (the question waiting, the draft)
    analyzer: Analyzer
    role: str = "resident"
    people: People | None = None
    staff: StaffDirectory | None = None
    recent: StateStore | RequestState | None = None  # each resident's newest ticket, for messages that add to it
    schedule: Callable[..., bool] | None = None  # schedule(delay, job, *args): a job to run later (RQ's scheduler)
    # Asked lately for a verdict on a fix (Runtime.asked_to_rate); None when Redis could not say.
    asked_to_rate: bool | None = None
    # First sight of this message (Redis claimed its MsgId just now): no earlier attempt wrote anything for it.
    fresh: bool = False
    quotas: Quotas | None = None  # what each resident may send, open and page for (handlers/quota.py)
    message_count: int | None = None  # the sender's messages of the minute, this one included (None: not counted)
    # This message's reading (its key, and what the reader made of it), made once: filters and callbacks share it.
    reading: tuple[str, Analysis] | None = None


# A callback answers a message with what its filter found: the finding, or True for a filter that finds nothing.
Callback = Callable[[Message, Context, Any], "str | None"]


class Filter:
    """A check on a message; compose with &, | and ~.

    A check returns what it found (a ticket, the state waiting, a command read: anything true) or True when it
    matches, None or False when not; the dispatcher hands the finding to the callback, as python-telegram-bot's
    `check_update` result goes to `handle_update`. `a & b` finds what b found, or a's when b only said True.
    A composed filter calls its parts' checks directly (not through `Filter.__call__`): every message runs
    through most of the handler list's filters, and each layer of calls showed in the webhook's profile."""

    def __init__(self, check: Callable[[Message, Context], Any], name: str = "filter"):
        self.check, self.name = check, name

    def __call__(self, message: Message, ctx: Context) -> bool:
        return bool(self.check(message, ctx))

    def __and__(self, other: "Filter") -> "Filter":
        first, then = self.check, other.check

        def both(m: Message, c: Context) -> Any:
            found = first(m, c)
            more = found and then(m, c)
            return (found if more is True else more) if more else None
        return Filter(both, f"({self.name} & {other.name})")

    def __or__(self, other: "Filter") -> "Filter":
        first, then = self.check, other.check
        return Filter(lambda m, c: first(m, c) or then(m, c), f"({self.name} | {other.name})")

    def __invert__(self) -> "Filter":
        check = self.check
        return Filter(lambda m, c: not check(m, c), f"~{self.name}")

    def __repr__(self) -> str:
        return f"<Filter {self.name}>"


@dataclass(frozen=True)
class Handler:
    """A filter and the callback that answers when it matches."""

    filter: Filter
    callback: Callback


SORRY = "抱歉，系统刚才开了个小差，请稍后再发一次。如遇紧急情况，请直接拨打社区电话。"


def dispatch(handlers: list[Handler], message: Message, ctx: Context,
             on_error: Callable[[Exception, Message], str | None] | None = None) -> str | None:
    """Run the first handler whose filter matches; errors go to one channel and never reach the resident raw."""
    try:
        for handler in handlers:
            found = handler.filter.check(message, ctx)
            if found:
                return handler.callback(message, ctx, found)
        return None
    except Exception as exc:  # the one error channel: log it, answer politely
        if on_error is not None:
            return on_error(exc, message)
        log.exception("handler failed for message %s", mask_key(message.key))
        return SORRY


is_text = Filter(lambda m, c: m.type == "text" and bool(m.text.strip()), "text")
is_voice = Filter(lambda m, c: m.type == "voice", "voice")
is_image = Filter(lambda m, c: m.type == "image", "image")
is_location = Filter(lambda m, c: m.type == "location", "location")
is_staff = Filter(lambda m, c: c.role in ("grid_worker", "secretary"), "staff")


def event(name: str) -> Filter:
    return Filter(lambda m, c: m.type == "event" and m.event == name, f"event:{name}")
