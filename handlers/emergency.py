"""An open emergency, followed up: the same danger told again joins its ticket and is pushed at once; a question
about it hears where it stands and the number to call. Nothing is promised that nobody said."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import steps, texts
from bot.domain.worktime import when
from handlers.base import Context, Filter, Message
from sqlalchemy import select

from bot.store.models import Ticket
from handlers.intake import advice_for, analysis_of, start_report
from handlers.tickets import category_name, holder, open_tickets, place_of
from handlers.chase import chase as chase_plain
from handlers.quota import within
from nlp.phrases import asks_help_coming, asks_whom_to_call
from nlp.subject import subject_of
from handlers.resident import contacts_for

# The number to call while help is on its way, by kind of danger, else by category (config.yaml's
# `emergency_numbers` overrides any of them).
NUMBERS = {"gas": "燃气抢修电话96777", "trapped": "电梯救援电话96333", "elevator": "电梯救援电话96333",
           "fire": "火警电话119", "safety": "火警电话119", "ebike": "火警电话119", "electric": "火警电话119",
           "medical": "急救电话120", "fall": "急救电话120", "default": "110、119或120"}
# The categories an emergency's kind of danger belongs to: a follow-up of that danger is about such a ticket.
_KINDS = {"gas": {"gas"}, "trapped": {"elevator"}, "fire": {"safety", "ebike", "electric"},
          "electric": {"lighting", "facilities", "ebike", "safety"}, "medical": {"other", "facilities"},
          "fall": {"facilities", "other"}}


def number_for(ctx: Context, category: str, danger: str | None = None) -> str:
    """The number to call for this danger (config.yaml's `emergency_numbers` first)."""
    numbers = NUMBERS | ctx.settings.config.emergency_numbers
    return (danger and numbers.get(danger)) or numbers.get(category) or numbers["default"]


def open_emergency(ctx: Context, sender: str, category: str | None, danger: str | None, building: str | None):
    """The resident's open urgent ticket (reported or followed) that this danger is about, newest first; None."""
    kinds = {category} | _KINDS.get(danger or "", set())
    for ticket in open_tickets(ctx, sender):
        if ticket.urgent and ticket.category in kinds and building in (None, ticket.building):
            return ticket
    return None


def follows_up(message: Message, ctx: Context) -> Ticket | None:
    """An emergency told again by someone whose emergency of that danger is open, naming no other building."""
    analysis = analysis_of(message, ctx)
    if not analysis.urgent:
        return None
    return open_emergency(ctx, message.sender, analysis.category, analysis.danger, analysis.location.building)


def at_neighbours(message: Message, ctx: Context) -> Ticket | None:
    """An emergency at a building where a neighbour's emergency of that danger is open: it will join that ticket."""
    analysis = analysis_of(message, ctx)
    building = analysis.location.building
    if not analysis.urgent or not building:
        return None
    kinds = {analysis.category} | _KINDS.get(analysis.danger or "", set())
    with ctx.tickets.sessions() as session:
        return session.scalars(select(Ticket).where(
            Ticket.urgent.is_(True), Ticket.status.in_(steps.OPEN), Ticket.building == building,
            Ticket.category.in_(kinds), Ticket.resident_openid != message.sender).order_by(Ticket.id.desc())).first()


def join_neighbours(message: Message, ctx: Context, ticket: Ticket) -> str:
    """Reported as any emergency (the store joins the neighbour's ticket); once joined, the words reach whoever holds
    it at once, and the resident hears where it stands and the number to call."""
    reply, sender = start_report(message, ctx), message.sender
    if ticket.number not in reply:
        return reply  # not joined after all (another place or problem): its own ticket, said as such
    added, _ = steps.add_text(ctx.tickets, ticket.id, sender, message.text.strip(), tell=within(ctx, "page", sender))
    ticket = added or ticket
    return (reply + "\n" + standing(ctx, ticket) + "\n"
            + texts.EMERGENCY_CALL.format(number=number_for(ctx, ticket.category, analysis_of(message, ctx).danger)))


def asks_about(message: Message, ctx: Context) -> Ticket | None:
    """A question (is anyone coming, whom to call) from someone whose emergency is open: not a new report."""
    analysis = analysis_of(message, ctx)
    if analysis.urgent or not asks_help_coming(message.text):
        return None
    if analysis.intent == "complaint" and not analysis.ambiguous and analysis.location.building:
        return None  # a problem of its own, somewhere named
    tickets = open_tickets(ctx, message.sender)
    if any(not t.urgent and (subject_of(message.text, t.category) or category_name(ctx, t.category) in message.text)
           for t in tickets):
        return None  # about another ticket of theirs, by its words (路灯怎么还没修好)
    return next((t for t in tickets if t.urgent), None)


def standing(ctx: Context, ticket) -> str:
    """Where the emergency stands, in facts: who accepted it and when, or that it waits for them to."""
    zone = ZoneInfo(ctx.settings.config.timezone)
    if ticket.accepted_at is not None and ticket.status == "accepted":
        return texts.EMERGENCY_ACCEPTED.format(name=ticket.assignee_name, at=when(ticket.accepted_at, zone))
    if ticket.status in steps.OPEN and ticket.accepted_at is None:
        return texts.EMERGENCY_WAITING.format(holder=holder(ctx, ticket), at=when(ticket.created_at, zone))
    return texts.EMERGENCY_STATUS.format(status=texts.STATUS.get(ticket.status, ticket.status))


def join(message: Message, ctx: Context, ticket: Ticket) -> str:
    """The danger told again: added to the open emergency, pushed at once to whoever holds it, and where it stands."""
    analysis, sender = analysis_of(message, ctx), message.sender
    added, _ = steps.add_text(ctx.tickets, ticket.id, sender, message.text.strip(), tell=within(ctx, "page", sender))
    ticket = added or ticket
    return (texts.URGENT_PREFIX + advice_for(ctx, ticket.category, analysis.danger) + "\n"
            + texts.EMERGENCY_JOINED.format(number=ticket.number, category=category_name(ctx, ticket.category),
                                            place=place_of(ctx, ticket))
            + standing(ctx, ticket) + "\n"
            + texts.EMERGENCY_CALL.format(number=number_for(ctx, ticket.category, analysis.danger)))


def answer(message: Message, ctx: Context, ticket: Ticket) -> str:
    """Is anyone coming, whom to call: the chase is recorded and passed on, the facts told, the number given."""
    sender = message.sender
    chased, _ = steps.chase(ctx.tickets, ticket.id, sender, message.text.strip(),
                            ctx.settings.config.conversation.addendum_window)
    ticket = chased or ticket
    lines = [texts.EMERGENCY_CHASED.format(number=ticket.number, category=category_name(ctx, ticket.category),
                                           place=place_of(ctx, ticket)) + standing(ctx, ticket),
             texts.EMERGENCY_CALL.format(number=number_for(ctx, ticket.category))]
    if asks_whom_to_call(message.text):
        contacts = contacts_for(message, ctx)
        if contacts:
            lines.append(contacts)
    return "\n".join(lines)


def chase(message: Message, ctx: Context, ticket: Ticket) -> str:
    """A chase (火越来越大了, 又没人管了): of an emergency, answered with its facts and the number to call."""
    return answer(message, ctx, ticket) if ticket.urgent else chase_plain(message, ctx, ticket)


follow_up = Filter(follows_up, "emergency_follow_up")
neighbours = Filter(at_neighbours, "neighbours_emergency")
asked_about = Filter(asks_about, "asks_about_emergency")
