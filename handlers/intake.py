"""A resident reports a problem: find what and where, ask what is missing, then open or join a ticket."""
from __future__ import annotations

import re
import time

from bot import steps
from bot.models import Ticket
from bot.people import Home
from bot.tickets import Report
from handlers import texts
from handlers.base import Context, Message
from nlp.subject import name_of as subject_name
from nlp.subject import subject_of

_BARE_NUMBER = re.compile(r"^\s*([0-9]{1,3}|[A-Za-z])\s*(号|号楼|栋|幢|座)?\s*$")
_DONT_KNOW = ("不知道", "不清楚", "不记得")
_DROP = ("算了", "不用了", "不报了", "取消")
_YES = re.compile(r"^\s*(是|是的|对|对的|嗯|好|好的|没错|yes)[。！!.]?\s*$", re.IGNORECASE)
DRAFT_JOB = "workers.drafts.file_draft"


def analysis_of(message: Message, ctx: Context):
    """Read the message once per request; filters and callbacks share the result."""
    if "analysis" not in ctx.found:
        ctx.found["analysis"] = ctx.analyzer.analyze(message.text)
    return ctx.found["analysis"]


def category_name(ctx: Context, code: str) -> str:
    return ctx.settings.config.category_name(code)


def place_of(ctx: Context, ticket) -> str:
    return ctx.directory.place(ticket.estate_id, ticket.building, ticket.unit, ticket.room)


def assignee_of(ctx: Context, ticket) -> str:
    grid = ctx.directory.grids.get(ticket.grid_id) if ticket.grid_id else None
    return f"{grid.name}网格员{ticket.assignee_name}" if grid else f"社区{ticket.assignee_name}统一安排"


def advice_for(ctx: Context, category: str) -> str:
    advice = ctx.settings.config.advice
    return advice.get(category) or advice.get("default", "")


def accepted(ctx: Context, ticket) -> str:
    """The answer that names the ticket number and who has it (safety advice first when urgent)."""
    reply = texts.ACCEPTED.format(number=ticket.number, category=category_name(ctx, ticket.category),
                                  place=place_of(ctx, ticket), assignee=assignee_of(ctx, ticket))
    if not ticket.urgent:
        return reply
    advice = advice_for(ctx, ticket.category)
    return texts.URGENT_PREFIX + (advice + "\n" if advice else "") + reply


def file_report(sender: str, key: str, ctx: Context, draft: dict) -> str:
    """Open the ticket (or join the neighbour's), attach what came with it, and say so."""
    ctx.state.clear(sender)
    # A retry of the message that already opened it; on a message's first sight (ctx.fresh) there is none.
    ticket = None if ctx.fresh else ctx.tickets.by_source(key)
    # What exactly is broken: from this message's analysis when it is the report itself, else from the draft's text.
    analysis = ctx.found.get("analysis") if draft.get("id") == key else None
    subject = (analysis.subject if analysis is not None and analysis.category == draft["category"]
               else subject_of(draft["text"], draft["category"]))
    # Twice at most: when neighbours write at the same moment, the first opens the ticket and the others,
    # finding it opened while they looked, join it (the store checks again under its write lock).
    for attempt in range(2):
        if ticket is not None:
            break
        duplicate, _ = (ctx.tickets.join(sender, draft["text"], estate_id=draft.get("estate_id"),
                                         building=draft["building"], category=draft["category"], subject=subject,
                                         unit=draft.get("unit"), urgent=draft["urgent"])
                        if draft.get("building") else (None, None))
        if duplicate is not None and duplicate.resident_openid != sender:
            _attach_media(ctx, duplicate.id, sender, draft)
            named = subject_name(duplicate.subject)  # the neighbour's words say what they joined, and whether it fits
            reply = texts.DUPLICATE_JOINED.format(number=duplicate.number, place=place_of(ctx, duplicate),
                                                  category=named or category_name(ctx, duplicate.category))
            if named and not subject:
                reply += texts.DUPLICATE_NOT_SURE.format(subject=named)
            if draft["urgent"]:
                reply = texts.URGENT_PREFIX + advice_for(ctx, draft["category"]) + "\n" + reply
            return reply
        if duplicate is not None:
            # Their own open ticket: this adds to it, unless this very message opened it (Redis forgot the claim).
            ticket = ctx.tickets.by_source(key) if ctx.fresh else None
            if ticket is None:
                steps.add_text(ctx.tickets, duplicate.id, sender, draft["text"])
                return texts.ADDED.format(number=duplicate.number)
            break
        ticket, new = ctx.tickets.open(Report(
            resident=sender, text=draft["text"], category=draft["category"], urgent=draft["urgent"],
            estate_id=draft.get("estate_id"), building=draft.get("building"), unit=draft.get("unit"),
            room=draft.get("room"), source_key=key, subject=subject), unless_open_same=attempt == 0)
        if new and ticket.urgent:
            steps.alert(ctx.tickets, ticket.id)
    _attach_media(ctx, ticket.id, sender, draft)
    if draft.get("asked") and ticket.building:
        ctx.people.bind_home(sender, Home(ticket.estate_id, ticket.building, ticket.unit, ticket.room), only_if_none=True)
    ctx.recent.set(sender, {"ticket": ticket.id, "number": ticket.number, "category": ticket.category,
                            "building": ticket.building})
    reply = accepted(ctx, ticket)
    if ticket.urgent and not ticket.building:
        # An emergency is never held for a question: opened now, the building is asked after.
        ctx.state.set(sender, {"step": "locate", "ticket": ticket.id})
        reply += texts.ASK_URGENT_BUILDING
    return reply


def _attach_media(ctx: Context, ticket_id: int, sender: str, draft: dict) -> None:
    for media in draft.get("media", []):
        steps.attach(ctx.tickets, ticket_id, sender, **media)


def ask(message: Message, ctx: Context, draft: dict, step: str, question: str) -> str:
    """Keep the draft and ask; a draft we cannot keep (Redis down) or never hear back on is filed anyway."""
    deadline = time.time() + ctx.settings.config.conversation.draft_timeout.total_seconds()
    saved = ctx.state.set(message.sender, {"step": step, "draft": draft, "deadline": deadline})
    if not saved or not ctx.schedule(ctx.settings.config.conversation.draft_timeout, DRAFT_JOB,
                                     message.sender, draft["id"]):
        return file_report(message.sender, message.key, ctx, draft)
    return question


def estate_choices(ctx: Context) -> str:
    return texts.ASK_ESTATE.format(
        choices="\n".join(f"{i}. {e.name}" for i, e in enumerate(ctx.directory.estates.values(), 1)))


def next_step(message: Message, ctx: Context, draft: dict) -> str:
    """Ask for what is missing (which problem, which estate, which building), or file the report."""
    if draft["urgent"]:
        return file_report(message.sender, message.key, ctx, draft)
    if draft.get("choices"):
        first, second = (category_name(ctx, code) for code in draft["choices"])
        return ask(message, ctx, draft, "category", texts.ASK_CATEGORY.format(first=first, second=second))
    if draft.get("estate_id") is None and ctx.directory.estates:
        return ask(message, ctx, draft, "estate", estate_choices(ctx))
    if not draft.get("building"):
        home = ctx.people.home(message.sender)
        category = category_name(ctx, draft["category"])
        if home and home.estate_id == draft.get("estate_id") and not draft.get("home_refused"):
            place = ctx.directory.place(home.estate_id, home.building, home.unit, home.room)
            return ask(message, ctx, draft, "home", texts.ASK_HOME.format(category=category, place=place))
        return ask(message, ctx, draft, "building", texts.ASK_BUILDING.format(category=category))
    return file_report(message.sender, message.key, ctx, draft)


def added_to_recent(message: Message, ctx: Context, analysis) -> str | None:
    """A second message about the ticket just opened adds to it instead of opening another."""
    recent = ctx.recent.get(message.sender)
    if not recent or analysis.category != recent["category"] or analysis.urgent:
        return None
    if analysis.location.building and analysis.location.building != recent["building"]:
        return None
    if not ctx.fresh and ctx.tickets.by_source(message.key) is not None:
        return None  # a retry of the message that opened that very ticket
    _, event = steps.add_text(ctx.tickets, recent["ticket"], message.sender, message.text)
    return texts.ADDED.format(number=recent["number"]) if event else None


def start_report(message: Message, ctx: Context) -> str:
    analysis = analysis_of(message, ctx)
    added = added_to_recent(message, ctx, analysis)
    if added:
        return added
    estate = ctx.directory.find_estate(message.text) or ctx.directory.only_estate
    location = analysis.location
    draft = {"id": message.key, "key": message.key, "text": message.text,
             "category": analysis.category or "other", "urgent": bool(analysis.urgent),
             "estate_id": estate.id if estate else None, "building": location.building,
             "unit": location.unit, "room": location.room, "tries": 0, "media": []}
    if analysis.ambiguous and analysis.runner_up and analysis.runner_up != draft["category"]:
        draft["choices"] = [draft["category"], analysis.runner_up]
    if message.type == "voice" and message.media_id:
        draft["media"].append({"kind": "voice", "source_key": message.key, "media_id": message.media_id})
    return next_step(message, ctx, draft)


def _estate_answer(text: str, ctx: Context):
    estates = list(ctx.directory.estates.values())
    match = _BARE_NUMBER.match(text)
    if match and match.group(1).isdigit() and 1 <= int(match.group(1)) <= len(estates):
        return estates[int(match.group(1)) - 1]
    return ctx.directory.find_estate(text)


def _category_answer(text: str, ctx: Context, choices: list[str]) -> str | None:
    text = text.strip()
    for i, code in enumerate(choices, 1):
        if text in (str(i), f"{i}.") or category_name(ctx, code) in text or text in category_name(ctx, code):
            return code
    return None


def continue_report(message: Message, ctx: Context) -> str:
    """The resident answers our question about the problem, the estate or the building."""
    from nlp import parse_location

    pending = ctx.found["pending"]
    draft, text, step = pending["draft"], message.text.strip(), pending["step"]
    if any(word in text for word in _DROP) and len(text) <= 6:
        ctx.state.clear(message.sender)
        return texts.DRAFT_DROPPED
    if step != "category" and analysis_of(message, ctx).intent == "status_query":
        from handlers.followup import my_tickets

        return my_tickets(message, ctx)  # a question in between: answered, and our question still stands
    draft["tries"] = draft.get("tries", 0) + 1
    gave_up = draft["tries"] >= 2 or any(word in text for word in _DONT_KNOW)
    if step == "category":
        chosen = _category_answer(text, ctx, draft["choices"])
        if chosen is None and not gave_up:
            return ask(message, ctx, draft, step, texts.ASK_CATEGORY.format(
                first=category_name(ctx, draft["choices"][0]), second=category_name(ctx, draft["choices"][1])))
        draft["category"] = chosen or draft["category"]
        draft.pop("choices")
    elif step == "estate":
        estate = _estate_answer(text, ctx)
        if estate is None and not gave_up:
            return ask(message, ctx, draft, step, estate_choices(ctx))
        draft["estate_id"] = estate.id if estate else None
        if estate is None:
            return file_report(message.sender, message.key, ctx, draft)
    elif step == "home" and _YES.match(text):
        home = ctx.people.home(message.sender)
        draft.update(building=home.building, unit=home.unit, room=home.room)
    else:
        bare = _BARE_NUMBER.match(text)
        location = parse_location(text)
        building = location.building or (bare.group(1).upper() if bare else None)
        if building and ctx.directory.knows_building(draft["estate_id"], building):
            draft.update(building=building, unit=location.unit or draft.get("unit"),
                         room=location.room or draft.get("room"), asked=True)
        elif gave_up:
            return file_report(message.sender, message.key, ctx, draft)  # the secretary sorts out where it is
        elif building:
            estate = ctx.directory.estates[draft["estate_id"]]
            return ask(message, ctx, draft, "building",
                       texts.ASK_BUILDING_AGAIN.format(estate=estate.name, building=building))
        else:
            draft["home_refused"] = True
            question = (texts.ASK_BUILDING.format(category=category_name(ctx, draft["category"])) if step == "home"
                        else texts.NOT_UNDERSTOOD_BUILDING)
            return ask(message, ctx, draft, "building", question)
    draft["tries"] = 0
    return next_step(message, ctx, draft)


def locate_urgent(message: Message, ctx: Context) -> str:
    """After an emergency was filed without a building: the building, and on to that grid's worker."""
    ticket_id, location = ctx.found["pending"]["ticket"], ctx.found["location"]
    ctx.state.clear(message.sender)
    ticket, _ = steps.locate(ctx.tickets, ticket_id, message.sender, location.building, location.unit, location.room)
    return texts.LOCATED.format(place=place_of(ctx, ticket), assignee=assignee_of(ctx, ticket))


def building_answer(message: Message, ctx: Context) -> bool:
    """The message names a building we know (the location rides along in the context)."""
    from nlp import Location, parse_location

    bare = _BARE_NUMBER.match(message.text)
    location = parse_location(message.text)
    building = location.building or (bare.group(1).upper() if bare else None)
    estate_id = ctx.directory.only_estate.id if ctx.directory.only_estate else None
    if (pending := ctx.found.get("pending")) and pending.get("ticket"):
        with ctx.tickets.sessions() as session:
            ticket = session.get(Ticket, pending.get("ticket"))
            estate_id = ticket.estate_id if ticket else estate_id
    if not building or not ctx.directory.knows_building(estate_id, building):
        return False
    ctx.found["location"] = Location(building=building, unit=location.unit, room=location.room)
    return True
