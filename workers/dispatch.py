"""dispatch_ticket: push a new ticket to the grid worker (or the secretary) who must act on it."""
from __future__ import annotations

import logging
from datetime import UTC

from sqlalchemy import update

from bot.domain.clock import utcnow
from bot.store.models import Ticket, TicketEvent
from bot.domain import texts
from workers import media, timers
from bot import runtime
from workers.ledger import deliver, deliver_each
from bot.wechat.push import Push

log = logging.getLogger("minhu.dispatch")
# The session holds no ticket to keep in step with these updates: skip the ORM's search for one.
PLAIN = {"synchronize_session": False}


def task_push(rt, ticket: Ticket, by: str = "", note: str = "") -> Push:
    """The message a grid worker gets: number, category, place, what the resident said (and who passed it on, why)."""
    category_name = rt.settings.config.category_name(ticket.category)
    place = rt.directory.place(ticket.estate_id, ticket.building, ticket.unit, ticket.room)
    title = "【紧急】新工单，请立即处理" if ticket.urgent else "新工单待处理"
    heading = title + (texts.TASK_TRANSFERRED_BY.format(by=by) if by else "")
    heading += texts.TASK_TRANSFER_NOTE.format(note=texts.clip(note, 200)) if note else ""
    text = (f"{heading}\n工单号：{ticket.number}\n类别：{category_name}\n位置：{place}\n"
            f"居民反映：{texts.clip(ticket.text, 300)}\n回复“接单 {ticket.number}”接单。")
    return Push(text=text, fields={"title": title, "number": ticket.number, "category": category_name,
                                   "place": place, "text": texts.clip(ticket.text, 100),
                                   "reported_at": f"{ticket.created_at:%m-%d %H:%M}",
                                   "deadline": deadline_of(rt, ticket)})


def deadline_of(rt, ticket: Ticket) -> str:
    """The deadline the ticket works to next, short enough for a template keyword: "12-08 17:30前接单"."""
    due, what = ((ticket.accept_due_at, "接单") if ticket.accepted_at is None and ticket.status in ("new", "dispatched")
                 else (ticket.resolve_due_at, "办结"))
    if due is None:
        return ""
    return f"{due.replace(tzinfo=UTC).astimezone(rt.settings.zone):%m-%d %H:%M}前{what}"


def task_recipients(rt, grid_id: str | None, assignee: str, session=None) -> list[str]:
    """The assignee; with a grid's own worker, the grid's staff bound by invite too (绑定 promises them its tasks)."""
    grid = rt.directory.grids.get(grid_id) if grid_id else None
    helpers = rt.staff.bound_to(grid.id, session) if grid and assignee == grid.worker.openid else []
    return list(dict.fromkeys([assignee, *helpers]))


def dispatch_ticket(ticket_id: int) -> str:
    """Send the new ticket to its assignee once, however often the job runs; mark it dispatched.

    The ledger's claim is committed with the ticket's first follow-up time; once the push is recorded as sent,
    the ticket is marked dispatched."""
    rt = runtime.get()
    with rt.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            log.warning("ticket %s no longer exists", ticket_id)
            return "gone"
        recipient, *helpers = task_recipients(rt, ticket.grid_id, ticket.assignee_openid, session)
        push = task_push(rt, ticket)
        first_step = timers.next_step_at(rt.settings.config, ticket, set()) if ticket.status == "new" else None

    def plan_follow_up(session) -> None:
        # Reminders and escalation first, with the claim: they are the remedy when this push cannot go out.
        if first_step is not None:
            session.execute(update(Ticket).where(Ticket.id == ticket_id, Ticket.status == "new",
                                                 Ticket.next_step_at.is_(None)).values(next_step_at=first_step),
                            execution_options=PLAIN)

    def mark_dispatched(session) -> None:
        now = utcnow()
        if session.execute(update(Ticket).where(Ticket.id == ticket_id, Ticket.status == "new")
                           .values(status="dispatched", dispatched_at=now), execution_options=PLAIN).rowcount:
            session.add(TicketEvent(ticket_id=ticket_id, at=now, actor="system", kind="dispatched",
                                    detail={"to": recipient}))

    sent = deliver(rt.sessions, ticket_id, "dispatch", recipient, lambda: rt.notifier.send(recipient, push),
                   claimed=plan_follow_up, sent=mark_dispatched)
    # The assignee has it; a helper out of reach must not hold the ticket back.
    deliver_each(rt, ticket_id, "dispatch", [(helper, push) for helper in helpers])
    # The resident's first photo follows the text, if it is kept already (else workers/media.py sends it when it is).
    media.push_first_photo(rt, ticket_id)
    return "sent" if sent else "already sent"
