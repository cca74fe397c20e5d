"""While the bot waits for an answer: the answer, more about the problem, another problem, an emergency, or a
question in between (a ticket number, a verdict, 我的工单) that is answered while our question still stands."""
from __future__ import annotations

import time
from dataclasses import replace

from bot.domain import steps, texts
from handlers.answers import (DONT_KNOW, adds_detail, category_answer, drops, estate_answer, place_first,
                              said_besides_choice, yes_home)
from handlers import states
from handlers.base import Callback, Context, Message
from handlers.draft import Draft, draft_in
from handlers.states import BUILDING, CATEGORY, DRAFT_STEPS, ESTATE, HOME, LOCATE, UNPLACED
from handlers.quota import within
from handlers.intake import (advice_for, analysis_of, ask, draft_of, estate_choices, extra_report, file_report,
                             named_place, new_problem, next_step, open_report,
                             place_said, remember, start_report, waiting_place)
from handlers.tickets import assignee_of, category_name, place_of
from handlers.chase import status
from bot.store.models import Ticket
from nlp import Location
from nlp.phrases import acknowledges, answers_other, answers_report

_IN_BETWEEN = {"greeting": texts.HELP, "help": texts.HELP, "thanks": texts.THANKS}
# An emergency of these dangers continues a report of these kinds: sparks from the wires or the light just told,
# a fire where the e-bike was just said to charge. Anything else is another problem, with its own building.
_CONTINUES = {"electric": {"lighting", "facilities", "ebike"}, "fire": {"ebike"}}


def asked_again(ctx: Context, sender: str, pending: dict | None) -> str:
    """The question a pending state waits on, short, to ask again ("" when there is none)."""
    step = states.step_of(pending)
    if step == LOCATE:
        return texts.ASK_URGENT_BUILDING.strip()
    if step not in DRAFT_STEPS:
        return ""
    if step == CATEGORY:
        first, second = (category_name(ctx, code) for code in draft_in(pending).choices)
        return texts.ASK_CATEGORY_SHORT.format(first=first, second=second)
    if step == ESTATE:
        return texts.ASK_ESTATE_SHORT.format(choices=estate_choices(ctx).split("\n", 1)[1])
    if step == HOME and (home := ctx.people.home(sender)):
        return texts.ASK_HOME_SHORT.format(place=ctx.directory.place(home.estate_id, home.building, home.unit,
                                                                     home.room))
    return texts.ASK_BUILDING_SHORT


def question(ctx: Context, sender: str, pending: dict | None) -> str:
    """The reminder, after an answer in between, of the question still waiting ("" when there is none)."""
    asked = asked_again(ctx, sender, pending)
    if not asked or states.step_of(pending) == LOCATE:
        return "\n" + asked if asked else ""
    return texts.STILL_ASKING.format(category=category_name(ctx, draft_in(pending).category), question=asked)


def still_asking(callback: Callback) -> Callback:
    """Answer a question in between; the question we asked before still stands, and is asked again briefly."""
    def answer(message: Message, ctx: Context, found: object = None) -> str | None:
        before = states.waiting(ctx, message.sender)
        reply = callback(message, ctx, found)
        if reply and before and states.waiting(ctx, message.sender) == before:
            reply += question(ctx, message.sender, before)
        return reply
    return answer


def answers_report_or_not(message: Message, ctx: Context) -> dict | None:
    """The answer (1 or 2) to whether the words before report a problem, while that question stands."""
    pending = states.waiting(ctx, message.sender)
    if states.step_of(pending) != states.REPORT_OR_NOT or pending.get("until", 0) <= time.time():
        return None
    text = message.text
    return pending if answers_report(text) or answers_other(text) else None


def report_or_not(message: Message, ctx: Context, pending: dict) -> str:
    """1: the words before are read as the report they may be; 2: nothing is filed."""
    states.end(ctx, message.sender)
    if answers_other(message.text):
        return texts.NOT_A_REPORT
    return start_report(replace(message, key=pending["key"], text=pending["text"]), ctx)


def continue_report(message: Message, ctx: Context, pending: dict) -> str:
    """The resident answers our question about the problem, the estate or the building, or tells us more."""
    sender = message.sender
    draft, text, step = draft_in(pending), message.text.strip(), states.step_of(pending)
    analysis = analysis_of(message, ctx)
    if analysis.urgent:
        return emergency_meanwhile(message, ctx, pending, draft)
    place = place_said(message, ctx, draft.estate_id)
    known = bool(place.building) and ctx.directory.knows_place(draft.estate_id, place.building)
    chosen = category_answer(text, ctx, draft.choices, analysis) if step == CATEGORY else None
    home = yes_home(text, ctx, sender, draft, step)
    if chosen is None and not home and drops(text, analysis):
        states.end(ctx, sender)
        return texts.DRAFT_DROPPED
    if not known and not home and chosen is None and analysis.intent in (*_IN_BETWEEN, "status_query"):
        reply = status(message, ctx) if analysis.intent == "status_query" else _IN_BETWEEN[analysis.intent]
        return reply + question(ctx, sender, pending)  # answered, and our question still stands
    other = chosen is None and new_problem(message, ctx, draft.category)
    if other:
        extra = extra_report(message, ctx, draft.estate_id)
        if extra.building and not place_first(text):
            # The building said with another problem is that problem's: filed there now; our question stands.
            said, _ = open_report(sender, message.key, ctx, extra, ctx.fresh)
            return (texts.ALSO_FILED.format(category=category_name(ctx, extra.category)) + said
                    + question(ctx, sender, pending))
        # Another problem: kept, to be filed with this one once we know where (the answer covers both).
        draft.also.append(extra)
    elif step == CATEGORY and chosen and said_besides_choice(text, ctx, draft.choices):
        draft.text = f"{draft.text}\n补充：{text}"
    elif step != CATEGORY and adds_detail(text):
        draft.text = f"{draft.text}\n补充：{text}"
    noted = texts.ALSO_NOTED.format(category=category_name(ctx, draft.also[-1].category)) if other else ""
    draft.tries += 0 if other else 1
    # A place that is no building and not one the estate lists (小区后面那条路): the secretary places it, no loop.
    elsewhere = not known and not place.building and bool(analysis.location.spot) and step in (BUILDING, HOME)
    gave_up = draft.tries >= 2 or any(word in text for word in DONT_KNOW) or elsewhere
    if elsewhere:
        draft.text = f"{draft.text}\n补充：{text}"
    if step == CATEGORY:
        if chosen is None and (other or not gave_up):
            return ask(message, ctx, draft, step, noted + asked_again(ctx, sender, pending))
        draft.category = chosen or draft.category
        draft.choices = []
    elif step == ESTATE:
        estate = estate_answer(text, ctx)
        if estate is None and (other or not gave_up):
            return ask(message, ctx, draft, step, noted + asked_again(ctx, sender, pending) if other
                       else estate_choices(ctx))
        draft.estate_id = estate.id if estate else None
        if estate is None:
            return file_report(sender, message.key, ctx, draft)
    elif home:
        draft.building, draft.unit, draft.room = home.building, home.unit, home.room
    elif known:
        draft.building, draft.unit, draft.room = place.building, place.unit or draft.unit, place.room or draft.room
        draft.asked = True
    elif gave_up and not other:
        return file_report(sender, message.key, ctx, draft)  # the secretary sorts out where it is
    elif other:
        return ask(message, ctx, draft, step, noted + asked_again(ctx, sender, pending))
    elif place.building and draft.estate_id in ctx.directory.estates:
        estate = ctx.directory.estates[draft.estate_id]
        return ask(message, ctx, draft, BUILDING,
                   texts.ASK_BUILDING_AGAIN.format(estate=estate.name, building=place.building))
    else:
        draft.home_refused = True
        asked = (texts.ASK_BUILDING.format(category=category_name(ctx, draft.category)) if step == HOME
                 else texts.NOT_UNDERSTOOD_BUILDING)
        return ask(message, ctx, draft, BUILDING, asked)
    draft.tries = 0
    return next_step(message, ctx, draft)


def _same_problem(urgent: Draft, draft: Draft) -> bool:
    """The emergency is what the report waiting was about: its kind (or one of the two asked about), or a danger
    that kind of problem turns into; and it names no other building."""
    if urgent.building and draft.building and urgent.building != draft.building:
        return False
    return (urgent.category in (draft.category, *draft.choices)
            or draft.category in _CONTINUES.get(urgent.danger or "", ()))


def emergency_meanwhile(message: Message, ctx: Context, pending: dict, draft: Draft) -> str:
    """An emergency while we wait on a report: handled at once; the report waiting is never lost.

    The same problem becomes one urgent ticket with both messages' words, at the building either named.
    Another problem is its own urgent ticket: at the building its message names, the report waiting still
    asked about; naming none, the report waiting is filed with it and the next building named places both."""
    sender = message.sender
    urgent = draft_of(message, ctx)
    urgent.estate_id = urgent.estate_id or draft.estate_id
    known = bool(urgent.building) and ctx.directory.knows_place(urgent.estate_id, urgent.building)
    waiting = replace(draft, also=[], choices=[], tries=0)
    if _same_problem(urgent, draft):
        in_choices = urgent.category in draft.choices
        waiting = replace(waiting, text=f"{draft.text}\n补充：{message.text}", urgent=True, danger=urgent.danger,
                          also=draft.also, media=draft.media + urgent.media,
                          category=urgent.category if in_choices else draft.category)
        if urgent.building:
            waiting = replace(waiting, building=urgent.building, unit=urgent.unit, room=urgent.room)
        return next_step(message, ctx, waiting)
    urgent.choices = []
    if known:
        reply, ticket = open_report(sender, message.key, ctx, urgent, ctx.fresh)
        if ticket is not None:
            remember(ctx, sender, ticket)
        return reply + question(ctx, sender, pending)
    urgent.also = [waiting, *draft.also]
    return next_step(message, ctx, urgent)


def urgent_followup(message: Message, ctx: Context, pending: dict) -> str:
    """While an emergency waits for its building: the building, and on to that grid's worker, with whatever was
    filed with it. Another problem, or another emergency at the building it names, is its own report; a question
    or 取消 is answered; anything else is added to the ticket and pushed at once, and help is on its way."""
    text, sender = message.text.strip(), message.sender
    ticket_id, category = pending["ticket"], pending.get("category")
    estate_id = pending["estate_id"] if "estate_id" in pending else (
        ctx.directory.only_estate.id if ctx.directory.only_estate else None)
    place = place_said(message, ctx, estate_id)
    known = bool(place.building) and ctx.directory.knows_place(estate_id, place.building)
    analysis = analysis_of(message, ctx)
    asked = "" if pending.get("unknown") else texts.ASK_URGENT_BUILDING
    if not analysis.urgent and new_problem(message, ctx, category):
        return _another_meanwhile(message, ctx, pending, estate_id, known) + asked
    if analysis.urgent and known and category not in (analysis.category, analysis.runner_up):
        # Another emergency, at the building it names: its own urgent ticket there; this one still waits.
        reply, _ = open_report(sender, message.key, ctx, replace(draft_of(message, ctx), estate_id=estate_id),
                               ctx.fresh)
        return reply + asked
    if known:
        return _located(message, ctx, pending, place)
    if not place.building and analysis.intent == "status_query":
        return status(message, ctx) + asked
    if not place.building and drops(text, analysis):
        return texts.URGENT_CANCEL_HOW.format(number=pending.get("number") or _number(ctx, ticket_id))
    dont_know = any(word in text for word in DONT_KNOW)
    said = text
    for word in DONT_KNOW:
        said = said.replace(word, "")
    # An ok, a thanks or a bare 不知道 is not news for the people on their way.
    if analysis.intent not in ("thanks", "greeting") and not acknowledges(text) and (adds_detail(said) or not dont_know):
        ticket, _ = steps.add_text(ctx.tickets, ticket_id, sender, text, tell=within(ctx, "page", sender))
        if ticket is None or ticket.status not in steps.OPEN:
            states.end(ctx, sender)
            return _as_new(message, ctx)
    advice = advice_for(ctx, analysis.category, analysis.danger) if analysis.urgent and analysis.category != category else ""
    reply = texts.URGENT_PREFIX + advice + "\n" if advice else ""
    if dont_know:
        states.stay(ctx, sender, pending | {"unknown": True})  # still theirs: more words go on to the ticket
        return reply + texts.URGENT_PLACE_UNKNOWN
    reply += texts.URGENT_NOTED
    if place.building and estate_id in ctx.directory.estates:
        return reply + texts.ASK_URGENT_BUILDING_AGAIN.format(estate=ctx.directory.estates[estate_id].name,
                                                              building=place.building)
    return reply + asked


def _number(ctx: Context, ticket_id: int) -> str:
    with ctx.tickets.sessions() as session:
        return session.get(Ticket, ticket_id).number


def _located(message: Message, ctx: Context, pending: dict, place) -> str:
    """The emergency's building: it goes to that grid's worker, and so does every report filed with it unplaced."""
    sender, text = message.sender, message.text.strip()
    states.end(ctx, sender)
    if adds_detail(text):
        steps.add_text(ctx.tickets, pending["ticket"], sender, text)  # before it moves, so the task push has it
    ticket, _ = steps.locate(ctx.tickets, pending["ticket"], sender, place.building, place.unit, place.room)
    others = "".join(_locate_each(ctx, sender, pending.get("others", []), place, texts.ALSO_LOCATED))
    if ticket is None or ticket.status not in steps.OPEN:
        return others.lstrip("\n") or _as_new(message, ctx)  # dealt with meanwhile: a message like any other
    if not others:
        return texts.LOCATED.format(place=place_of(ctx, ticket), assignee=assignee_of(ctx, ticket))
    return texts.LATE_LOCATED.format(place=place_of(ctx, ticket), number=ticket.number,
                                     assignee=assignee_of(ctx, ticket)) + others


def _locate_each(ctx: Context, sender: str, waiting: list[dict], place, line: str) -> list[str]:
    """Give the building to tickets filed without one; `line` said of each that moved (not those placed already)."""
    said = []
    for item in waiting:
        ticket, event = steps.locate(ctx.tickets, item["id"], sender, place.building, place.unit, place.room)
        if event is not None:
            said.append(line.format(category=category_name(ctx, ticket.category), number=ticket.number,
                                    place=place_of(ctx, ticket), assignee=assignee_of(ctx, ticket)))
    return said


def _another_meanwhile(message: Message, ctx: Context, pending: dict, estate_id: str | None, known: bool) -> str:
    """Another problem while an emergency waits for its place: its own report, at the building it names; naming
    none, filed now, and placed with the emergency by the next building named. (The caller asks again.)"""
    sender, analysis = message.sender, analysis_of(message, ctx)
    others = pending.get("others", [])
    same = [item for item in others if item["category"] == analysis.category]
    if known and same:
        # "路灯在5号楼": the place of the report filed with the emergency, not the emergency's.
        states.stay(ctx, sender, pending | {"others": [item for item in others if item is not same[0]]})
        placed = "".join(_locate_each(ctx, sender, same[:1], named_place(message.text), texts.ALSO_LOCATED))
        if placed:
            return placed.lstrip("\n")
    elif same:
        # More about the report filed with the emergency, not a second one.
        _, event = steps.add_text(ctx.tickets, same[0]["id"], sender, message.text.strip())
        if event is not None:
            return texts.ADDED.format(number=same[0]["number"])
    report = replace(draft_of(message, ctx), estate_id=estate_id, choices=[])
    if not known:
        report.building = report.unit = report.room = None
    said, ticket = open_report(sender, message.key, ctx, report, ctx.fresh)
    if ticket is not None and not ticket.building:
        states.stay(ctx, sender, pending | {"others": [*others, waiting_place(ticket)]})
    return texts.ALSO_FILED.format(category=category_name(ctx, report.category)) + said


def answers_late(message: Message, ctx: Context) -> Location | None:
    """A building named after a report was filed without one (the answer came late): the place, unless the
    message is another problem of its own."""
    pending, analysis = states.waiting(ctx, message.sender), analysis_of(message, ctx)
    if states.step_of(pending) != UNPLACED:
        return None
    estate_id = pending.get("estate_id") or (ctx.directory.only_estate.id if ctx.directory.only_estate else None)
    place = place_said(message, ctx, estate_id)
    if analysis.urgent or not place.building or not ctx.directory.knows_place(estate_id, place.building):
        return None
    kinds = {item["category"] for item in pending["tickets"]}
    if analysis.intent == "complaint" and not analysis.ambiguous and analysis.category not in kinds:
        return None
    return place


def place_late(message: Message, ctx: Context, place: Location) -> str:
    """Place what was filed without a building: the tickets of the kind the message names, else all of them."""
    pending, sender = states.waiting(ctx, message.sender), message.sender
    states.end(ctx, sender)
    analysis = analysis_of(message, ctx)
    waiting = [item for item in pending["tickets"] if item["category"] == analysis.category] or pending["tickets"]
    if adds_detail(message.text):
        steps.add_text(ctx.tickets, waiting[0]["id"], sender, message.text.strip())
    placed = _locate_each(ctx, sender, waiting, place, texts.LATE_LOCATED)
    return "\n".join(placed) or _as_new(message, ctx)  # placed by staff meanwhile: a message like any other


def _as_new(message: Message, ctx: Context) -> str:
    """The emergency was dealt with meanwhile: the message is read as if nothing were waiting."""
    intent = analysis_of(message, ctx).intent
    if intent == "complaint":
        return start_report(message, ctx)
    return status(message, ctx) if intent == "status_query" else _IN_BETWEEN.get(intent, texts.CHITCHAT)
