"""The dispatch machinery: messages, context, composable filters and the ordered handler list."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.privacy import mask_key

log = logging.getLogger("minhu.handlers")


@dataclass(frozen=True)
class Message:
    """One thing a person sent the account, stripped of WeChat's format."""

    sender: str
    type: str  # text | image | voice | location | link | video | event | unknown
    key: str  # MsgId, or sender + CreateTime for events: the same for WeChat's retries
    text: str = ""
    event: str = ""  # subscribe | unsubscribe | click | view | scan | ...
    event_key: str = ""
    media_id: str = ""
    thumb_media_id: str = ""  # a video's thumbnail (ThumbMediaId)
    picture_url: str = ""
    latitude: float | None = None
    longitude: float | None = None
    label: str = ""
    created_at: datetime | None = None
    account: str = ""  # our official account's id (ToUserName), echoed back in passive replies


@dataclass
class Context:
    """What a handler may use: settings, the directory of people, the store, state and the reader."""

    settings: Any
    directory: Any
    tickets: Any
    state: Any
    analyzer: Any
    role: str = "resident"
    people: Any = None  # bot.people.People
    staff: Any = None  # bot.staff.StaffDirectory
    recent: Any = None  # StateStore of each resident's newest ticket, for messages that add to it
    schedule: Any = None  # schedule(delay, job, *args) -> bool: a job to run later (RQ's scheduler)
    # Asked lately for a verdict on a fix (Runtime.asked_to_rate); None when Redis could not say.
    asked_to_rate: bool | None = None
    # First sight of this message (Redis claimed its MsgId just now): no earlier attempt wrote anything for it.
    fresh: bool = False
    quotas: Any = None  # bot.quotas.Quotas: what each resident may send, open and page for (handlers/quota.py)
    found: dict[str, Any] = field(default_factory=dict)  # what the filters found, for the callback


Callback = Callable[[Message, Context], "str | None"]


class Filter:
    """A check on a message; compose with &, | and ~.

    A composed filter calls its parts' checks directly (not through `Filter.__call__`): every message runs
    through most of the handler list's filters, and each layer of calls showed in the webhook's profile."""

    def __init__(self, check: Callable[[Message, Context], bool], name: str = "filter"):
        self.check, self.name = check, name

    def __call__(self, message: Message, ctx: Context) -> bool:
        return bool(self.check(message, ctx))

    def __and__(self, other: "Filter") -> "Filter":
        first, then = self.check, other.check
        return Filter(lambda m, c: first(m, c) and then(m, c), f"({self.name} & {other.name})")

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
            if handler.filter.check(message, ctx):
                return handler.callback(message, ctx)
        return None
    except Exception as exc:  # the one error channel: log it, answer politely
        if on_error is not None:
            return on_error(exc, message)
        log.exception("handler failed for message %s", mask_key(message.key))
        return SORRY


def text_matches(message: Message) -> bool:
    return message.type == "text" and bool(message.text.strip())


is_text = Filter(lambda m, c: text_matches(m), "text")
is_voice = Filter(lambda m, c: m.type == "voice", "voice")
is_image = Filter(lambda m, c: m.type == "image", "image")
is_location = Filter(lambda m, c: m.type == "location", "location")
is_staff = Filter(lambda m, c: c.role in ("grid_worker", "secretary"), "staff")


def event(name: str) -> Filter:
    return Filter(lambda m, c: m.type == "event" and m.event == name, f"event:{name}")
