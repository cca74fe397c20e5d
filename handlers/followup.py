"""After the report: the resident's tickets, one ticket by number, cancelling, and the verdict on a fix."""
from __future__ import annotations

import re

from sqlalchemy import select, update

from bot import steps
from bot.models import Follower, Ticket
from handlers import texts
from handlers.base import Context, Filter, Message
from handlers.intake import category_name, place_of

NUMBER = re.compile(r"(?<!\d)(1\d{5})(?!\d)")
_ASK_ONE = re.compile(r"^\s*(查询?|查看|工单|进度)?\s*(?:号)?\s*[:：]?\s*(1\d{5})\s*(进度|怎么样了|到哪了)?[?？]?\s*$")
_CANCEL = re.compile(r"^\s*(取消|撤销|撤回)(工单)?\s*[:：]?\s*(1\d{5})?\s*$")
_RATING = re.compile(r"^\s*(非常满意|基本满意|不满意|不太满意|满意|一般)\s*[,，。!！:：]?\s*(1\d{5})?\s*[,，。:：]?\s*(.*)$", re.S)
RATINGS = {"非常满意": "satisfied", "满意": "satisfied", "基本满意": "basically", "一般": "basically",
           "不满意": "unsatisfied", "不太满意": "unsatisfied"}


def _status_line(ctx: Context, ticket: Ticket, followed: bool) -> str:
    status = texts.STATUS.get(ticket.status, ticket.status)
    if ticket.status == "resolved":
        status += "，待评价"
    return f"{ticket.number} {category_name(ctx, ticket.category)} {status}{texts.FOLLOWED if followed else ''}"


def my_tickets(message: Message, ctx: Context) -> str:
    tickets = ctx.people.tickets_of(message.sender)
    if not tickets:
        return texts.NO_TICKETS
    lines = "\n".join(_status_line(ctx, ticket, followed) for ticket, followed in tickets)
    return texts.MY_TICKETS.format(lines=lines) + "\n回复工单号可查看详情。"


def own_ticket(ctx: Context, openid: str, number: str) -> Ticket | None:
    """The ticket with this number, if this resident reported or follows it: nobody sees anyone else's."""
    with ctx.tickets.sessions() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        return ticket if ticket is not None and steps.is_party(session, ticket, openid) else None


def asks_one(message: Message, ctx: Context) -> bool:
    match = _ASK_ONE.match(message.text)
    if match:
        ctx.found["number"] = match.group(2)
    return bool(match)


def one_ticket(message: Message, ctx: Context) -> str:
    number = ctx.found["number"]
    ticket = own_ticket(ctx, message.sender, number)
    if ticket is None:
        return texts.NOT_YOURS.format(number=number)
    extra = ""
    if ticket.assignee_name and ticket.status in steps.OPEN:
        extra = f"\n负责人：{ticket.assignee_name}"
    if ticket.resolution_note:
        extra += f"\n处理结果：{ticket.resolution_note}"
    if ticket.status == "resolved":
        extra += "\n请回复“满意”“基本满意”或“不满意”评价。"
    return texts.TICKET_DETAIL.format(number=number, category=category_name(ctx, ticket.category),
                                      place=place_of(ctx, ticket), status=texts.STATUS.get(ticket.status, ticket.status),
                                      extra=extra)


def asks_cancel(message: Message, ctx: Context) -> bool:
    match = _CANCEL.match(message.text)
    if match:
        ctx.found["number"] = match.group(3)
    return bool(match)


def cancel(message: Message, ctx: Context) -> str:
    """取消 <号> cancels the resident's own open ticket; 取消 alone lists what can be cancelled."""
    number = ctx.found.get("number")
    if number is None:
        open_ones = [(t, f) for t, f in ctx.people.tickets_of(message.sender, limit=10) if t.status in steps.OPEN]
        if not open_ones:
            return texts.NOTHING_TO_CANCEL
        return texts.CANCEL_WHICH.format(lines="\n".join(_status_line(ctx, t, f) for t, f in open_ones))
    ticket = own_ticket(ctx, message.sender, number)
    if ticket is None:
        return texts.NOT_YOURS.format(number=number)
    if ticket.resident_openid != message.sender:
        # A follower did not open it: they stop following, the neighbours' ticket goes on.
        with ctx.tickets.sessions() as session:
            row = session.scalar(select(Follower).where(Follower.ticket_id == ticket.id,
                                                        Follower.openid == message.sender))
            if row is not None:
                session.delete(row)
                session.execute(update(Ticket).where(Ticket.id == ticket.id, Ticket.households > 0)
                                .values(households=Ticket.households - 1))
                session.commit()
        return texts.UNFOLLOWED.format(number=number)
    ticket, event = steps.cancel(ctx.tickets, ticket.id, message.sender)
    if event is None and ticket.status != "cancelled":
        return texts.CANNOT_CANCEL.format(number=number, status=texts.STATUS.get(ticket.status, ticket.status))
    return texts.CANCELLED.format(number=number)


def _awaiting_rating(ctx: Context, openid: str, number: str | None) -> Ticket | None:
    """The resolved ticket this verdict is about: the one named, else the newest waiting for one."""
    tickets = [t for t, _ in ctx.people.tickets_of(openid, limit=10)]
    if number:
        return next((t for t in tickets if t.number == number), None)
    return next((t for t in tickets if t.status == "resolved"), None)


def rating_reply(message: Message, ctx: Context) -> bool:
    """满意 / 基本满意 / 不满意, when the resident has a resolved ticket to rate."""
    match = _RATING.match(message.text)
    if not match:
        return False
    ticket = _awaiting_rating(ctx, message.sender, match.group(2))
    if ticket is None or ticket.status not in ("resolved", "closed", "dispatched"):
        return False
    ctx.found.update(rating=RATINGS[match.group(1)], ticket=ticket, note=match.group(3).strip())
    return True


def rate(message: Message, ctx: Context) -> str:
    ticket, satisfaction, note = ctx.found["ticket"], ctx.found["rating"], ctx.found["note"]
    ticket, event = steps.rate(ctx.tickets, ticket.id, message.sender, satisfaction, note)
    if event is None:
        return texts.ALREADY_RATED.format(number=ticket.number)
    if satisfaction != "unsatisfied":
        return texts.RATED.format(number=ticket.number)
    if note:
        return texts.REOPENED_WITH_NOTE.format(number=ticket.number)
    ctx.state.set(message.sender, {"step": "rating_note", "ticket": ticket.id})
    return texts.REOPENED.format(number=ticket.number)


def rating_note(message: Message, ctx: Context) -> str:
    """Why the resident was not satisfied, in the message after 不满意."""
    ctx.state.clear(message.sender)
    steps.explain(ctx.tickets, ctx.found["pending"]["ticket"], message.sender, message.text.strip())
    return texts.NOTE_PASSED


asks_one_ticket = Filter(asks_one, "asks_one_ticket")
asks_to_cancel = Filter(asks_cancel, "asks_to_cancel")
rates = Filter(rating_reply, "rates")
