"""notify_event: tell the residents and staff concerned about one step of a ticket, once each."""
from __future__ import annotations

import logging
from datetime import UTC

from sqlalchemy import select

from bot.domain import disposal
from bot.domain.clock import utcnow
from bot.errors import NoChannel
from bot.store.models import Delivery, Follower, Ticket, TicketEvent
from bot.store.queue import RETRY
from bot.store.tickets import OPEN
from bot.domain import texts
from bot import runtime
from workers.dispatch import deadline_of, task_push, task_recipients
from workers.ledger import deliver, deliver_each
from bot.wechat.push import Push

log = logging.getLogger("minhu.notify")


def _facts(rt, ticket: Ticket) -> dict[str, str]:
    grid = rt.directory.grids.get(ticket.grid_id) if ticket.grid_id else None
    return {"number": ticket.number, "category": rt.settings.config.category_name(ticket.category),
            "place": rt.directory.place(ticket.estate_id, ticket.building, ticket.unit, ticket.room),
            "text": texts.clip(ticket.text, 200), "status": texts.STATUS.get(ticket.status, ticket.status),
            "assignee": rt.staff.title(ticket.assignee_openid, ticket.assignee_name, grid.id if grid else None),
            "deadline": deadline_of(rt, ticket)}


def _resident(text: str, facts: dict, title: str) -> Push:
    return Push(text=text, fields=facts | {"title": title}, template="notice")


def pushes_for(rt, ticket: Ticket, event: TicketEvent, residents: list[str]) -> list[tuple[str, Push]]:
    """Who hears of this step, and what they are told."""
    facts, detail = _facts(rt, ticket), event.detail or {}
    secretary = rt.directory.fallback(ticket.estate_id).openid
    staff = [o for o in [ticket.assignee_openid] if o and o != event.actor]
    kind = event.kind
    if kind == "accepted":
        text = texts.PUSH_ACCEPTED.format(name=detail.get("by", ""), **facts)
        return [(r, _resident(text, facts, "工单已接单")) for r in residents]
    if kind == "resolved":
        text = texts.PUSH_RESOLVED.format(note=detail.get("note", ""), **facts)
        return [(r, _resident(text, facts, "工单已处理，请评价")) for r in residents]
    if kind == "cancelled":
        text = texts.PUSH_CANCELLED_STAFF.format(**facts)
        follower = texts.PUSH_CANCELLED_FOLLOWER.format(**facts)
        return ([(o, Push(text=text, fields=facts | {"title": "工单已取消"})) for o in staff]
                + [(r, _resident(follower, facts, "工单已取消")) for r in residents if r != event.actor])
    if kind == "reopened":
        note = f"：{detail['note']}" if detail.get("note") else ""
        # The other households hear it too: the fix they were told of is being done again.
        others = texts.PUSH_REOPENED_RESIDENT.format(**facts)
        return ([(ticket.assignee_openid, Push(text=texts.PUSH_REOPENED.format(note=note, **facts),
                                               fields=facts | {"title": "工单被重新打开"}))]
                + [(r, _resident(others, facts, "工单已重新打开")) for r in residents if r != event.actor])
    if kind == "disposed":
        return _disposal_pushes(ticket, event, facts, residents)
    if kind == "merged":
        text = texts.PUSH_MERGED.format(source=detail.get("from", ""), **facts)
        return [(r, _resident(text, facts, "工单已合并")) for r in detail.get("told", [])]
    if kind == "rating_note":
        return [(ticket.assignee_openid, Push(text=texts.PUSH_RATING_NOTE.format(note=detail.get("note", ""), **facts),
                                              fields=facts | {"title": "居民补充意见"}))]
    if kind == "transferred" and detail.get("department"):
        return _department_pushes(rt, ticket, event, facts, residents, secretary)
    if kind == "transferred":
        # The resident who placed an emergency was told who has it in the reply: no push saying it again.
        text = texts.PUSH_TRANSFERRED_RESIDENT.format(target=facts["assignee"], **facts)
        # Whom this transfer named, not who holds the ticket when the job runs (it may have moved on again).
        task = task_push(rt, ticket, detail.get("by", ""), detail.get("text", ""))
        to = detail.get("to") or ticket.assignee_openid
        taken = task_recipients(rt, detail.get("grid"), to)
        return ([(o, task) for o in taken] + _moved_away(rt, ticket, event, facts, taken, secretary)
                + [(r, _resident(text, facts, "工单已转交")) for r in residents if r != event.actor])
    if kind == "added":
        # Words added to an emergency while it waits for its place: whoever holds it hears at once.
        text = (texts.PUSH_URGENT_ADDED if ticket.urgent else texts.PUSH_ADDED).format(note=detail.get("text", ""),
                                                                                      **facts)
        to = [o for o in dict.fromkeys([ticket.assignee_openid, secretary if ticket.urgent else None]) if o]
        return [(o, Push(text=text, fields=facts | {"title": "居民补充"})) for o in to]
    if kind == "joined":
        text = texts.PUSH_JOINED.format(households=detail.get("households", 2), **(facts | {"text": detail.get("text", "")}))
        return [(o, Push(text=text, fields=facts | {"title": "又有居民反映"})) for o in [ticket.assignee_openid] if o]
    if kind == "urgent":
        # config.yaml's secretary and those bound by invite; not the one who holds it (they had the task push).
        return [(o, Push(text=texts.PUSH_URGENT.format(**facts), fields=facts | {"title": "【紧急】工单"}))
                for o in rt.staff.secretaries(secretary, ticket.community_id) if o != ticket.assignee_openid]
    return []


def _disposal_pushes(ticket: Ticket, event: TicketEvent, facts: dict, residents: list[str]) -> list[tuple[str, Push]]:
    """Closed without a fix: each household hears why in one sentence; whoever held it stops."""
    detail = event.detail or {}
    reason = detail.get("reason")
    if reason not in texts.PUSH_DISPOSED:
        return []  # merged away: the target ticket's `merged` event tells its residents
    note = f"（{detail['text']}）" if detail.get("text") else ""
    text = texts.PUSH_DISPOSED[reason].format(note=note, department=detail.get("department") or "相关部门", **facts)
    staff = texts.PUSH_DISPOSED_STAFF.format(by=detail.get("by") or "社区", reason=disposal.REASONS[reason], **facts)
    holders = [o for o in [ticket.assignee_openid] if o and o != event.actor]
    return ([(o, Push(text=staff, fields=facts | {"title": "工单已关闭"})) for o in holders]
            + [(r, _resident(text, facts, "工单已关闭")) for r in residents])


def _moved_away(rt, ticket: Ticket, event: TicketEvent, facts: dict, taken: list[str],
                secretary: str) -> list[tuple[str, Push]]:
    """Who had the ticket hears it moved (unless they moved it); an emergency's secretary hears wherever it goes."""
    detail = event.detail or {}
    target = rt.staff.title(detail.get("to"), detail.get("to_name") or ticket.assignee_name, detail.get("grid"))
    about = facts | {"target": target}
    told = [(o, texts.PUSH_MOVED_AWAY) for o in [detail.get("from")] if o]
    if ticket.urgent:
        everyone = rt.staff.secretaries(secretary, ticket.community_id)
        told = [(o, text) for o, text in told if o not in everyone] + [(o, texts.PUSH_URGENT_MOVED) for o in everyone]
    return [(o, Push(text=text.format(**about), fields=facts | {"title": "工单已改派"}))
            for o, text in told if o not in taken and o != event.actor]


def _department_pushes(rt, ticket: Ticket, event: TicketEvent, facts: dict, residents: list[str],
                       secretary: str) -> list[tuple[str, Push]]:
    """A department called in: it hears if it has an openid; the secretary and the assignee, unless they did it."""
    detail = event.detail or {}
    # Older events name the department itself; newer ones its key in config.yaml, with its name and phone.
    department = rt.settings.config.departments.get(detail["department"])
    name = detail.get("to_name") or detail["department"]
    phone = texts.DEPARTMENT_PHONE.format(phone=detail["phone"]) if detail.get("phone") else ""
    about = facts | {"department": name, "phone": phone, "by": detail.get("by") or "社区"}
    fields = facts | {"title": f"需{name}协助"}
    pushes = [(department.openid, Push(text=texts.PUSH_TO_DEPARTMENT.format(**about), fields=fields))
              ] if department and department.openid else []
    staff = dict.fromkeys(o for o in (secretary, ticket.assignee_openid) if o and o != event.actor)
    pushes += [(o, Push(text=texts.PUSH_DEPARTMENT.format(**about), fields=fields)) for o in staff]
    text = texts.PUSH_DEPARTMENT_RESIDENT.format(**about)
    return pushes + [(r, _resident(text, facts, "工单已转交")) for r in residents]


def notify_event(event_id: int) -> str:
    """Send each push of one ticket event once, however often the job runs; skip who cannot be reached."""
    rt = runtime.get()
    with rt.sessions() as session:
        event = session.get(TicketEvent, event_id)
        if event is None:
            return "gone"
        ticket = session.get(Ticket, event.ticket_id)
        followers = list(session.scalars(select(Follower.openid).where(Follower.ticket_id == ticket.id)
                                         .order_by(Follower.id)))
        residents = [o for o in [ticket.resident_openid, *followers] if o]
        pushes = pushes_for(rt, ticket, event, residents)
        ticket_id, name = ticket.id, f"{event.kind}:{event.id}"
    if event.kind == "resolved":
        for openid in residents:  # asked for a verdict: "还是有点漏" from them is read as one (followup._still_broken)
            rt.asked_to_rate.set(openid, {"ticket": ticket_id})
    return f"sent {deliver_each(rt, ticket_id, name, pushes)}"


TELL_ADDED = "workers.notify.tell_added"
ADDED_SHOWN = 200  # characters of each addendum in the push; the desk shows them whole


def notify_added(event_id: int) -> str:
    """A resident's addendum, just recorded: its ticket's holder hears what they have not seen yet."""
    rt = runtime.get()
    with rt.sessions() as session:
        event = session.get(TicketEvent, event_id)
        ticket_id = event.ticket_id if event is not None else None
    return tell_added(ticket_id) if ticket_id is not None else "gone"


def _unseen(session, ticket: Ticket) -> tuple[list[TicketEvent], object, object]:
    """The addenda the holder has not seen, when they last heard of any, and when they got the ticket (None: never,
    or not yet)."""
    rows = list(session.scalars(select(Delivery).where(Delivery.ticket_id == ticket.id,
                                                       Delivery.recipient == ticket.assignee_openid)))
    # What the task push carried (or the 接单 reply showed, for whoever took a ticket never pushed to them).
    tasks = [d.claimed_at for d in rows if d.event == "dispatch" or d.event.startswith("transferred:")]
    seen_at = max(tasks, default=ticket.accepted_at)
    told = [d for d in rows if d.event.startswith("added:")]
    told_up_to = max((int(d.event.split(":")[1]) for d in told), default=0)
    added = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "added",
                                                      TicketEvent.id > told_up_to).order_by(TicketEvent.id))
    unseen = [e for e in added if not (e.detail or {}).get("at_once") and (seen_at is None or e.at > seen_at)]
    return unseen, max((d.claimed_at for d in told), default=None), seen_at


def tell_added(ticket_id: int) -> str:
    """Push the addenda the holder has not seen, in one message; after one a few minutes ago, later (rescheduled)."""
    rt = runtime.get()
    every, now = rt.settings.config.followup.tell_added_every, utcnow()
    with rt.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or ticket.status not in OPEN or not ticket.assignee_openid:
            return "closed"
        unseen, last, seen_at = _unseen(session, ticket)
        if not unseen:
            return "nothing new"
        # Pushed some a moment ago, or the holder's task push is still to go (it will carry these): look again later.
        at = max([t + every for t in (last,) if t] + ([unseen[-1].at + every] if seen_at is None else []),
                 default=None)
        if at is not None and now < at:
            rt.queue.enqueue_at(at.replace(tzinfo=UTC), TELL_ADDED, ticket_id, retry=RETRY, result_ttl=600,
                                job_id=f"added-{ticket_id}-{int(at.replace(tzinfo=UTC).timestamp())}")
            return "later"
        facts, holder, name = _facts(rt, ticket), ticket.assignee_openid, f"added:{unseen[-1].id}"
        said = [texts.clip((e.detail or {}).get("text", ""), ADDED_SHOWN) for e in unseen]
        # An emergency's words come here past the resident's urgent pages of the hour (handlers/quota.py).
        urgent = "【紧急】" if ticket.urgent else ""
    text = urgent + (texts.PUSH_ADDED.format(note=said[0], **facts) if len(said) == 1 else
                     texts.PUSH_ADDED_SOME.format(count=len(said), lines="\n".join(f"· {line}" for line in said),
                                                  **facts))
    push = Push(text=text, fields=facts | {"title": "居民补充", "text": texts.clip(" ".join(said), 100)})
    try:
        sent = deliver(rt.engine, ticket_id, name, holder, lambda: rt.notifier.send(holder, push))
    except NoChannel as exc:
        log.warning("ticket %s %s: %s", ticket_id, name, exc)
        return "unreachable"
    return "sent" if sent else "already sent"
