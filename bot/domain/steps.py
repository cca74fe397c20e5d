"""A ticket's steps after it opens: each is one change, one event and its notifications, committed together.

Every step returns (ticket, event); the event is None when the step was already taken (a retried
message, a second 接单), so running a step twice changes and sends nothing twice.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.domain import chases
from bot.domain import worktime
from bot.domain.clock import utcnow
from bot.store.models import Attachment, Follower, Ticket, TicketEvent
from bot.settings import Department, Grid, Person, limits_for
from bot.store.tickets import CHASE_JOB, NOTIFY_JOB, OPEN, Step, TicketStore

NOTIFY = [NOTIFY_JOB]
# A resident's addendum: pushed at once, or gathered with the next ones when one went out a moment ago.
ADDED = ["workers.notify.notify_added"]
# Steps that change what the reminders and escalation should watch also tell the timers.
MOVES_ON = NOTIFY + ["workers.timers.on_event"]
SATISFACTION = ("satisfied", "basically", "unsatisfied")
# The events that hold a household's verdict on a fix.
VERDICTS = ("rated", "reopened")


def accept(store: TicketStore, ticket_id: int, actor: str, name: str):
    """A grid worker takes the ticket; the residents hear who has it."""
    def change(session, ticket):
        if ticket.status not in ("new", "dispatched"):
            return None
        ticket.status, ticket.accepted_at = "accepted", utcnow()
        ticket.assignee_openid, ticket.assignee_name = actor, name
        return Step("accepted", {"by": name}, MOVES_ON)
    return store.apply(ticket_id, actor, change)


def resolve(store: TicketStore, ticket_id: int, actor: str, name: str, note: str):
    """The work is done; the residents are told and asked for their verdict."""
    def change(session, ticket):
        if ticket.status not in OPEN:
            return None
        ticket.status, ticket.resolved_at, ticket.resolution_note = "resolved", utcnow(), note[:1000]
        if ticket.accepted_at is None:
            ticket.accepted_at = ticket.resolved_at
        return Step("resolved", {"by": name, "note": note[:1000]}, MOVES_ON)
    return store.apply(ticket_id, actor, change)


def cancel(store: TicketStore, ticket_id: int, actor: str):
    """The reporter withdraws an open ticket; whoever holds it stops."""
    def change(session, ticket):
        if ticket.status not in OPEN or ticket.resident_openid != actor:
            return None
        ticket.status = "cancelled"
        ticket.cancelled_at = ticket.closed_at = utcnow()
        return Step("cancelled", {}, MOVES_ON)
    return store.apply(ticket_id, actor, change)


def rate(store: TicketStore, ticket_id: int, actor: str, satisfaction: str, note: str = "",
         danger_back: bool = False):
    """One household's verdict on the ticket's last fix: 满意 closes it, 不满意 reopens it, each household once a fix.

    The reporter and every neighbour following the ticket give their own verdict, kept as an event. The ticket's
    satisfaction (what 满意率 counts, once per ticket) is the verdict on its last fix: any household's 不满意,
    while the ticket is resolved or closed within `conversation.rating_window`, reopens it and stands; else the
    reporter's verdict; else the first neighbour's (the first 满意 or 基本满意 closes the ticket). Once a
    neighbour's 不满意 reopened the fix, only another 不满意 is taken: a 满意 waits for the next fix. A closed
    emergency reopens as a normal ticket (its danger is over) unless `danger_back` says the danger is back.
    """
    if satisfaction not in SATISFACTION:
        raise ValueError(f"unknown satisfaction {satisfaction!r}")
    config = store.directory.config

    def change(session, ticket):
        if not awaits_verdict(session, ticket, actor, config.conversation.rating_window):
            return None
        now, note_ = utcnow(), note[:1000]
        detail = {"satisfaction": satisfaction, "household": "reporter" if ticket.resident_openid == actor
                  else "neighbour", "note": note_}
        if ticket.status in OPEN:
            # A neighbour's 不满意 reopened this fix: another 不满意 is recorded, a 满意 waits for the next fix.
            return Step("rated", detail, []) if satisfaction == "unsatisfied" else None
        if satisfaction == "unsatisfied":
            ticket.urgent = ticket.urgent and danger_back
            accept_within, resolve_within = limits_for(config, ticket.category, ticket.urgent)
            ticket.satisfaction, ticket.rated_at, ticket.rating_note = satisfaction, now, note_ or None
            ticket.reopened_count += 1
            ticket.status, ticket.accepted_at, ticket.resolved_at, ticket.closed_at = "dispatched", None, None, None
            ticket.accept_due_at = worktime.deadline(config, now, accept_within, ticket.urgent)
            ticket.resolve_due_at = worktime.deadline(config, now, resolve_within, ticket.urgent)
            return Step("reopened", detail | {"round": ticket.reopened_count}, MOVES_ON)
        # Closed (by a verdict, or from the desk), a verdict on this fix already stands unless it is the reporter's.
        settled = None not in (ticket.rated_at, ticket.resolved_at) and ticket.rated_at >= ticket.resolved_at
        if ticket.status == "resolved" or detail["household"] == "reporter" or not settled:
            ticket.satisfaction, ticket.rated_at, ticket.rating_note = satisfaction, now, note_ or None
            if ticket.status == "resolved":
                ticket.status, ticket.closed_at = "closed", now
        return Step("rated", detail, [])
    return store.apply(ticket_id, actor, change)


def fix_round(session, ticket_id: int) -> int | None:
    """The id of the ticket's last `resolved` event: each fix is a round, with one verdict from each household."""
    return session.scalar(select(func.max(TicketEvent.id)).where(TicketEvent.ticket_id == ticket_id,
                                                                 TicketEvent.kind == "resolved"))


def gave_verdict(session, ticket_id: int, openid: str, round_id: int) -> bool:
    """This household gave its verdict on the fix that `round_id` recorded."""
    return bool(session.scalar(select(TicketEvent.id).where(
        TicketEvent.ticket_id == ticket_id, TicketEvent.actor == openid, TicketEvent.kind.in_(VERDICTS),
        TicketEvent.id > round_id).limit(1)))


def may_await_verdict(ticket: Ticket, window) -> bool:
    """Without a query: resolved, closed within the window, or open again after a fix (a neighbour's 不满意)."""
    if ticket.status == "resolved":
        return True
    if ticket.status == "closed":
        return ticket.closed_at is not None and ticket.closed_at >= utcnow() - window
    return ticket.status in OPEN and ticket.reopened_count > 0


def awaits_verdict(session, ticket: Ticket, openid: str, window) -> bool:
    """This household's verdict on the ticket's last fix is still wanted."""
    if not may_await_verdict(ticket, window):
        return False
    round_id = fix_round(session, ticket.id)
    return round_id is not None and not gave_verdict(session, ticket.id, openid, round_id)


def explain(store: TicketStore, ticket_id: int, actor: str, note: str):
    """Why the resident was not satisfied, said after the 不满意; passed on to whoever holds the ticket."""
    def change(session, ticket):
        ticket.rating_note = "\n".join(filter(None, [ticket.rating_note, note[:1000]]))
        return Step("rating_note", {"note": note[:1000]}, NOTIFY)
    return store.apply(ticket_id, actor, change)


def _noted(detail: dict, note: str, by: str = "") -> dict:
    """A transfer's detail with its note and the name of who sent it, for the new assignee's task push."""
    return detail | ({"text": note[:1000]} if note else {}) | ({"by": by} if by else {})


def _hand_over(ticket: Ticket, person: Person, grid_id: str, note: str, by: str) -> Step:
    """Give the ticket to `person` in `grid_id` as a new task; the transfer's event names who had it."""
    before = ticket.assignee_openid
    ticket.assignee_openid, ticket.assignee_name, ticket.grid_id = person.openid, person.name, grid_id
    ticket.status, ticket.accepted_at, ticket.dispatched_at = "dispatched", None, utcnow()
    return Step("transferred", _noted({"grid": grid_id, "to": person.openid, "to_name": person.name,
                                       "from": before}, note, by), MOVES_ON)


def transfer_to_grid(store: TicketStore, ticket_id: int, actor: str, grid: Grid, note: str = "", by: str = ""):
    """Hand the ticket to a grid's worker, who gets it as a new task (from anyone else in that grid too)."""
    def change(session, ticket):
        if ticket.status not in OPEN or (ticket.grid_id == grid.id and ticket.assignee_openid == grid.worker.openid):
            return None
        return _hand_over(ticket, grid.worker, grid.id, note, by)
    return store.apply(ticket_id, actor, change)


def transfer_to_person(store: TicketStore, ticket_id: int, actor: str, person: Person, grid_id: str | None,
                       note: str = "", by: str = ""):
    """Give an open ticket to one member of staff (in `grid_id`, or its grid), who gets it as a new task."""
    def change(session, ticket):
        if ticket.status not in OPEN or ticket.assignee_openid == person.openid:
            return None
        return _hand_over(ticket, person, grid_id or ticket.grid_id, note, by)
    return store.apply(ticket_id, actor, change)


def transfer_to_department(store: TicketStore, ticket_id: int, actor: str, name: str, code: str,
                           department: Department, note: str = ""):
    """Record that a functional department of config.yaml must help, with how to reach it; the ticket stays put."""
    def change(session, ticket):
        if ticket.status not in OPEN:
            return None
        return Step("transferred", _noted({"department": code, "to_name": department.name,
                                           "phone": department.phone, "by": name}, note), MOVES_ON)
    return store.apply(ticket_id, actor, change)


def locate(store: TicketStore, ticket_id: int, actor: str, building: str, unit: str | None, room: str | None):
    """The building of a ticket opened without one: route it to that grid."""
    def change(session, ticket):
        if ticket.building or ticket.status not in OPEN:
            return None
        ticket.building, ticket.unit, ticket.room = building, unit or ticket.unit, room or ticket.room
        route = store.directory.route(ticket.estate_id, building)
        if route.grid is None or route.grid.id == ticket.grid_id:
            return Step("located", {"building": building}, [])
        before = ticket.assignee_openid
        ticket.grid_id, ticket.status, ticket.accepted_at = route.grid.id, "dispatched", None
        ticket.assignee_openid, ticket.assignee_name = route.recipient.openid, route.recipient.name
        # A transfer for the pushes and timers; the building says the resident placed it (the timeline's 补充楼号).
        return Step("transferred", {"grid": route.grid.id, "to": route.recipient.openid,
                                    "to_name": route.recipient.name, "from": before, "building": building}, MOVES_ON)
    return store.apply(ticket_id, actor, change)


def alert(store: TicketStore, ticket_id: int, page: bool = True):
    """An urgent ticket: the secretary hears of it at once, besides the grid worker (once per ticket).

    Without `page` (the resident is past their urgent pages of the hour) it is recorded, not pushed: the event also
    stops the timers' page a minute later (workers/timers.py), and the grid worker has the urgent task anyway."""
    def change(session, ticket):
        seen = session.scalar(select(TicketEvent.id).where(TicketEvent.ticket_id == ticket.id,
                                                           TicketEvent.kind == "urgent"))
        if seen or not ticket.urgent:
            return None
        return Step("urgent", {}, NOTIFY) if page else Step("urgent", {"paged": False}, [])
    return store.apply(ticket_id, "system", change)


def add_text(store: TicketStore, ticket_id: int, openid: str, text: str, tell: bool = False):
    """A later message of the reporter's about the same problem, added whole to the ticket's text and passed on to
    whoever holds it: at once when `tell` (an emergency), else gathered a few minutes (followup.tell_added_every)."""
    def change(session, ticket):
        addition = f"\n补充：{text}"
        if ticket.status not in OPEN or ticket.text.endswith(addition) or ticket.text == text:
            return None  # closed, or this very text was added already (a retried message)
        ticket.text = f"{ticket.text}{addition}"
        return Step("added", {"text": text} | ({"at_once": True} if tell else {}), NOTIFY if tell else ADDED)
    return store.apply(ticket_id, openid, change)


# A photo, voice note or video is fetched from WeChat at once and kept (workers/media.py): WeChat deletes it in 3 days.
FETCH = ["workers.media.fetch_media"]
FETCHED_KINDS = ("image", "voice", "video")


def attach(store: TicketStore, ticket_id: int, openid: str, kind: str, source_key: str, **media):
    """A photo, voice note or location for a ticket, once per WeChat message; media is fetched to be kept."""
    thumb = {"thumb_media_id": media.pop("thumb_media_id")} if media.get("thumb_media_id") else {}  # for the job

    def change(session, ticket):
        if session.scalar(select(Attachment.id).where(Attachment.source_key == source_key)):
            return None
        fetch = kind in FETCHED_KINDS and bool(media.get("media_id"))
        attachment = Attachment(ticket_id=ticket.id, kind=kind, added_by=openid, source_key=source_key,
                                fetch_status="pending" if fetch else None, **media)
        session.add(attachment)
        session.flush()
        return Step("attached", {"kind": kind, "attachment": attachment.id} | thumb, FETCH if fetch else [])
    return store.apply(ticket_id, openid, change)


def is_party(session, ticket: Ticket, openid: str) -> bool:
    """The reporter or a follower: the only residents who may see this ticket."""
    if ticket.resident_openid == openid:
        return True
    return bool(session.scalar(select(Follower.id).where(Follower.ticket_id == ticket.id, Follower.openid == openid)))


# A chase reaches whoever holds the ticket through its own job (workers/chases.py).
CHASED = [CHASE_JOB]


def chase(store: TicketStore, ticket_id: int, openid: str, text: str, quiet: timedelta):
    """A resident chases an open ticket (催办): recorded with their words; whoever holds it is told as bot/domain/chases.py
    says (not again within `quiet` of the last chase told). Two index lookups whatever the ticket's history."""
    def change(session, ticket):
        if ticket.status not in OPEN:
            return None
        chased = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "chased")
        last = session.scalars(chased.order_by(TicketEvent.id.desc()).limit(1)).first()
        mine = last if last is None or last.actor == openid else session.scalars(
            chased.where(TicketEvent.actor == openid).order_by(TicketEvent.id.desc()).limit(1)).first()
        decided = chases.decide(*(chases.Chase(e.at, e.detail) if e is not None else None for e in (last, mine)),
                                text, utcnow(), quiet)
        if decided is None:
            return None  # a retried message, or the same words sent twice in a row
        detail, tell = decided
        return Step("chased", detail, CHASED if tell else [])
    return store.apply(ticket_id, openid, change)
