"""A resident past their quotas (config.yaml's `quotas`, counted by bot/domain/quotas.py) is answered kindly, and nothing
more is opened or paged; staff, WeChat's retries and a Redis that is down are never held back."""
from __future__ import annotations

from bot.domain import steps, texts
from handlers.base import Context, Filter, Message


def within(ctx: Context, kind: str, sender: str) -> bool:
    """Count one more `kind` (message, ticket, page) for a resident; False past their quota.

    Only a message's first sight counts: a retry (or a message Redis could not claim) is let through uncounted. The
    message itself was counted with its claim (`ctx.message_count`, Runtime.answer), in the same round trip."""
    if ctx.quotas is None or ctx.role != "resident" or not ctx.fresh:
        return True
    if kind == "message":
        return ctx.message_count is None or ctx.quotas.allows(kind, sender, ctx.message_count)
    return ctx.quotas.take(kind, sender)


too_fast = Filter(lambda m, c: not within(c, "message", m.sender), "too_fast")


def slow_down(message: Message, ctx: Context, found: object = None) -> str:
    """Past the messages of a minute: nothing is done with this one, and the resident is asked to wait."""
    return texts.TOO_FAST.format(call=number_to_call(ctx, message.sender, message.text))


def number_to_call(ctx: Context, sender: str, text: str = "") -> str:
    """The first number in the resident's community's `contacts` (the one they name or live in), else 110/119/120."""
    directory = ctx.directory
    communities = directory.config.communities
    if len(communities) > 1:
        estate = directory.estate_of(text)
        if estate is None and ctx.people:
            home = ctx.people.home(sender)
            estate = directory.estates.get(home.estate_id) if home else None
        communities = [directory.community_of[estate.id]] if estate else []
    contacts = [contact for community in communities for contact in community.contacts]
    if not contacts:
        return texts.CALL_EMERGENCY
    return texts.CALL_COMMUNITY.format(name=contacts[0].name, phone=contacts[0].phone)


def no_more_tickets(ctx: Context, sender: str, text: str) -> tuple[str, int | None]:
    """Past the tickets of a day: the words go to the resident's newest open ticket (its id is returned, for what
    came with them), or they are told to call."""
    call = number_to_call(ctx, sender, text)
    for ticket in ctx.tickets.of_resident(sender, limit=10):
        if ticket.status in steps.OPEN:
            # Gathered with the ticket's other addenda (followup.tell_added_every), never pushed one by one.
            steps.add_text(ctx.tickets, ticket.id, sender, text)
            return texts.TICKETS_TODAY_ADDED.format(number=ticket.number, call=call), ticket.id
    return texts.TICKETS_TODAY_FULL.format(call=call), None
