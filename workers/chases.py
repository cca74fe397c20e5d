"""tell_chase: a resident's chase (催办) reaches whoever holds the ticket, and the secretary for an emergency, once."""
from __future__ import annotations

from bot.store.models import Ticket, TicketEvent
from bot.domain import texts
from bot import runtime
from workers.ledger import deliver_each
from bot.wechat.push import Push


def tell_chase(event_id: int) -> str:
    """Send the chase to the ticket's holder (and the secretary when urgent), each once however often this runs."""
    rt = runtime.get()
    with rt.sessions() as session:
        event = session.get(TicketEvent, event_id)
        if event is None:
            return "gone"
        ticket = session.get(Ticket, event.ticket_id)
        detail = event.detail or {}
        facts = {"number": ticket.number, "category": rt.settings.config.category_name(ticket.category),
                 "place": rt.directory.place(ticket.estate_id, ticket.building, ticket.unit, ticket.room),
                 "text": texts.clip(detail.get("text", ""), 200)}
        count = detail.get("count", 1)
        text = texts.PUSH_CHASED.format(note=facts["text"], **facts,
                                        times=texts.PUSH_CHASED_TIMES.format(count=count) if count > 1 else "")
        secretary = rt.directory.fallback(ticket.estate_id).openid if ticket.urgent else None
        recipients = [o for o in dict.fromkeys([ticket.assignee_openid, secretary]) if o and o != event.actor]
        ticket_id, name = ticket.id, f"chased:{event.id}"
    push = Push(text=text, fields=facts | {"title": "居民催办"})
    return f"sent {deliver_each(rt, ticket_id, name, [(recipient, push) for recipient in recipients])}"
