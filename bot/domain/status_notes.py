"""status_notes for Open311 reads: why a ticket stands where it does, from its newest event that says so."""
from __future__ import annotations

from collections.abc import Callable

from bot.store.models import Ticket, TicketEvent
from bot.domain.privacy import mask_personal

# Per event kind, the note it gives (from its detail and the ticket), or None to look further back. A disposal with a
# reason (invalid, duplicate, referred: the desk's) needs no entry: any event whose detail has "reason" gives it.
NOTES: dict[str, Callable[[dict, Ticket], str | None]] = {
    "resolved": lambda detail, ticket: detail.get("note") or ticket.resolution_note,
    "closed": lambda detail, ticket: detail.get("text") or ticket.resolution_note,
    "cancelled": lambda detail, ticket: "居民已撤回",
    "reopened": lambda detail, ticket: "居民对处理结果不满意，已重新处理",
    "transferred": lambda detail, ticket: f"已请{detail.get('to_name') or '职能部门'}协助" if detail.get("department")
    else None,
}
KINDS = tuple(NOTES)  # the kinds worth loading; events of other kinds count only with a reason


def status_notes(ticket: Ticket, events: list[TicketEvent]) -> str | None:
    """The newest note the events give (oldest first in `events`), masked as every Open311 read is."""
    for event in reversed(events):
        detail = event.detail or {}
        note = detail.get("reason") if isinstance(detail.get("reason"), str) else None
        if not note and event.kind in NOTES:
            note = NOTES[event.kind](detail, ticket)
        if note:
            return mask_personal(note)
    return mask_personal(ticket.resolution_note) if ticket.resolution_note else None
