"""A resident reports a problem: find what and where, ask what is missing, then open or join a ticket."""
from __future__ import annotations

import time
from dataclasses import replace

from bot.domain import steps
from bot.store.models import Ticket
from bot.domain.people import Home
from bot.store.tickets import Report
from bot.domain import texts
from handlers import states
from handlers.base import Context, Message
from handlers.draft import Draft
from handlers.quota import no_more_tickets, within
from nlp.subject import name_of as subject_name
from nlp.subject import subject_of
from handlers.tickets import assignee_of, category_name, chase_reply, chase_ticket, place_of
from nlp import Location, parse_location
from nlp.phrases import about_place, bare_number, clarifies, says_home

DRAFT_JOB = "workers.drafts.file_draft"


def analysis_of(message: Message, ctx: Context):
    """Read the message once per request; filters and callbacks share the result."""
    if ctx.reading is None:
        ctx.reading = (message.key, ctx.analyzer.analyze(message.text))
    return ctx.reading[1]


def advice_for(ctx: Context, category: str, danger: str | None = None) -> str:
    """The safety advice for an emergency: for its kind of danger (sparks: electric), else its category's."""
    advice = ctx.settings.config.advice
    return (danger and advice.get(danger)) or advice.get(category) or advice.get("default", "")


def accepted(ctx: Context, ticket, danger: str | None = None) -> str:
    """The answer that names the ticket number and who has it (safety advice first when urgent)."""
    reply = texts.ACCEPTED.format(number=ticket.number, category=category_name(ctx, ticket.category),
                                  place=place_of(ctx, ticket), assignee=assignee_of(ctx, ticket))
    if not ticket.urgent:
        return reply
    advice = advice_for(ctx, ticket.category, danger)
    return texts.URGENT_PREFIX + (advice + "\n" if advice else "") + reply


def file_report(sender: str, key: str, ctx: Context, draft: Draft) -> str:
    """File the report (and any other problem told with it), say so, and ask where an emergency is if unknown.

    Whatever is filed without a building waits for one: the next building the resident names places every
    such ticket (the emergency's question, or a late answer to the question that went unanswered)."""
    states.end(ctx, sender)
    fresh = ctx.fresh
    if any(extra.key == key for extra in draft.also):
        # This message opens the other problem's ticket: the draft's is keyed by the message that told it.
        key, fresh = draft.key, False
    reply, ticket = open_report(sender, key, ctx, draft, fresh)
    unplaced = []
    for extra in draft.also:
        extra = replace(extra, estate_id=extra.estate_id or draft.estate_id)
        if not extra.building:
            extra = replace(extra, building=draft.building, unit=draft.unit, room=draft.room)
        said, opened = open_report(sender, extra.key, ctx, extra, fresh=False)
        reply += "\n\n" + texts.ALSO_FILED.format(category=category_name(ctx, extra.category)) + said
        if opened is not None and not opened.building:
            unplaced.append(waiting_place(opened))
    # The building they answered 几号楼 with (or said is theirs) is home, whichever ticket the report opened or joined.
    estate_id = draft.estate_id or (ticket.estate_id if ticket else None)
    if (draft.building and ctx.directory.knows_building(estate_id, draft.building)
            and (draft.asked or says_home(draft.text or ""))):
        ctx.people.bind_home(sender, Home(estate_id, draft.building, draft.unit, draft.room), only_if_none=True)
    if ticket is None:
        return reply
    remember(ctx, sender, ticket)
    if ticket.urgent and not ticket.building:
        # An emergency is never held for a question: opened now, the building is asked after.
        states.enter(ctx, sender, states.LOCATE, ticket=ticket.id, number=ticket.number, category=ticket.category,
                     estate_id=ticket.estate_id, others=unplaced)
        named, estate = draft.named_building, ctx.directory.estates.get(ticket.estate_id or "")
        reply += (texts.ASK_URGENT_BUILDING_AGAIN.format(estate=estate.name, building=named) if named and estate
                  else texts.ASK_URGENT_BUILDING)
    elif not ticket.building:
        states.enter(ctx, sender, states.UNPLACED, tickets=[waiting_place(ticket), *unplaced],
                     estate_id=ticket.estate_id)
    return reply


def waiting_place(ticket) -> dict:
    """What the conversation keeps of a ticket filed without a building, to place it when one is named."""
    return {"id": ticket.id, "number": ticket.number, "category": ticket.category}


def remember(ctx: Context, sender: str, ticket) -> None:
    """The resident's newest ticket: their next words and photos about it are added to it."""
    ctx.recent.set(sender, {"ticket": ticket.id, "number": ticket.number, "category": ticket.category,
                            "building": ticket.building, "subject": ticket.subject})


def open_report(sender: str, key: str, ctx: Context, draft: Draft, fresh: bool) -> tuple[str, Ticket | None]:
    """Open the ticket (or join the neighbour's), attach what came with it; the reply, and the ticket when it is
    the resident's own new one."""
    # A retry of the message that already opened it; on a message's first sight (fresh) there is none.
    ticket = None if fresh else ctx.tickets.by_source(key)
    # What exactly is broken: from this message's analysis when it told this report, else from the report's text.
    analysis = ctx.reading[1] if ctx.reading and ctx.reading[0] == draft.key else None
    subject = (analysis.subject if analysis is not None and analysis.category == draft.category
               else subject_of(draft.text, draft.category))
    # Twice at most: when neighbours write at the same moment, the first opens the ticket and the others,
    # finding it opened while they looked, join it (the store checks again under its write lock).
    for attempt in range(2):
        if ticket is not None:
            break
        # A neighbour's ticket they already follow: telling it again chases it, in the same write.
        duplicate, _, chased = (ctx.tickets.join_or_chase(
            sender, draft.text, estate_id=draft.estate_id, building=draft.building,
            category=draft.category, subject=subject, unit=draft.unit, urgent=draft.urgent,
            chase=ctx.settings.config.conversation.addendum_window if fresh else None)
                                if draft.building else (None, None, None))
        if chased:
            _attach_media(ctx, duplicate.id, sender, draft.media)
            return _urgent_first(ctx, draft, chase_reply(ctx, duplicate)), None
        if duplicate is not None and duplicate.resident_openid != sender:
            _attach_media(ctx, duplicate.id, sender, draft.media)
            named = subject_name(duplicate.subject)  # the neighbour's words say what they joined, and whether it fits
            reply = texts.DUPLICATE_JOINED.format(number=duplicate.number, place=place_of(ctx, duplicate),
                                                  category=named or category_name(ctx, duplicate.category))
            if named and not subject:
                reply += texts.DUPLICATE_NOT_SURE.format(subject=named)
            return _urgent_first(ctx, draft, reply), None
        if duplicate is not None:
            # Their own open ticket: this adds to it, unless this very message opened it (Redis forgot the claim).
            ticket = ctx.tickets.by_source(key) if fresh else None
            if ticket is None:
                # Told again once the ticket is no longer the one just opened: the resident is chasing it.
                _attach_media(ctx, duplicate.id, sender, draft.media)
                chased = chase_ticket(ctx, sender, duplicate.id, draft.text)
                return (_urgent_first(ctx, draft, chased) if chased
                        else texts.ALREADY_REPORTED.format(number=duplicate.number)), None
            break
        if attempt == 0 and not within(ctx, "ticket", sender):
            reply, kept_on = no_more_tickets(ctx, sender, draft.text)
            if kept_on is not None:
                _attach_media(ctx, kept_on, sender, draft.media)
            return _urgent_first(ctx, draft, reply), None
        ticket, new = ctx.tickets.open(Report(
            resident=sender, text=draft.text, category=draft.category, urgent=draft.urgent,
            estate_id=draft.estate_id, building=draft.building, unit=draft.unit,
            room=draft.room, source_key=key, subject=subject), unless_open_same=attempt == 0)
        if new and ticket.urgent:
            steps.alert(ctx.tickets, ticket.id, page=within(ctx, "page", sender))
    _attach_media(ctx, ticket.id, sender, draft.media)
    return accepted(ctx, ticket, draft.danger), ticket


def _urgent_first(ctx: Context, draft: Draft, reply: str) -> str:
    """An emergency's advice comes before anything else said about it."""
    if not draft.urgent:
        return reply
    return texts.URGENT_PREFIX + advice_for(ctx, draft.category, draft.danger) + "\n" + reply


def _attach_media(ctx: Context, ticket_id: int, sender: str, media: list[dict[str, str]]) -> None:
    for item in media:
        steps.attach(ctx.tickets, ticket_id, sender, **item)


def ask(message: Message, ctx: Context, draft: Draft, step: str, question: str) -> str:
    """Keep the draft and ask; a draft we cannot keep (Redis down) or never hear back on is filed anyway."""
    deadline = time.time() + ctx.settings.config.conversation.draft_timeout.total_seconds()
    saved = states.enter(ctx, message.sender, step, draft=draft.to_json(), deadline=deadline)
    if not saved or not ctx.schedule(ctx.settings.config.conversation.draft_timeout, DRAFT_JOB,
                                     message.sender, draft.key):
        return file_report(message.sender, message.key, ctx, draft)
    return question


def estate_choices(ctx: Context) -> str:
    return texts.ASK_ESTATE.format(
        choices="\n".join(f"{i}. {e.name}" for i, e in enumerate(ctx.directory.estates.values(), 1)))


def next_step(message: Message, ctx: Context, draft: Draft) -> str:
    """Ask for what is missing (which problem, which estate, which building), or file the report."""
    _unknown_building(ctx, draft)
    if draft.urgent:
        return file_report(message.sender, message.key, ctx, draft)
    if draft.choices:
        first, second = (category_name(ctx, code) for code in draft.choices)
        return ask(message, ctx, draft, states.CATEGORY, texts.ASK_CATEGORY.format(first=first, second=second))
    if draft.estate_id is None and ctx.directory.estates:
        return ask(message, ctx, draft, states.ESTATE, estate_choices(ctx))
    if not draft.building and draft.spot:
        return file_report(message.sender, message.key, ctx, draft)  # a place the estate does not list: the secretary's
    if not draft.building:
        home = ctx.people.home(message.sender)
        category = category_name(ctx, draft.category)
        if named := draft.named_building:
            estate = ctx.directory.estates[draft.estate_id]
            return ask(message, ctx, draft, states.BUILDING, texts.UNDERSTOOD.format(category=category)
                       + texts.ASK_BUILDING_AGAIN.format(estate=estate.name, building=named))
        if home and home.estate_id == draft.estate_id and not draft.home_refused:
            place = ctx.directory.place(home.estate_id, home.building, home.unit, home.room)
            return ask(message, ctx, draft, states.HOME, texts.ASK_HOME.format(category=category, place=place))
        return ask(message, ctx, draft, states.BUILDING, texts.ASK_BUILDING.format(category=category))
    return file_report(message.sender, message.key, ctx, draft)


def _unknown_building(ctx: Context, draft: Draft) -> None:
    """A building the estate does not have (a slip of the finger) is taken out of the draft, to be asked again."""
    building, estate_id = draft.building, draft.estate_id
    if building and estate_id in ctx.directory.estates and not ctx.directory.knows_place(estate_id, building):
        draft.building = draft.unit = draft.room = None
        draft.named_building = building


def fits_recent(message: Message, ctx: Context, analysis) -> dict | None:
    """The ticket just opened, when this message is more about it (same kind, place and thing), else None."""
    recent = ctx.recent.get(message.sender)
    if not recent or analysis.category != recent["category"] or analysis.urgent:
        return None
    if analysis.location.building and analysis.location.building != recent["building"]:
        return None
    if analysis.subject and recent.get("subject") and analysis.subject != recent["subject"]:
        return None  # the same kind of problem but another thing: the door access, then a loose manhole cover
    return recent


def adds_to_recent(message: Message, ctx: Context) -> dict | None:
    """The ticket just opened, when this message is more about it (filter: `start_report` adds the words)."""
    return fits_recent(message, ctx, analysis_of(message, ctx))


def added_to_recent(message: Message, ctx: Context, analysis) -> str | None:
    """A second message about the ticket just opened adds to it instead of opening another."""
    recent = fits_recent(message, ctx, analysis)
    if recent is None:
        return None
    if not ctx.fresh and ctx.tickets.by_source(message.key) is not None:
        return None  # a retry of the message that opened that very ticket
    return add_words(ctx, recent["ticket"], recent["number"], message.sender, message.text)


def corrects_recent(message: Message, ctx: Context) -> dict | None:
    """Words putting right the report just filed (我说的是楼下的健身器材), while it is fresh: that ticket (as
    `remember` keeps it)."""
    if not clarifies(message.text) or ctx.recent is None or analysis_of(message, ctx).urgent:
        return None
    return ctx.recent.get(message.sender)


def add_correction(message: Message, ctx: Context, recent: dict) -> str:
    """The correction goes on the ticket it is about, for whoever holds it to read."""
    return (add_words(ctx, recent["ticket"], recent["number"], message.sender, message.text.strip())
            or start_report(message, ctx))  # closed meanwhile: a report like any other


def add_words(ctx: Context, ticket_id: int, number: str, sender: str, text: str) -> str | None:
    """Add a resident's words to their open ticket and say so; None when the ticket is no longer open."""
    ticket, event = steps.add_text(ctx.tickets, ticket_id, sender, text)
    if event is None and ticket is not None and ticket.status in steps.OPEN:
        return texts.ALREADY_REPORTED.format(number=number)  # the very words the ticket has
    return texts.ADDED.format(number=number) if event else None


def draft_of(message: Message, ctx: Context) -> Draft:
    """What one message reports, as a draft: the problem, where, and whether it is an emergency."""
    analysis = analysis_of(message, ctx)
    estate = ctx.directory.estate_of(message.text)
    location = analysis.location
    building = location.building or ctx.directory.find_spot(estate.id if estate else None, location.spot)
    draft = Draft(key=message.key, text=message.text, category=analysis.category or "other",
                  urgent=bool(analysis.urgent), danger=analysis.danger, estate_id=estate.id if estate else None,
                  building=building, unit=location.unit, room=location.room, spot=location.spot)
    if len(analysis.problems) > 1 and any(p.urgent or subject_of(message.text, p.category) is not None
                                          for p in analysis.problems[1:]):
        # Several problems told at once: one ticket each, filed with the first (each at the building it names).
        # Each named by what is broken (垃圾桶, 井盖): a clause the reader took for a problem with no thing named
        # in it ("1楼的也下不去") is words about the first.
        draft.also = [_problem_draft(message, ctx, draft, n, problem)
                         for n, problem in enumerate(analysis.problems[1:], 2)
                         if problem.urgent or subject_of(message.text, problem.category) is not None]
    elif (analysis.ambiguous and analysis.runner_up and analysis.runner_up != draft.category
          and "other" not in (draft.category, analysis.runner_up)):  # 其他 is no choice: 都不是 is offered anyway
        draft.choices = [draft.category, analysis.runner_up]
    if message.type == "voice" and message.media_id:
        draft.media.append({"kind": "voice", "source_key": message.key, "media_id": message.media_id})
    return draft


def _problem_draft(message: Message, ctx: Context, draft: Draft, n: int, problem) -> Draft:
    """Another problem of the same message, as a draft of its own (keyed apart, so it is opened once)."""
    location = problem.location
    building = location.building or ctx.directory.find_spot(draft.estate_id, location.spot)
    return Draft(key=f"{message.key}#{n}", text=message.text, category=problem.category, urgent=bool(problem.urgent),
                 estate_id=draft.estate_id, building=building, unit=location.unit, room=location.room)


def kept_media(ctx: Context, sender: str) -> list[dict]:
    """Photos sent before any words (kept a short while in the conversation state), to go with the report."""
    pending = states.waiting(ctx, sender)
    if states.step_of(pending) == states.MEDIA and pending.get("until", 0) > time.time():
        return pending["media"]
    return []


def start_report(message: Message, ctx: Context, found: object = None) -> str:
    analysis = analysis_of(message, ctx)
    media = kept_media(ctx, message.sender)
    added = added_to_recent(message, ctx, analysis)
    if added:
        if media:
            states.end(ctx, message.sender)  # the photos kept go with the ticket
            _attach_media(ctx, ctx.recent.get(message.sender)["ticket"], message.sender, media)
        return added
    draft = draft_of(message, ctx)
    draft.media = media + draft.media
    return next_step(message, ctx, draft)


def unsure_report(message: Message, ctx: Context) -> bool:
    """Read as a report, yet the reader is unsure it reports anything and it names no building, room or place: ask
    (a thing alone is no report: "漏水停水都是家常便饭")."""
    analysis = analysis_of(message, ctx)
    location = analysis.location
    return (analysis.intent == "complaint" and analysis.intent_unsure and not analysis.urgent
            and not (location or location.spot) and not kept_media(ctx, message.sender))


def ask_report_or_not(message: Message, ctx: Context, found: object = None) -> str:
    """Ask whether the words report a problem (issue #21: ask rather than file); kept as long as a draft is."""
    until = time.time() + ctx.settings.config.conversation.draft_timeout.total_seconds()
    if not states.enter(ctx, message.sender, states.REPORT_OR_NOT, text=message.text, key=message.key, until=until):
        return start_report(message, ctx)  # Redis down: nothing to hold the words, so read them as a report
    return texts.REPORT_OR_NOT


def new_problem(message: Message, ctx: Context, category: str | None) -> bool:
    """The message tells a problem of its own: confidently another category, and not words about where."""
    analysis = analysis_of(message, ctx)
    return (analysis.intent == "complaint" and not analysis.ambiguous and analysis.category not in (None, category)
            and not about_place(message.text) and not clarifies(message.text))


def extra_report(message: Message, ctx: Context, estate_id: str | None) -> Draft:
    """The other problem a message tells while we wait for an answer about the first, to be filed with it."""
    analysis = analysis_of(message, ctx)
    location = analysis.location
    known = bool(location.building) and ctx.directory.knows_building(estate_id, location.building)
    return Draft(key=message.key, text=message.text, category=analysis.category or "other", estate_id=estate_id,
                 building=location.building if known else None, unit=location.unit if known else None,
                 room=location.room if known else None)


def place_said(message: Message, ctx: Context, estate_id: str | None):
    """The building a message names (named_place), else the estate's spot it names (大门口), as the building."""
    place = named_place(message.text)
    if place.building:
        return place

    spot = ctx.directory.find_spot(estate_id, analysis_of(message, ctx).location.spot, message.text)
    return Location(building=spot) if spot else place


def named_place(text: str):
    """The building (unit, room) a message names, a bare "5" or "5号" included; the building may be unknown."""
    bare = bare_number(text)
    location = parse_location(text)
    building = location.building or (bare.upper() if bare else None)
    return Location(building=building, unit=location.unit, room=location.room)
