"""file_draft: a report the resident stopped answering about is filed, never silently lost."""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import select

from bot.errors import NoChannel
from bot.domain.privacy import mask_openid
from bot.domain.message import Message
from handlers.draft import draft_in
from handlers.intake import DRAFT_JOB, file_report
from bot.domain import texts
from bot import runtime
from workers.ledger import deliver
from bot.wechat.push import Push
from bot.store.models import Follower, Ticket

log = logging.getLogger("minhu.drafts")


def file_draft(openid: str, draft_id: str) -> str:
    """Past its deadline, open the ticket with what is known (the secretary places it) and tell the resident."""
    rt = runtime.get()
    pending = rt.state.get(openid)
    if pending and "draft" not in pending:
        pending = pending.get("resume")  # a question in between (the reason for a 不满意) waits on top of it
    draft = draft_in(pending)
    if draft is None or draft.key != draft_id:
        return "answered"  # filed, dropped or replaced by the resident meanwhile
    left = pending.get("deadline", 0) - time.time()
    if left > 0:
        # A later question moved the deadline, or RQ's scheduler (whole seconds) ran this a moment early: come back
        # when it is due, so a report is never left unfiled.
        rt.schedule(timedelta(seconds=left + 1), DRAFT_JOB, openid, draft_id)
        return "not yet"
    ctx = rt.context(Message(sender=openid, type="event", key=draft.key))
    reply = file_report(openid, draft.key, ctx, draft)
    ticket = rt.tickets.by_source(draft.key) or _joined(rt, openid)
    if ticket is None:
        return "filed"
    if not ticket.building and not ticket.urgent:
        reply += texts.DRAFT_FILED_ASK  # a building said now still places it
    push = Push(text=texts.DRAFT_FILED_PREFIX + reply, fields={"title": "已为您登记", "number": ticket.number},
                template="notice")
    try:
        deliver(rt.engine, ticket.id, f"filed:{draft_id}"[:64], openid, lambda: rt.notifier.send(openid, push))
    except NoChannel as exc:
        log.warning("draft of %s filed as %s, resident not told: %s", mask_openid(openid), ticket.number, exc)
    return "filed"


def _joined(rt, openid: str):
    """The ticket a filed draft joined as a neighbour's duplicate."""
    with rt.sessions() as session:
        return session.scalar(select(Ticket).join(Follower, Follower.ticket_id == Ticket.id)
                              .where(Follower.openid == openid).order_by(Follower.id.desc()).limit(1))
