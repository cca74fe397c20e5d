"""dispatch_ticket: push a new ticket to the grid worker (or the secretary) who must act on it."""
from __future__ import annotations

import logging
from datetime import UTC

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import configure_mappers

from bot.domain.clock import utcnow
from bot.store.models import Ticket, TicketEvent
from bot.domain import texts
from workers import media, timers
from bot import runtime
from workers.ledger import deliver_each, deliver_on
from bot.wechat.push import Push

log = logging.getLogger("minhu.dispatch")
# The dispatch's statements, built once: a push runs each, and building one costs more CPU than running it.
_TICKET = select(Ticket.__table__).where(Ticket.id == bindparam("b_id"))
_PLAN = (update(Ticket).where(Ticket.id == bindparam("b_id"), Ticket.status == "new", Ticket.next_step_at.is_(None))
         .values(next_step_at=bindparam("b_at")))
_DISPATCHED = (update(Ticket).where(Ticket.id == bindparam("b_id"), Ticket.status == "new")
               .values(status="dispatched", dispatched_at=bindparam("b_at")))
_EVENT = insert(TicketEvent).values(actor="system", kind="dispatched")


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


def warm_up(rt) -> None:
    """Run the dispatch's reads once, for no ticket, before a worker's first job: the first push of a burst waits less."""
    # A worker's first dispatch cost about 0.4 s more CPU than the next under cProfile (the mappers' set-up, the
    # statements' compilation, the database connection); with 16 workers a burst of 200 paid it 16 times.
    configure_mappers()
    with rt.engine.connect() as connection:
        connection.execute(_TICKET, {"b_id": 0}).first()
        rt.staff.bound_to("", connection)
        media.first_photo(connection, 0, None)
        media.first_photo(connection, 0, "")


def dispatch_ticket(ticket_id: int) -> str:
    """Send the new ticket to its assignee once, however often the job runs; mark it dispatched.

    One connection, Core statements: the ticket is read in the ledger's claim transaction, which also sets its
    first follow-up time; once the push is recorded as sent, one more transaction marks it dispatched and looks
    for the resident's photo."""
    rt = runtime.get()
    with rt.engine.connect() as connection:
        ticket = connection.execute(_TICKET, {"b_id": ticket_id}).first()
        if ticket is None:
            log.warning("ticket %s no longer exists", ticket_id)
            return "gone"
        recipient, *helpers = task_recipients(rt, ticket.grid_id, ticket.assignee_openid, connection)
        push = task_push(rt, ticket)
        first_step = timers.next_step_at(rt.settings.config, ticket, set()) if ticket.status == "new" else None
        photo = []

        def plan_follow_up(connection) -> None:
            # Reminders and escalation first, with the claim: they are the remedy when this push cannot go out.
            if first_step is not None:
                connection.execute(_PLAN, {"b_id": ticket_id, "b_at": first_step})

        def mark_dispatched(connection) -> None:
            now = utcnow()
            if connection.execute(_DISPATCHED, {"b_id": ticket_id, "b_at": now}).rowcount:
                connection.execute(_EVENT, {"ticket_id": ticket_id, "at": now, "detail": {"to": recipient}})
            # Read after the push is recorded: a photo kept meanwhile is seen here, or its job sees the push.
            photo.append(media.first_photo(connection, ticket_id, ticket.resident_openid))

        sent = deliver_on(connection, ticket_id, "dispatch", recipient, lambda: rt.notifier.send(recipient, push),
                          claimed=plan_follow_up, sent=mark_dispatched)
        if not sent:  # a run before this one sent it; if that worker died before marking the ticket, mark it now
            mark_dispatched(connection)
            connection.commit()
    # The assignee has it; a helper out of reach must not hold the ticket back.
    deliver_each(rt, ticket_id, "dispatch", [(helper, push) for helper in helpers])
    # The resident's first photo follows the text, if it is kept already (else workers/media.py sends it when it is).
    if helpers or photo[0] is not None:
        media.push_first_photo(rt, ticket_id)
    return "sent" if sent else "already sent"
