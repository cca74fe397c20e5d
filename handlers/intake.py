"""A resident reports a problem: find what and where, ask for the building when missing, open the ticket."""
from __future__ import annotations

import re

from bot.tickets import Report
from handlers import texts
from handlers.base import Context, Message

_BARE_NUMBER = re.compile(r"^\s*([0-9]{1,3}|[A-Za-z])\s*(号|号楼|栋|幢|座)?\s*$")
_GIVE_UP = ("不知道", "不清楚", "不记得", "算了", "不用了")


def analysis_of(message: Message, ctx: Context):
    """Read the message once per request; filters and callbacks share the result."""
    if "analysis" not in ctx.found:
        ctx.found["analysis"] = ctx.analyzer.analyze(message.text)
    return ctx.found["analysis"]


def category_name(ctx: Context, code: str) -> str:
    category = ctx.settings.config.categories.get(code)
    return category.name if category else code


def accepted(ctx: Context, ticket) -> str:
    """The answer that names the ticket number and who has it."""
    grid = ctx.directory.grids.get(ticket.grid_id) if ticket.grid_id else None
    assignee = f"{grid.name}网格员{ticket.assignee_name}" if grid else f"社区{ticket.assignee_name}统一安排"
    reply = texts.ACCEPTED.format(number=ticket.number, category=category_name(ctx, ticket.category),
                                  place=ctx.directory.place(ticket.estate_id, ticket.building, ticket.unit, ticket.room),
                                  assignee=assignee)
    return (texts.URGENT_PREFIX + reply) if ticket.urgent else reply


def open_ticket(message: Message, ctx: Context, draft: dict) -> str:
    ticket, _ = ctx.tickets.open(Report(
        resident=message.sender, text=draft["text"], category=draft["category"], urgent=draft["urgent"],
        estate_id=draft.get("estate_id"), building=draft.get("building"), unit=draft.get("unit"),
        room=draft.get("room"), source_key=message.key))
    ctx.state.clear(message.sender)
    return accepted(ctx, ticket)


def next_step(message: Message, ctx: Context, draft: dict) -> str:
    """Ask for what is missing, or open the ticket when nothing is (or when nothing can be remembered)."""
    if draft.get("estate_id") is None and ctx.directory.estates:
        step, question = "estate", texts.ASK_ESTATE.format(
            choices="\n".join(f"{i}. {e.name}" for i, e in enumerate(ctx.directory.estates.values(), 1)))
    elif not draft.get("building"):
        step, question = "building", texts.ASK_BUILDING.format(category=category_name(ctx, draft["category"]))
    else:
        return open_ticket(message, ctx, draft)
    if draft["urgent"] or not ctx.state.set(message.sender, {"step": step, "draft": draft}):
        # An emergency never waits for a question, and a report we cannot remember is opened now.
        return open_ticket(message, ctx, draft)
    return question


def start_report(message: Message, ctx: Context) -> str:
    analysis = analysis_of(message, ctx)
    estate = ctx.directory.find_estate(message.text) or ctx.directory.only_estate
    location = analysis.location
    draft = {"text": message.text, "category": analysis.category or "other", "urgent": bool(analysis.urgent),
             "estate_id": estate.id if estate else None, "building": location.building,
             "unit": location.unit, "room": location.room, "tries": 0}
    return next_step(message, ctx, draft)


def _estate_answer(text: str, ctx: Context):
    estates = list(ctx.directory.estates.values())
    match = _BARE_NUMBER.match(text)
    if match and match.group(1).isdigit() and 1 <= int(match.group(1)) <= len(estates):
        return estates[int(match.group(1)) - 1]
    return ctx.directory.find_estate(text)


def continue_report(message: Message, ctx: Context) -> str:
    """The resident answers our question about the estate or the building."""
    from nlp import parse_location

    pending = ctx.found["pending"]
    draft, text = pending["draft"], message.text.strip()
    draft["tries"] = draft.get("tries", 0) + 1
    if pending["step"] == "estate":
        estate = _estate_answer(text, ctx)
        if estate is None and draft["tries"] < 2 and not any(w in text for w in _GIVE_UP):
            ctx.state.set(message.sender, pending)
            return texts.ASK_ESTATE.format(
                choices="\n".join(f"{i}. {e.name}" for i, e in enumerate(ctx.directory.estates.values(), 1)))
        draft["estate_id"], draft["tries"] = (estate.id if estate else None), 0
        if estate is None:
            return open_ticket(message, ctx, draft)
    else:
        bare = _BARE_NUMBER.match(text)
        location = parse_location(text)
        building = location.building or (bare.group(1).upper() if bare else None)
        if building and ctx.directory.knows_building(draft["estate_id"], building):
            draft.update(building=building, unit=location.unit or draft.get("unit"),
                         room=location.room or draft.get("room"))
            return open_ticket(message, ctx, draft)
        if draft["tries"] >= 2 or any(w in text for w in _GIVE_UP):
            return open_ticket(message, ctx, draft)  # the secretary sorts out where it is
        ctx.state.set(message.sender, pending)
        if building:
            estate = ctx.directory.estates[draft["estate_id"]]
            return texts.ASK_BUILDING_AGAIN.format(estate=estate.name, building=building)
        return texts.NOT_UNDERSTOOD_BUILDING
    return next_step(message, ctx, draft)
