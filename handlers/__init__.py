"""The ordered list of handlers: the first whose filter matches answers the message."""
from __future__ import annotations

from handlers import intake, resident
from handlers.base import Context, Filter, Handler, Message, dispatch, event, is_image, is_location, is_voice

__all__ = ["Context", "Handler", "Message", "build_handlers", "dispatch"]


def has_words(message: Message, ctx: Context) -> bool:
    return message.type in ("text", "voice") and bool(message.text.strip())


def awaiting(message: Message, ctx: Context) -> bool:
    """The resident is answering a question we asked; the pending report rides along in the context."""
    pending = ctx.state.get(message.sender)
    if pending:
        ctx.found["pending"] = pending
    return bool(pending)


def intent(*names: str) -> Filter:
    return Filter(lambda m, c: intake.analysis_of(m, c).intent in names, f"intent:{'|'.join(names)}")


words = Filter(has_words, "words")


def build_handlers() -> list[Handler]:
    """Resident conversations, in the order they are tried."""
    return [
        Handler(event("subscribe"), resident.welcome),
        Handler(event("unsubscribe"), resident.nothing),
        Handler(words & Filter(awaiting, "awaiting"), intake.continue_report),
        Handler(words & intent("complaint"), intake.start_report),
        Handler(words & intent("greeting", "help"), resident.help_text),
        Handler(words & intent("thanks"), resident.thanks),
        Handler(words & intent("status_query"), resident.my_tickets),
        Handler(words & intent("cancel"), resident.cancel_how),
        Handler(words, resident.chitchat),
        Handler(is_voice, resident.voice_unclear),
        Handler(is_image | is_location, resident.media),
    ]
