"""Closing a ticket without a fix, with the reason (invalid, referred), merging duplicates, and correcting its category.

A disposed ticket asks for no verdict: its residents are told in one kind sentence why it closed. Merging moves
the followers, photos and events of one ticket into the other and tells its residents once.
"""
from __future__ import annotations

from sqlalchemy import select, update

from bot.domain.clock import utcnow
from bot.store.models import Attachment, Follower, Outbox, Ticket, TicketEvent
from bot.store.queue import Job
from bot.store.tickets import NOTIFY_JOB, Step, TicketStore

REASONS = {"invalid": "无效", "referred": "非社区事项，已转办", "duplicate": "重复工单", "merged": "已合并"}
CLOSABLE = ("new", "dispatched", "accepted", "resolved")
TOLD = [NOTIFY_JOB, "workers.timers.on_event"]


def dispose(store: TicketStore, ticket_id: int, actor: str, name: str, reason: str, note: str = "",
            department: str = "") -> bool:
    """Close as invalid or referred to a department, with why; the residents hear it, no verdict is asked."""
    if reason not in ("invalid", "referred"):
        raise ValueError(f"unknown disposal {reason!r}")

    def change(session, ticket):
        if ticket.status not in CLOSABLE:
            return None
        ticket.status, ticket.closed_at, ticket.disposal = "closed", utcnow(), reason
        detail = {"reason": reason, "by": name, "text": note[:1000]} | ({"department": department} if department
                                                                         else {})
        return Step("disposed", detail, TOLD)
    _, event = store.apply(ticket_id, actor, change)
    return event is not None


def recategorize(store: TicketStore, ticket_id: int, actor: str, name: str, category: str) -> bool:
    """Correct the reader's category; the event keeps the text and both categories for retraining."""
    def change(session, ticket):
        if ticket.category == category:
            return None
        before, ticket.category, ticket.subject = ticket.category, category, None
        return Step("recategorized", {"from": before, "to": category, "by": name, "said": ticket.text[:1000]}, [])
    _, event = store.apply(ticket_id, actor, change)
    return event is not None


class MergeRefused(ValueError):
    """The two tickets cannot be merged (the same ticket, one already closed); the message says why in Chinese."""


def merge(store: TicketStore, from_id: int, into_id: int, actor: str, name: str, reason: str = "merged") -> list[str]:
    """Merge ticket `from_id` into `into_id`: its reporter and followers follow `into_id`, its photos and events move,
    it closes as merged (or duplicate); each of its residents is told once. Returns who was moved."""
    if from_id == into_id:
        raise MergeRefused("不能把工单合并到它自己。")
    now = utcnow()
    with store.sessions() as session:
        # Both rows locked in id order, so two merges of the same pair cannot deadlock.
        locked = {t.id: t for t in (session.get(Ticket, i, with_for_update=True) for i in sorted((from_id, into_id)))}
        source, target = locked[from_id], locked[into_id]
        if source.status not in CLOSABLE:
            raise MergeRefused(f"工单{source.number}已经关闭，不能再合并。")
        if target.status in ("cancelled",) or target.disposal:
            raise MergeRefused(f"工单{target.number}已取消或关闭，不能合并进去。")
        following = set(session.scalars(select(Follower.openid).where(Follower.ticket_id == target.id)))
        movers = [o for o in dict.fromkeys([source.resident_openid, *session.scalars(
            select(Follower.openid).where(Follower.ticket_id == source.id).order_by(Follower.id))])
                  if o and o != target.resident_openid]
        for openid in movers:
            if openid not in following:
                session.add(Follower(ticket_id=target.id, openid=openid, text=source.text[:1000], joined_at=now))
        target.households += len([o for o in movers if o not in following])
        session.execute(update(Attachment).where(Attachment.ticket_id == source.id).values(ticket_id=target.id)
                        .execution_options(synchronize_session=False))
        session.execute(update(TicketEvent).where(TicketEvent.ticket_id == source.id).values(ticket_id=target.id)
                        .execution_options(synchronize_session=False))
        source.status, source.closed_at, source.disposal, source.merged_into = "closed", now, reason, target.id
        closing = TicketEvent(ticket_id=source.id, at=now, actor=actor, kind="disposed",
                              detail={"reason": reason, "by": name, "into": target.number})
        merged = TicketEvent(ticket_id=target.id, at=now, actor=actor, kind="merged",
                             detail={"from": source.number, "by": name, "told": movers, "reason": reason})
        session.add_all([closing, merged])
        session.flush()
        rows = [Outbox(ticket_id=source.id, job="workers.timers.on_event", args=[closing.id], attempts=1),
                Outbox(ticket_id=target.id, job=NOTIFY_JOB, args=[merged.id], attempts=1)]
        session.add_all(rows)
        session.commit()
        jobs = [Job(row.id, row.job, row.args) for row in rows]
    store.after_commit(jobs)
    return movers
