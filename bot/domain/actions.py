"""What a secretary does to a ticket from the desk: close it, hand it to someone else, add a note.

Each is one change, one event and its notifications in one transaction (TicketStore.apply).
"""
from __future__ import annotations

from bot.domain import steps
from bot.domain.clock import utcnow
from bot.store.models import Ticket
from bot.settings import Person
from bot.store.tickets import Step, TicketStore


def close(store: TicketStore, ticket: Ticket, actor: str, name: str, note: str) -> str | None:
    """Resolve an open ticket (the residents hear the result and are asked for their verdict), or close a
    resolved one still waiting for a verdict; return what was done, None when nothing was."""
    if ticket.status in steps.OPEN:
        _, event = steps.resolve(store, ticket.id, actor, name, note or "社区已在工作台办结")
        return "resolved" if event is not None else None

    def change(session, current):
        if current.status != "resolved":
            return None
        current.status, current.closed_at = "closed", utcnow()
        return Step("closed", {"by": name, "text": note[:1000]}, ["workers.timers.on_event"])

    _, event = store.apply(ticket.id, actor, change)
    return "closed" if event is not None else None


def reassign(store: TicketStore, ticket_id: int, actor: str, person: Person, grid_id: str | None, note: str,
             by: str = ""):
    """Give an open ticket to another person, who gets it as a new task saying who sent it and why."""
    _, event = steps.transfer_to_person(store, ticket_id, actor, person, grid_id, note, by)
    return event is not None


def add_note(store: TicketStore, ticket_id: int, actor: str, text: str):
    """A note for the desk only: nobody is pushed anything."""
    _, event = store.apply(ticket_id, actor, lambda session, ticket: Step("note", {"text": text[:2000]}, []))
    return event is not None
