"""A resident's tickets as the conversation names them: kind, place, who holds one, the list, and a chase recorded."""
from __future__ import annotations

from bot.domain import steps, texts
from bot.domain.status import status_name
from bot.store.models import Ticket
from handlers.base import Context, Message


def category_name(ctx: Context, code: str) -> str:
    return ctx.settings.config.category_name(code)


def place_of(ctx: Context, ticket) -> str:
    return ctx.directory.place(ticket.estate_id, ticket.building, ticket.unit, ticket.room)


def assignee_of(ctx: Context, ticket) -> str:
    grid = ctx.directory.grids.get(ticket.grid_id) if ticket.grid_id else None
    return f"{grid.name}网格员{ticket.assignee_name}" if grid else f"社区{ticket.assignee_name}统一安排"


def open_tickets(ctx: Context, openid: str) -> list:
    """The resident's open tickets, reported or followed, newest first."""
    return [ticket for ticket, _ in ctx.people.tickets_of(openid, limit=10) if ticket.status in steps.OPEN]


def holder(ctx: Context, ticket) -> str:
    """Who has the ticket, as the resident reads it."""
    grid = ctx.directory.grids.get(ticket.grid_id) if ticket.grid_id else None
    if grid:
        return texts.HELD_BY_GRID.format(grid=grid.name, name=ticket.assignee_name)
    return texts.HELD_BY_SECRETARY.format(name=ticket.assignee_name)


def chase_ticket(ctx: Context, sender: str, ticket_id: int, text: str) -> str | None:
    """Record the chase and say where the ticket stands; None when it is no longer open."""
    ticket, _ = steps.chase(ctx.tickets, ticket_id, sender, text, ctx.settings.config.conversation.addendum_window)
    if ticket is None or ticket.status not in steps.OPEN:
        return None
    return chase_reply(ctx, ticket)


def chase_reply(ctx: Context, ticket) -> str:
    """What a resident hears when they chase an open ticket (a Ticket or the store's TicketView)."""
    return texts.CHASED.format(number=ticket.number, category=category_name(ctx, ticket.category),
                               place=place_of(ctx, ticket), status=texts.STATUS.get(ticket.status, ticket.status),
                               holder=holder(ctx, ticket))


def status_line(ctx: Context, ticket: Ticket, followed: bool) -> str:
    status = status_name(ticket.status, ticket.reopened_count)
    return f"{ticket.number} {category_name(ctx, ticket.category)} {status}{texts.FOLLOWED if followed else ''}"


def my_tickets(message: Message, ctx: Context) -> str:
    tickets = ctx.people.tickets_of(message.sender)
    if not tickets:
        return texts.NO_TICKETS
    lines = "\n".join(status_line(ctx, ticket, followed) for ticket, followed in tickets)
    return texts.MY_TICKETS.format(lines=lines) + "\n回复工单号可查看详情。"
