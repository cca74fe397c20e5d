"""After the report: the resident's tickets, one ticket by number, cancelling, and the verdict on a fix."""
from __future__ import annotations

import re

from sqlalchemy import select, update

from bot import steps
from bot.models import Follower, Ticket
from bot.status import status_name
from handlers import texts
from handlers.base import Context, Filter, Message
from handlers.intake import analysis_of, category_name, new_problem, place_of, start_report

NUMBER = re.compile(r"(?<!\d)(1\d{5})(?!\d)")
# A ticket number alone, or asked after: 100001, 查一下100001, 工单100001进度, 100001怎么样了? (any six digits: a
# mistyped number gets "没有找到", not small talk).
_ASK_ONE = re.compile(r"^\s*(?:请问|麻烦|帮我)?\s*(?:查询?|查一下|查查|查看|看看|看一下|问一下)?\s*(?:一下)?\s*(?:我的)?"
                      r"\s*(?:工单|单号)?\s*(?:号)?\s*[:：]?\s*(?P<number>\d{6})\s*(?:号)?\s*(?:工单)?\s*(?:的)?\s*"
                      r"(?:进度|情况|状态)?\s*(?:怎么样了?|到哪了|处理了吗|处理得怎么样了?|呢|吗)?\s*[?？。!！]*\s*$")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CANCEL = re.compile(r"^\s*(取消|撤销|撤回)(工单)?\s*[:：]?\s*(1\d{5})?\s*$")
_RATING = re.compile(r"^\s*(非常满意|基本满意|不满意|不太满意|满意|一般)\s*[,，。!！:：]?\s*(1\d{5})?\s*[,，。:：]?\s*(.*)$", re.S)
RATINGS = {"非常满意": "satisfied", "满意": "satisfied", "基本满意": "basically", "一般": "basically",
           "不满意": "unsatisfied", "不太满意": "unsatisfied"}


def _status_line(ctx: Context, ticket: Ticket, followed: bool) -> str:
    status = status_name(ticket.status, ticket.reopened_count)
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


def plain(text: str) -> str:
    """The text with full-width digits (１０００03, as some phone keyboards type them) made plain."""
    return text.translate(_WIDE_DIGITS)


def asks_one(message: Message, ctx: Context) -> bool:
    """A ticket number, alone or asked after ("查一下100001"): that ticket, never the list."""
    text = plain(message.text)
    match = _ASK_ONE.match(text)
    if match:
        ctx.found["number"] = match.group("number")
        return True
    numbers = NUMBER.findall(text)
    if len(numbers) == 1 and analysis_of(message, ctx).intent == "status_query":
        ctx.found["number"] = numbers[0]
        return True
    return False


def one_ticket(message: Message, ctx: Context) -> str:
    number = ctx.found["number"]
    ticket = own_ticket(ctx, message.sender, number)
    if ticket is None:
        return texts.NOT_YOURS.format(number=number)
    extra = ""
    if ticket.assignee_name and ticket.status in steps.OPEN:
        extra = f"\n负责人：{ticket.assignee_name}"
    if ticket.resolution_note:
        # Reopened, the last fix is what did not hold, not the ticket's result.
        done = ticket.status in ("resolved", "closed")
        extra += (texts.RESULT if done else texts.LAST_FIX).format(note=ticket.resolution_note)
    if ticket.status == "resolved":
        extra += "\n请回复“满意”“基本满意”或“不满意”评价。"
    return texts.TICKET_DETAIL.format(number=number, category=category_name(ctx, ticket.category),
                                      place=place_of(ctx, ticket), status=status_name(ticket.status,
                                                                                      ticket.reopened_count),
                                      extra=extra)


def asks_cancel(message: Message, ctx: Context) -> bool:
    match = _CANCEL.match(plain(message.text))
    if match:
        ctx.found["number"] = match.group(3)
    return bool(match)


def asks_cancel_one(message: Message, ctx: Context) -> bool:
    """取消 with a ticket number: about that ticket, whatever question is waiting."""
    return asks_cancel(message, ctx) and ctx.found["number"] is not None


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


def _awaiting_rating(ctx: Context, openid: str, number: str | None) -> tuple[Ticket | None, str]:
    """The ticket this verdict is about, and where it stands for this household: "awaits" its verdict,
    "rated" already, "open" (not fixed yet); with no ticket, "none"."""
    window = ctx.settings.config.conversation.rating_window
    tickets = [t for t, _ in ctx.people.tickets_of(openid, limit=10) if number in (None, t.number)]
    candidates = [t for t in tickets if steps.may_await_verdict(t, window)]
    if not candidates and not number and not any(t.status == "closed" for t in tickets):
        return None, "none"  # nothing of theirs was fixed lately: no need to read the verdicts
    with ctx.tickets.sessions() as session:
        for ticket in candidates:
            if steps.awaits_verdict(session, ticket, openid, window):
                return ticket, "awaits"
        for ticket in [t for t in tickets if t.status == "closed" or t.reopened_count][:3]:
            round_id = steps.fix_round(session, ticket.id)
            if round_id is not None and steps.gave_verdict(session, ticket.id, openid, round_id):
                return ticket, "rated"
    if number and tickets:
        return tickets[0], "open"
    return None, "none"


def rating_reply(message: Message, ctx: Context) -> bool:
    """满意 / 基本满意 / 不满意: the verdict on a fixed ticket, or, said alone, an answer that there is none to give."""
    match = _RATING.match(plain(message.text))
    if not match:
        return False
    number, note = match.group(2), match.group(3).strip()
    ticket, standing = _awaiting_rating(ctx, message.sender, number)
    if standing != "awaits" and note and not number:
        return False  # "不满意，楼下又漏了" with nothing to rate: a report, read as one
    ctx.found.update(rating=RATINGS[match.group(1)], ticket=ticket, standing=standing, note=note, number=number)
    return True


def rate(message: Message, ctx: Context) -> str:
    ticket, satisfaction, note, standing = (ctx.found[k] for k in ("ticket", "rating", "note", "standing"))
    if standing == "none":
        return texts.NOT_YOURS.format(number=ctx.found["number"]) if ctx.found["number"] else texts.NOTHING_TO_RATE
    if standing == "open":
        return texts.NOT_YET_RATEABLE.format(number=ticket.number)
    if standing == "rated":
        return texts.ALREADY_RATED.format(number=ticket.number)
    ticket, event = steps.rate(ctx.tickets, ticket.id, message.sender, satisfaction, note)
    if event is None:
        return texts.ALREADY_RATED.format(number=ticket.number)
    if satisfaction != "unsatisfied":
        return (texts.RATED if ticket.status == "closed" else texts.RATED_NOTED).format(number=ticket.number)
    if note and event.kind == "rated":
        steps.explain(ctx.tickets, ticket.id, message.sender, note)  # reopened already by a neighbour: pass it on
    if note:
        return texts.REOPENED_WITH_NOTE.format(number=ticket.number)
    waiting = ctx.state.get(message.sender)
    # A question asked before (几号楼？) waits under this one, and stands again once the reason is given.
    ctx.state.set(message.sender, {"step": "rating_note", "ticket": ticket.id, "category": ticket.category}
                  | ({"resume": waiting} if waiting and "step" in waiting and waiting["step"] != "rating_note" else {}))
    return texts.REOPENED.format(number=ticket.number)


def rating_note(message: Message, ctx: Context) -> str:
    """Why the resident was not satisfied, in the message after 不满意, unless it is an emergency or a new report."""
    from handlers import pending as waiting

    note, pending = message.text.strip(), ctx.found["pending"]
    resume = pending.get("resume")
    if resume:
        ctx.state.set(message.sender, resume)  # the question we asked before 不满意 stands again
        ctx.found["pending"] = resume
    else:
        ctx.state.clear(message.sender)
    analysis = analysis_of(message, ctx)
    # A complaint about the property company's service, said right after 不满意, is the reason, not a new report.
    if analysis.urgent or (new_problem(message, ctx, pending.get("category")) and analysis.category != "property"):
        if resume and resume.get("step") in waiting.DRAFT_STEPS:
            return waiting.continue_report(message, ctx)
        if resume and resume.get("step") == "locate":
            return waiting.urgent_followup(message, ctx)
        return start_report(message, ctx)
    steps.explain(ctx.tickets, pending["ticket"], message.sender, note)
    return texts.NOTE_PASSED + waiting.question(ctx, message.sender, resume)


asks_one_ticket = Filter(asks_one, "asks_one_ticket")
asks_to_cancel = Filter(asks_cancel, "asks_to_cancel")
asks_to_cancel_one = Filter(asks_cancel_one, "asks_to_cancel_one")
rates = Filter(rating_reply, "rates")
