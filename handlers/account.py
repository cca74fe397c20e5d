"""Following and unfollowing the account, the custom menu, and binding a home address."""
from __future__ import annotations

from bot.domain.people import Home
from bot.domain import texts
from handlers import states
from handlers.base import Context, Message
from handlers.tickets import my_tickets
from handlers.intake import analysis_of, named_place

MENU_REPORT, MENU_MY_TICKETS, MENU_BIND, MENU_HELP = "REPORT", "MY_TICKETS", "BIND_ADDRESS", "HELP"


def welcome(message: Message, ctx: Context, found: object = None) -> str:
    ctx.people.seen(message.sender, subscribed=True)
    return texts.WELCOME


def goodbye(message: Message, ctx: Context, found: object = None) -> None:
    """Unfollowed: the person's data goes, their tickets stay without them (WeChat shows no reply)."""
    ctx.people.forget(message.sender)
    return None


def click(message: Message, ctx: Context, found: object = None) -> str | None:
    """A custom-menu button (keys from config.yaml's menu)."""
    key = message.event_key
    if key == MENU_MY_TICKETS:
        return my_tickets(message, ctx)
    if key == MENU_BIND:
        # A report still being told waits under the address question (`resume`) and stands again after it.
        pending = states.waiting(ctx, message.sender) or {}
        resume = pending if "draft" in pending else pending.get("resume")
        states.enter(ctx, message.sender, states.BIND, **({"resume": resume} if resume else {}))
        return texts.BIND_ASK
    if key == MENU_REPORT:
        return texts.REPORT_HOW
    return texts.HELP  # MENU_HELP, or a button this version does not know (an old menu still on WeChat)


def bind_address(message: Message, ctx: Context, found: object = None) -> str:
    """The answer to 绑定住址: kept as the default for reports that name no building; a building the estate does
    not have is asked again, no building at all once, and 算了 stops."""
    location = named_place(message.text)
    estate = ctx.directory.estate_of(message.text)
    pending = states.waiting(ctx, message.sender) or {}
    resume = pending.get("resume")  # a report that was being told when the menu was pressed

    def done(reply: str) -> str:
        states.restore(ctx, message.sender, resume)
        return reply + (texts.BIND_RESUME if resume else "")

    if analysis_of(message, ctx).intent == "cancel":
        return done(texts.BIND_DROPPED)
    if not location.building:
        if pending.get("tries"):
            return done(texts.CHITCHAT)  # asked twice: whatever this is, it is not the address
        states.stay(ctx, message.sender, pending | {"tries": 1})
        return texts.BIND_AGAIN
    if estate is not None and not ctx.directory.knows_building(estate.id, location.building):
        return texts.BIND_UNKNOWN.format(estate=estate.name, building=location.building)
    home = Home(estate.id if estate else None, location.building, location.unit, location.room)
    ctx.people.bind_home(message.sender, home)
    return done(texts.BIND_DONE.format(place=ctx.directory.place(home.estate_id, home.building, home.unit, home.room)))
