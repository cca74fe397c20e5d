"""A resident chasing their own open ticket (催办): the chase is recorded on it, whoever holds it is told, and the
resident hears where it stands, instead of a second ticket for the same problem."""
from __future__ import annotations

from bot.domain import steps
from bot.domain.clock import utcnow
from handlers import states
from bot.store.models import Ticket
from handlers.base import Context, Filter, Message
from handlers.intake import analysis_of, fits_recent, kept_media, start_report
from handlers.tickets import category_name, chase_ticket, my_tickets, open_tickets
from nlp.phrases import kinds_named, names_ticket_list, nobody_acts as _nobody_acts
from nlp.subject import subject_of


def asked_after(message: Message, ctx: Context) -> Ticket | None:
    """A question after an open ticket (人呢, 电梯修好了吗): the one its words name, or the only one open unless its
    words name another kind of problem (漏水的事咋还没动静 with a lift ticket open: their list, not a chase)."""
    if names_ticket_list(message.text):
        return None
    tickets = open_tickets(ctx, message.sender)
    named = [t for t in tickets if subject_of(message.text, t.category) is not None
             or category_name(ctx, t.category) in message.text]
    if named:
        return named[0]
    # 物业's words (没人来, 不管) say nobody acts, whatever the ticket is about: they name no other thing.
    if len(tickets) == 1 and not kinds_named(message.text) - {tickets[0].category, "property", "other"}:
        return tickets[0]
    return None


def repeats_own(message: Message, ctx: Context) -> Ticket | None:
    """A complaint that tells again one's own open ticket: the same kind of problem (and thing, when both say), at
    its building or naming none, and the ticket active within `conversation.chase_window`.

    Not an emergency (never held as a chase), not more words about the ticket just opened (those add to it), and
    not a complaint naming its building plainly: the store's join finds the resident's ticket there already."""
    analysis = analysis_of(message, ctx)
    building = analysis.location.building
    if analysis.urgent or (building and not analysis.ambiguous) or fits_recent(message, ctx, analysis):
        return None
    since = utcnow() - ctx.settings.config.conversation.chase_window
    active = [ticket for ticket in open_tickets(ctx, message.sender) if ticket.updated_at >= since]
    if active and _nobody_acts(message.text):  # the newest one they have open
        return active[0]
    kinds = {analysis.category, analysis.runner_up} if analysis.ambiguous else {analysis.category}
    for ticket in active:
        if (ticket.category in kinds and building in (None, ticket.building)
                and not (analysis.subject and ticket.subject and analysis.subject != ticket.subject)):
            return ticket
    return None


def says_nobody_acts(message: Message, ctx: Context) -> Ticket | None:
    """Nobody acting, and nothing else said ("到底有没有人管", "怎么还是没人来处理啊"), while the resident has a ticket
    open and active within `conversation.chase_window`: a chase of the newest, however the reader labels the words."""
    if not _nobody_acts(message.text):
        return None
    since = utcnow() - ctx.settings.config.conversation.chase_window
    active = [ticket for ticket in open_tickets(ctx, message.sender) if ticket.updated_at >= since]
    return active[0] if active else None


def chase(message: Message, ctx: Context, ticket: Ticket) -> str:
    """The resident chases the ticket the filter found; photos sent just before go with it."""
    chased = chase_ticket(ctx, message.sender, ticket.id, message.text)
    if chased is None:
        return start_report(message, ctx)  # closed a moment ago: a report like any other
    media = kept_media(ctx, message.sender)
    if media:
        states.end(ctx, message.sender)  # the photos kept go with the chase
        for item in media:
            steps.attach(ctx.tickets, ticket.id, message.sender, **item)
    return chased


def status(message: Message, ctx: Context, found: object = None) -> str:
    """A question about one's tickets: a chase of the one it is about, else the list."""
    if asked := asked_after(message, ctx):
        chased = chase_ticket(ctx, message.sender, asked.id, message.text)
        if chased:
            return chased
    return my_tickets(message, ctx)


chases_own = Filter(repeats_own, "chases_own")
nobody_acts = Filter(says_nobody_acts, "nobody_acts")
