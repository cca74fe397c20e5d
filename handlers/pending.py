"""While the bot waits for an answer: the answer, more about the problem, another problem, an emergency, or a
question in between (a ticket number, a verdict, 我的工单) that is answered while our question still stands."""
from __future__ import annotations

from bot import steps
from handlers import texts
from handlers.answers import (DONT_KNOW, adds_detail, category_answer, drops, estate_answer, place_first,
                              said_besides_choice, yes_home)
from handlers.base import Callback, Context, Message
from handlers.intake import (advice_for, analysis_of, ask, assignee_of, category_name, draft_of, estate_choices,
                             extra_report, file_report, named_place, new_problem, next_step, open_report, place_of,
                             start_report)

DRAFT_STEPS = ("estate", "building", "home", "category")
_IN_BETWEEN = {"greeting": texts.HELP, "help": texts.HELP, "thanks": texts.THANKS}


def asked_again(ctx: Context, sender: str, pending: dict | None) -> str:
    """The question a pending state waits on, short, to ask again ("" when there is none)."""
    step = (pending or {}).get("step")
    if step == "locate":
        return texts.ASK_URGENT_BUILDING.strip()
    if step not in DRAFT_STEPS:
        return ""
    if step == "category":
        first, second = (category_name(ctx, code) for code in pending["draft"]["choices"])
        return texts.ASK_CATEGORY_SHORT.format(first=first, second=second)
    if step == "estate":
        return texts.ASK_ESTATE_SHORT.format(choices=estate_choices(ctx).split("\n", 1)[1])
    if step == "home" and (home := ctx.people.home(sender)):
        return texts.ASK_HOME_SHORT.format(place=ctx.directory.place(home.estate_id, home.building, home.unit,
                                                                     home.room))
    return texts.ASK_BUILDING_SHORT


def question(ctx: Context, sender: str, pending: dict | None) -> str:
    """The reminder, after an answer in between, of the question still waiting ("" when there is none)."""
    asked = asked_again(ctx, sender, pending)
    if not asked or pending["step"] == "locate":
        return "\n" + asked if asked else ""
    return texts.STILL_ASKING.format(category=category_name(ctx, pending["draft"]["category"]), question=asked)


def still_asking(callback: Callback) -> Callback:
    """Answer a question in between; the question we asked before still stands, and is asked again briefly."""
    def answer(message: Message, ctx: Context) -> str | None:
        before = ctx.state.get(message.sender)
        reply = callback(message, ctx)
        if reply and before and ctx.state.get(message.sender) == before:
            reply += question(ctx, message.sender, before)
        return reply
    return answer


def continue_report(message: Message, ctx: Context) -> str:
    """The resident answers our question about the problem, the estate or the building, or tells us more."""
    from handlers.nudge import status

    pending, sender = ctx.found["pending"], message.sender
    draft, text, step = pending["draft"], message.text.strip(), pending["step"]
    analysis = analysis_of(message, ctx)
    if analysis.urgent:
        return emergency_meanwhile(message, ctx, draft)
    place = named_place(text)
    known = bool(place.building) and ctx.directory.knows_building(draft.get("estate_id"), place.building)
    chosen = category_answer(text, ctx, draft["choices"], analysis) if step == "category" else None
    home = yes_home(text, ctx, sender, draft, step)
    if chosen is None and not home and drops(text, analysis):
        ctx.state.clear(sender)
        return texts.DRAFT_DROPPED
    if not known and not home and chosen is None and analysis.intent in (*_IN_BETWEEN, "status_query"):
        reply = status(message, ctx) if analysis.intent == "status_query" else _IN_BETWEEN[analysis.intent]
        return reply + question(ctx, sender, pending)  # answered, and our question still stands
    other = chosen is None and new_problem(message, ctx, draft["category"])
    if other:
        extra = extra_report(message, ctx, draft.get("estate_id"))
        if extra["building"] and not place_first(text):
            # The building said with another problem is that problem's: filed there now; our question stands.
            said, _ = open_report(sender, message.key, ctx, extra, ctx.fresh)
            return (texts.ALSO_FILED.format(category=category_name(ctx, extra["category"])) + said
                    + question(ctx, sender, pending))
        # Another problem: kept, to be filed with this one once we know where (the answer covers both).
        draft.setdefault("also", []).append(extra)
    elif step == "category" and chosen and said_besides_choice(text, ctx, draft["choices"]):
        draft["text"] = f"{draft['text']}\n补充：{text}"[:4000]
    elif step != "category" and adds_detail(text):
        draft["text"] = f"{draft['text']}\n补充：{text}"[:4000]
    noted = texts.ALSO_NOTED.format(category=category_name(ctx, draft["also"][-1]["category"])) if other else ""
    draft["tries"] = draft.get("tries", 0) + (0 if other else 1)
    gave_up = draft["tries"] >= 2 or any(word in text for word in DONT_KNOW)
    if step == "category":
        if chosen is None and (other or not gave_up):
            return ask(message, ctx, draft, step, noted + asked_again(ctx, sender, pending))
        draft["category"] = chosen or draft["category"]
        draft.pop("choices")
    elif step == "estate":
        estate = estate_answer(text, ctx)
        if estate is None and (other or not gave_up):
            return ask(message, ctx, draft, step, noted + asked_again(ctx, sender, pending) if other
                       else estate_choices(ctx))
        draft["estate_id"] = estate.id if estate else None
        if estate is None:
            return file_report(sender, message.key, ctx, draft)
    elif home:
        draft.update(building=home.building, unit=home.unit, room=home.room)
    elif known:
        draft.update(building=place.building, unit=place.unit or draft.get("unit"),
                     room=place.room or draft.get("room"), asked=True)
    elif gave_up and not other:
        return file_report(sender, message.key, ctx, draft)  # the secretary sorts out where it is
    elif other:
        return ask(message, ctx, draft, step, noted + asked_again(ctx, sender, pending))
    elif place.building and draft.get("estate_id") in ctx.directory.estates:
        estate = ctx.directory.estates[draft["estate_id"]]
        return ask(message, ctx, draft, "building",
                   texts.ASK_BUILDING_AGAIN.format(estate=estate.name, building=place.building))
    else:
        draft["home_refused"] = True
        asked = (texts.ASK_BUILDING.format(category=category_name(ctx, draft["category"])) if step == "home"
                 else texts.NOT_UNDERSTOOD_BUILDING)
        return ask(message, ctx, draft, "building", asked)
    draft["tries"] = 0
    return next_step(message, ctx, draft)


def emergency_meanwhile(message: Message, ctx: Context, draft: dict) -> str:
    """An emergency while we wait on a report: handled at once; the report waiting is filed with it, not lost.

    The same problem becomes one urgent ticket with both messages' words. Another problem gets its own
    urgent ticket, and the report waiting goes with it: at the emergency's building when the message names
    one (the resident was answering "几号楼"), else to the secretary, who places it."""
    urgent = draft_of(message, ctx)
    urgent["estate_id"] = urgent["estate_id"] or draft.get("estate_id")
    known = bool(urgent["building"]) and ctx.directory.knows_building(urgent["estate_id"], urgent["building"])
    waiting = {k: v for k, v in draft.items() if k not in ("also", "choices", "tries")}
    if urgent["category"] == draft["category"]:
        waiting.update(text=f"{draft['text']}\n补充：{message.text}"[:4000], urgent=True, also=draft.get("also", []))
        if urgent["building"]:
            waiting.update(building=urgent["building"], unit=urgent["unit"], room=urgent["room"])
        return next_step(message, ctx, waiting)
    if known and not waiting.get("building"):
        waiting.update(building=urgent["building"], unit=urgent["unit"])
    urgent.pop("choices", None)
    urgent["also"] = [waiting, *draft.get("also", [])]
    return next_step(message, ctx, urgent)


def urgent_followup(message: Message, ctx: Context) -> str:
    """While an emergency waits for its building: the building, and on to that grid's worker; anything else is
    added to the ticket and pushed at once, and the resident hears that help is on its way."""
    pending, text, sender = ctx.found["pending"], message.text.strip(), message.sender
    ticket_id, category = pending["ticket"], pending.get("category")
    estate_id = pending["estate_id"] if "estate_id" in pending else (
        ctx.directory.only_estate.id if ctx.directory.only_estate else None)
    place = named_place(text)
    known = bool(place.building) and ctx.directory.knows_building(estate_id, place.building)
    analysis = analysis_of(message, ctx)
    if known:
        ctx.state.clear(sender)
        other = not analysis.urgent and new_problem(message, ctx, category)
        if adds_detail(text) and not other:
            steps.add_text(ctx.tickets, ticket_id, sender, text)  # before it moves, so the task push has it
        ticket, _ = steps.locate(ctx.tickets, ticket_id, sender, place.building, place.unit, place.room)
        if ticket is None or ticket.status not in steps.OPEN:
            return _as_new(message, ctx)  # dealt with meanwhile: a message like any other
        reply = texts.LOCATED.format(place=place_of(ctx, ticket), assignee=assignee_of(ctx, ticket))
        if other:
            said = file_report(sender, message.key, ctx, draft_of(message, ctx))
            reply += "\n\n" + texts.ALSO_FILED.format(category=category_name(ctx, analysis.category)) + said
        return reply
    if analysis.intent not in ("thanks", "greeting"):
        ticket, _ = steps.add_text(ctx.tickets, ticket_id, sender, text, tell=True)
        if ticket is None or ticket.status not in steps.OPEN:
            ctx.state.clear(sender)
            return _as_new(message, ctx)
    advice = advice_for(ctx, analysis.category, analysis.danger) if analysis.urgent and analysis.category != category else ""
    reply = texts.URGENT_PREFIX + advice + "\n" if advice else ""
    if any(word in text for word in DONT_KNOW):
        ctx.state.set(sender, pending | {"unknown": True})  # still theirs: more words go on to the ticket
        return reply + texts.URGENT_PLACE_UNKNOWN
    reply += texts.URGENT_NOTED
    if place.building and estate_id in ctx.directory.estates:
        return reply + texts.ASK_URGENT_BUILDING_AGAIN.format(estate=ctx.directory.estates[estate_id].name,
                                                              building=place.building)
    return reply if pending.get("unknown") else reply + texts.ASK_URGENT_BUILDING


def _as_new(message: Message, ctx: Context) -> str:
    """The emergency was dealt with meanwhile: the message is read as if nothing were waiting."""
    from handlers.followup import my_tickets

    intent = analysis_of(message, ctx).intent
    if intent == "complaint":
        return start_report(message, ctx)
    return my_tickets(message, ctx) if intent == "status_query" else _IN_BETWEEN.get(intent, texts.CHITCHAT)
