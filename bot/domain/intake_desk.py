"""Tickets entered by staff: a phone call, a walk-in, a grid worker's patrol, a case handed down by 12345.

Such a ticket is read, routed, limited, reminded and reported exactly like a resident's; only its `source`, the
caller's contact and an `entered` event saying who entered it differ. Nobody is asked for a verdict in WeChat
(no resident's openid): the contact is for staff to call back.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.domain import steps
from bot.store.models import Ticket
from bot.store.tickets import Report, Step, TicketStore

# The sources staff may choose (wechat is the residents' own); tickets.source holds the code.
SOURCES = {"phone": "电话", "walk_in": "来访", "patrol": "巡查", "12345": "12345转办", "other": "其他"}
SOURCE_NAMES = {"wechat": "微信", "open311": "城市平台", **SOURCES}
# The word a member of staff may put after 代报 in chat to say where it came from.
SOURCE_WORDS = {"电话": "phone", "来电": "phone", "来访": "walk_in", "上门": "walk_in", "巡查": "patrol",
                "12345": "12345", "热线": "12345"}


@dataclass(frozen=True)
class Entry:
    """What staff typed: the words as the caller said them and what is known besides."""

    text: str
    source: str
    category: str | None = None  # None: the reader decides, as for a resident's message
    estate_id: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    contact: str = ""
    urgent: bool = False
    source_key: str | None = None  # the WeChat message of a 代报 in chat: its retry finds the same ticket


def enter(store: TicketStore, analyzer, entry: Entry, actor: str, name: str) -> Ticket:
    """Open a ticket for what staff took down; the reader fills in what they left out (category, place, urgency)."""
    if entry.source not in SOURCES:
        raise ValueError(f"unknown source {entry.source!r}")
    analysis = analyzer.analyze(entry.text)
    location = analysis.location
    only = store.directory.only_estate
    estate_id = entry.estate_id or (only.id if only else None)
    category = entry.category or (analysis.category if analysis.category in store.directory.config.categories
                                  else "other")
    building = entry.building or location.building
    report = Report(resident=None, text=entry.text[:2000], category=category, urgent=entry.urgent or analysis.urgent,
                    estate_id=estate_id, building=building, unit=entry.unit or (location.unit if building else None),
                    room=entry.room or (location.room if building else None),
                    subject=analysis.subject if category == analysis.category else None,
                    source=entry.source, contact=entry.contact.strip()[:64] or None, source_key=entry.source_key)
    ticket, new = store.open(report)
    if new:
        store.apply(ticket.id, actor, lambda session, row: Step(
            "entered", {"source": entry.source, "by": name} | ({"contact": report.contact} if report.contact else {}),
            []))
        if ticket.urgent:
            steps.alert(store, ticket.id)  # the secretary is paged, as for a resident's emergency
    return ticket


def count_by_source(session, start, end, communities: list[str] | None = None, grid: str | None = None) -> Counter:
    """Tickets opened in [start, end) by where they came from: the statistics and the digest show them."""
    query = select(Ticket.source, func.count()).where(Ticket.created_at >= start, Ticket.created_at < end)
    if communities is not None:
        query = query.where(Ticket.community_id.in_(communities))
    if grid is not None:
        query = query.where(Ticket.grid_id == grid)
    return Counter(dict(session.execute(query.group_by(Ticket.source)).all()))


def sources_line(counts: Counter) -> str:
    """来源：微信5件、电话2件; empty when every ticket came by WeChat (nothing worth a line)."""
    if not counts or set(counts) == {"wechat"}:
        return ""
    return "来源：" + "、".join(f"{SOURCE_NAMES.get(code, code)}{n}件" for code, n in counts.most_common())
