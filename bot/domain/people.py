"""Residents: who follows the account, their bound home address, their tickets, and forgetting them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.clock import utcnow
from bot.store.models import Attachment, Delivery, Follower, Resident, Ticket, TicketEvent
from bot.domain.privacy import mask_personal


@dataclass(frozen=True)
class Home:
    """A resident's bound address."""

    estate_id: str | None
    building: str
    unit: str | None = None
    room: str | None = None


class People:
    """Resident rows and what is kept about each resident."""

    def __init__(self, sessions: sessionmaker[Session], forget_hooks=()):
        self.sessions = sessions
        self.forget_hooks = list(forget_hooks)  # e.g. clear the Redis conversation state

    def seen(self, openid: str, subscribed: bool | None = None) -> None:
        """Note a message from a resident: it opens WeChat's 48-hour window for pushes."""
        now = utcnow()
        with self.sessions() as session:
            row = session.get(Resident, openid)
            if row is None:
                row = Resident(openid=openid, subscribed=True, created_at=now)
                session.add(row)
            row.last_message_at = now
            if subscribed is not None:
                row.subscribed = subscribed
            session.commit()

    def home(self, openid: str) -> Home | None:
        with self.sessions() as session:
            row = session.get(Resident, openid)
            if row is None or not row.building:
                return None
            return Home(row.estate_id, row.building, row.unit, row.room)

    def bind_home(self, openid: str, home: Home, only_if_none: bool = False) -> bool:
        """Keep the resident's home address; with only_if_none, a bound address is never overwritten."""
        with self.sessions() as session:
            row = session.get(Resident, openid)
            if row is None:
                row = Resident(openid=openid, subscribed=True)
                session.add(row)
            if only_if_none and row.building:
                return False
            row.estate_id, row.building, row.unit, row.room = home.estate_id, home.building, home.unit, home.room
            session.commit()
            return True

    def tickets_of(self, openid: str, limit: int = 5) -> list[tuple[Ticket, bool]]:
        """The resident's recent tickets, reported or followed (the flag says followed)."""
        followed = select(Follower.ticket_id).where(Follower.openid == openid)
        with self.sessions() as session:
            rows = session.scalars(select(Ticket).where(or_(Ticket.resident_openid == openid, Ticket.id.in_(followed)))
                                   .order_by(Ticket.id.desc()).limit(limit))
            return [(t, t.resident_openid != openid) for t in rows]

    def forget(self, openid: str) -> int:
        """Unsubscribed: remove the person, keep their tickets anonymised; return how many tickets were kept."""
        with self.sessions() as session:
            tickets = list(session.scalars(select(Ticket).where(Ticket.resident_openid == openid)))
            followed = list(session.scalars(select(Follower).where(Follower.openid == openid)))
            for ticket in tickets:
                # The room is the household's; the unit is a stairwell's and the building the place: both stay.
                ticket.resident_openid, ticket.room = None, None
                ticket.text = mask_personal(ticket.text)
            # A verdict's reason is kept on the ticket, the reporter's or a neighbour's.
            for ticket in tickets + [session.get(Ticket, f.ticket_id) for f in followed]:
                if ticket is not None and ticket.rating_note:
                    ticket.rating_note = mask_personal(ticket.rating_note)
            for follower in followed:
                session.delete(follower)
            session.execute(update(Attachment).where(Attachment.added_by == openid).values(added_by=None))
            own = {ticket.id for ticket in tickets}
            for event in session.scalars(select(TicketEvent).where(TicketEvent.actor == openid)):
                event.actor = "resident"
                added = (event.detail or {}).get("text") if event.kind == "added" else None
                if added and event.ticket_id not in own:
                    # Words they added to a ticket they followed: the reporter's own words stay as they are.
                    other = session.get(Ticket, event.ticket_id)
                    other.text = other.text.replace(f"\n补充：{added}", f"\n补充：{mask_personal(added)}")
                event.detail = {key: mask_personal(value) if isinstance(value, str) else value
                                for key, value in (event.detail or {}).items()}
            # The ledger is keyed by recipient: keep its rows (they prove what was sent) without the openid.
            for row in session.scalars(select(Delivery).where(Delivery.recipient == openid)):
                row.recipient = f"forgotten:{row.id}"
            session.execute(delete(Resident).where(Resident.openid == openid))
            session.commit()
        for hook in self.forget_hooks:
            hook(openid)
        return len(tickets)
