"""After the report: the resident's tickets, one ticket by number, cancelling, and the verdict on a fix."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from types import SimpleNamespace

from sqlalchemy import select, update

from bot.domain import steps, texts
from bot.store.models import Follower, Ticket
from bot.domain.status import status_name
from handlers import states
from handlers.base import Context, Filter, Message
from handlers.states import DRAFT_STEPS, LOCATE, RATING_NOTE, VERDICT
from nlp.phrases import (after_joiner, asked_number, asks_after, beyond_pick, cancel_said, choice_index, gives_no_reason,
                         has_words, picks_all, rating_said, says_still_broken)
from handlers.intake import add_words, advice_for, analysis_of, draft_of, new_problem, next_step, start_report
from handlers.tickets import category_name, chase_ticket, my_tickets, place_of, status_line
from handlers.quota import within
from handlers.chase import chase, repeats_own
from handlers.pending import continue_report, question, urgent_followup

NUMBER = re.compile(r"(?<!\d)(1\d{5})(?!\d)")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
RATINGS = {"非常满意": "satisfied", "满意": "satisfied", "基本满意": "basically", "一般": "basically",
           "不满意": "unsatisfied", "不太满意": "unsatisfied"}
VERDICT_WORDS = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}


@dataclass(frozen=True)
class Verdict:
    """What the verdict filter found: the rating, its tickets and where they stand (`_standing`), what was said."""

    rating: str
    tickets: list[Ticket]
    standing: str
    said: str = ""
    number: str | None = None  # the ticket number said with the verdict
    report: str = ""  # the words after the verdict when they tell a problem of their own
    urgent: bool = False  # that problem is an emergency: its answer comes first
    resume: dict | None = None  # past "which ticket?": the question asked before it ({} when none)
    still_broken: bool = False  # "还是有点漏": a 不满意 in other words


@dataclass(frozen=True)
class Cancel:
    """取消, with the ticket number it names (None: which one?)."""

    number: str | None


def own_ticket(ctx: Context, openid: str, number: str) -> Ticket | None:
    """The ticket with this number, if this resident reported or follows it: nobody sees anyone else's."""
    with ctx.tickets.sessions() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        return ticket if ticket is not None and steps.is_party(session, ticket, openid) else None


def plain(text: str) -> str:
    """The text with full-width digits (１０００03, as some phone keyboards type them) made plain."""
    return text.translate(_WIDE_DIGITS)


def asks_one(message: Message, ctx: Context) -> str | None:
    """A ticket number, alone or asked after ("查一下100001"): that ticket, never the list."""
    text = plain(message.text)
    number = asked_number(text)
    if number:
        return number
    numbers = NUMBER.findall(text)
    if len(numbers) == 1 and analysis_of(message, ctx).intent == "status_query":
        # A question after one's own open ticket ("请问100001有人去看了吗") chases it (names_own), not only shows it.
        ticket = own_ticket(ctx, message.sender, numbers[0])
        if ticket is not None and ticket.status in steps.OPEN:
            return None
        return numbers[0]
    return None


def one_ticket(message: Message, ctx: Context, number: str) -> str:
    ticket = own_ticket(ctx, message.sender, number)
    if ticket is None:
        return texts.NOT_YOURS.format(number=number)
    return one_ticket_of(ctx, ticket)


def one_ticket_of(ctx: Context, ticket: Ticket) -> str:
    """Where one of the resident's tickets stands."""
    number = ticket.number
    extra = ""
    if ticket.assignee_name and ticket.status in steps.OPEN:
        extra = f"\n负责人：{ticket.assignee_name}"
    if ticket.resolution_note:
        # Reopened, the last fix is what did not hold, not the ticket's result.
        done = ticket.status in ("resolved", "closed")
        extra += (texts.RESULT if done else texts.LAST_FIX).format(note=ticket.resolution_note)
    if ticket.status == "resolved":
        extra += "\n请回复“满意”“基本满意”或“不满意”评价。"
    return texts.TICKET_DETAIL.format(number=number, category=category_name(ctx, ticket.category),
                                      place=place_of(ctx, ticket), status=status_name(ticket.status,
                                                                                      ticket.reopened_count),
                                      extra=extra)


def names_own(message: Message, ctx: Context) -> Ticket | None:
    """Words about one's own open ticket, named by its number ("100001 现在漏得更厉害了", "请问100001有人去看了吗").
    An emergency while a report is being told is left to that conversation (it files emergencies its own way)."""
    numbers = NUMBER.findall(plain(message.text))
    if len(numbers) != 1:
        return None
    if analysis_of(message, ctx).urgent and states.waits_on(ctx, message.sender, *DRAFT_STEPS):
        return None
    ticket = own_ticket(ctx, message.sender, numbers[0])
    return ticket if ticket is not None and ticket.status in steps.OPEN else None


def about_own(message: Message, ctx: Context, ticket: Ticket) -> str:
    """A question chases the named ticket (催办, its holder is told); news is added to it (补充)."""
    analysis = analysis_of(message, ctx)
    if analysis.urgent:
        return _emergency_about(message, ctx, ticket, analysis)
    if asks_after(message.text) or analysis.intent == "status_query":
        chased = chase_ticket(ctx, message.sender, ticket.id, message.text)
        if chased:
            return chased
    words = NUMBER.sub("", plain(message.text)).strip(" ,，。:：、") or message.text
    return (add_words(ctx, ticket.id, ticket.number, message.sender, words)
            or one_ticket_of(ctx, ctx.tickets.by_number(ticket.number)))  # closed a moment ago: where it stands


def _emergency_about(message: Message, ctx: Context, ticket: Ticket, analysis) -> str:
    """An emergency naming one's ticket: added to it and pushed at once when the ticket is urgent already; else
    reported as an emergency, at the ticket's building unless the words name another."""
    if ticket.urgent:
        steps.add_text(ctx.tickets, ticket.id, message.sender, message.text.strip(),
                       tell=within(ctx, "page", message.sender))
        return (texts.URGENT_PREFIX + advice_for(ctx, ticket.category, analysis.danger) + "\n"
                + texts.URGENT_ADDED.format(number=ticket.number))
    draft = draft_of(message, ctx)
    if not draft.building:
        draft = replace(draft, estate_id=ticket.estate_id, building=ticket.building, unit=ticket.unit,
                        room=ticket.room)
    return next_step(message, ctx, draft)


def asks_cancel(message: Message, ctx: Context) -> Cancel | None:
    cancels, number = cancel_said(plain(message.text))
    return Cancel(number) if cancels else None


def asks_cancel_one(message: Message, ctx: Context) -> Cancel | None:
    """取消 with a ticket number: about that ticket, whatever question is waiting."""
    said = asks_cancel(message, ctx)
    return said if said and said.number is not None else None


def cancel(message: Message, ctx: Context, found: object = None) -> str:
    """取消 <号> cancels the resident's own open ticket; 取消 alone (or the cancel intent) lists what can be."""
    number = found.number if isinstance(found, Cancel) else None
    if number is None:
        open_ones = [(t, f) for t, f in ctx.people.tickets_of(message.sender, limit=10) if t.status in steps.OPEN]
        if not open_ones:
            return texts.NOTHING_TO_CANCEL
        return texts.CANCEL_WHICH.format(lines="\n".join(status_line(ctx, t, f) for t, f in open_ones))
    ticket = own_ticket(ctx, message.sender, number)
    if ticket is None:
        return texts.NOT_YOURS.format(number=number)
    if ticket.resident_openid != message.sender:
        # A follower did not open it: they stop following, the neighbours' ticket goes on.
        with ctx.tickets.sessions() as session:
            row = session.scalar(select(Follower).where(Follower.ticket_id == ticket.id,
                                                        Follower.openid == message.sender))
            if row is not None:
                session.delete(row)
                session.execute(update(Ticket).where(Ticket.id == ticket.id, Ticket.households > 0)
                                .values(households=Ticket.households - 1))
                session.commit()
        return texts.UNFOLLOWED.format(number=number)
    ticket, event = steps.cancel(ctx.tickets, ticket.id, message.sender)
    if event is None and ticket.status != "cancelled":
        return texts.CANNOT_CANCEL.format(number=number, status=texts.STATUS.get(ticket.status, ticket.status))
    return texts.CANCELLED.format(number=number)


def _standing(ctx: Context, openid: str, number: str | None, verdict: str) -> tuple[list[Ticket], str]:
    """The tickets this verdict may be about, and where they stand for this household: "awaits" its verdict
    (several: "which"), "redo" (a neighbour's 不满意 reopened it: only 不满意 is taken), "rated" already,
    "open" (not fixed yet); with no ticket, "none"."""
    window = ctx.settings.config.conversation.rating_window
    tickets = [t for t, _ in ctx.people.tickets_of(openid, limit=10) if number in (None, t.number)]
    candidates = [t for t in tickets if steps.may_await_verdict(t, window)]
    if not candidates and not number and not any(t.status == "closed" for t in tickets):
        return [], "none"  # nothing of theirs was fixed lately: no need to read the verdicts
    with ctx.tickets.sessions() as session:
        awaiting = [t for t in candidates if steps.awaits_verdict(session, t, openid, window)]
        judged = [t for t in tickets if t.status == "closed" or t.reopened_count][:3]
        rated = [] if awaiting else [t for t in judged if _gave_verdict(session, t, openid)][:1]
    redo = [t for t in awaiting if t.status in steps.OPEN]
    if verdict != "unsatisfied":
        awaiting = [t for t in awaiting if t not in redo]
    if awaiting:
        return awaiting, "which" if len(awaiting) > 1 else "awaits"
    if redo:
        return redo[:1], "redo"
    if rated:
        return rated, "rated"
    return (tickets[:1], "open") if number and tickets else ([], "none")


def _gave_verdict(session, ticket: Ticket, openid: str) -> bool:
    round_id = steps.fix_round(session, ticket.id)
    return round_id is not None and steps.gave_verdict(session, ticket.id, openid, round_id)


def _about(analysis, tickets: list) -> list:
    """The tickets the words are about: of their category, at no other building (several: of their subject too)."""
    building, subject = analysis.location.building, analysis.subject
    same = [t for t in tickets if t.category == analysis.category and building in (None, t.building)]
    narrower = [t for t in same if subject and t.subject == subject]
    return narrower if len(same) > 1 and narrower else same


def _judged(analysis, tickets: list, verdict: str) -> list:
    """The tickets whose fix the words after a verdict judge: about their problem, and (after 满意) their thing."""
    same = _about(analysis, tickets) if analysis.intent == "complaint" else []
    if verdict != "unsatisfied" and analysis.subject:
        same = [t for t in same if t.subject in (None, analysis.subject)]  # 满意, 楼道灯也坏了 (the street light's)
    return same


def _tells_report(analysis, tickets: list[Ticket], verdict: str, another: bool) -> bool:
    """The words after a verdict tell a problem of their own, not how the fix went: an emergency, or a complaint
    said as another matter (另外…), or about another kind of problem, building or thing than the tickets rated."""
    if analysis.urgent:
        return True
    if analysis.intent != "complaint" or analysis.category is None:
        return False
    if another:
        return True
    if verdict == "unsatisfied" and (analysis.ambiguous or analysis.category == "property"):
        return False  # 不满意, then the property company's service or words hard to place: that is the reason
    return not _judged(analysis, tickets, verdict)


def rating_reply(message: Message, ctx: Context) -> Verdict | None:
    """满意 / 基本满意 / 不满意: the verdict on a fixed ticket (and what is said after it), an answer to "which
    ticket?", or, said alone, an answer that there is none to give."""
    text = plain(message.text)
    rating = rating_said(text)
    if not rating:
        return _answers_which(message, ctx, text) or _still_broken(message, ctx, text)
    verdict, number, rest = RATINGS[rating[0]], rating[1], rating[2].strip()
    said = rest if has_words(rest) else ""  # "不满意！！！" says no reason
    tickets, standing = _standing(ctx, message.sender, number, verdict)
    if standing not in ("awaits", "which", "redo") and said and not number:
        return None  # "不满意，楼下又漏了" with nothing to rate: a report, read as one
    # The words after the verdict, read on their own: how the fix went, or a report ("另外10号楼井盖松了").
    report, another = after_joiner(said)
    analysis = ctx.analyzer.analyze(report) if report else None
    tells = analysis is not None and _tells_report(analysis, tickets, verdict, another)
    if standing == "which" and analysis is not None and not tells:
        if len(judged := _judged(analysis, tickets, verdict)) == 1:
            tickets, standing = judged, "awaits"  # "不满意 灯还是不亮": the light, not the garbage bin
    # A verdict said afresh replaces a which-ticket question still waiting; what waited under it stands again.
    pending = states.waiting(ctx, message.sender) or {}
    resume = (pending.get("resume") or {}) if states.step_of(pending) == VERDICT else None
    return Verdict(verdict, tickets, standing, said, number, report=report if tells else "",
                   urgent=tells and analysis.urgent, resume=resume)


def _still_broken(message: Message, ctx: Context, text: str) -> Verdict | None:
    """"还是有点漏" while the leak's fix waits for this household's verdict: a 不满意 with those words as its reason,
    when they are about exactly one such ticket (its problem, at no other building) and are no emergency."""
    if ctx.asked_to_rate is False or not says_still_broken(text):
        return None
    analysis = analysis_of(message, ctx)
    if analysis.intent != "complaint" or analysis.urgent:
        return None
    tickets, standing = _standing(ctx, message.sender, None, "unsatisfied")
    about = _about(analysis, tickets) if standing in ("awaits", "which") else []
    if len(about) != 1:
        return None
    return Verdict("unsatisfied", about, "awaits", message.text.strip(), still_broken=True)


def _answers_which(message: Message, ctx: Context, text: str) -> Verdict | None:
    """The answer to "which ticket is the verdict about?"; anything else drops that question, and what was asked
    before it stands again for the handlers after this one."""
    pending = states.waiting(ctx, message.sender)
    if states.step_of(pending) != VERDICT:
        return None
    choices, picked, note = pending["tickets"], None, ""
    numbers = [c["number"] for c in choices]
    index, named = choice_index(text), NUMBER.findall(text)
    if picks_all(text):
        picked = numbers
    elif len(named) == 1 and named[0] in numbers:
        picked = named
    elif index:
        picked = [numbers[index - 1]] if index <= len(numbers) else None
    else:
        analysis = analysis_of(message, ctx)  # an emergency is never an answer: it is read as one
        words = analysis.intent == "complaint" and not analysis.urgent
        about = _about(analysis, [SimpleNamespace(**c) for c in choices]) if words else []
        picked = [about[0].number] if len(about) == 1 else None
        # "灯还是不亮" picks the light and says why; "路灯那个" only picks it.
        note = text.strip() if picked and len(beyond_pick(text)) >= 5 else ""
    if not picked:
        states.restore(ctx, message.sender, pending.get("resume"))
        return None
    tickets = [t for t in (own_ticket(ctx, message.sender, n) for n in picked) if t is not None]
    return Verdict(pending["rating"], tickets, "awaits" if tickets else "none", pending.get("note") or note,
                   resume=pending.get("resume") or {})


def rate(message: Message, ctx: Context, found: Verdict) -> str:
    """The verdict, and the report said after it (an emergency's answer comes first)."""
    if found.resume is not None:  # past "which ticket?": the question asked before it stands again
        states.restore(ctx, message.sender, found.resume)
    rest, said = found.report, found.said
    if rest and _danger_back(ctx, rest, found.tickets):
        rest, said = None, rest  # "不满意 煤气味又出来了": the reason, and the emergency back on its own ticket
    told = report_rest(message, ctx, rest) if rest else None
    note = said if told is None else ""
    reply = _verdict(message, ctx, found, note, quiet=told is not None)
    if found.resume and states.waiting(ctx, message.sender) == found.resume:
        reply += question(ctx, message.sender, found.resume)
    if told is None:
        return reply
    # An emergency's answer comes first; a question about the verdict (which ticket?) comes last, to be answered.
    first = found.urgent or states.waits_on(ctx, message.sender, VERDICT)
    return f"{told}\n\n{reply}" if first else f"{reply}\n\n{told}"


def _danger_back(ctx: Context, rest: str, tickets: list[Ticket]) -> bool:
    """The words after a verdict say the emergency rated is back (the same danger), not a new problem."""
    analysis = ctx.analyzer.analyze(rest)
    return analysis.urgent and any(t.urgent and t.category == analysis.category for t in tickets)


def _verdict(message: Message, ctx: Context, found: Verdict, note: str, quiet: bool) -> str:
    """What the household hears about its verdict; `quiet` when another report's answer follows."""
    standing, tickets, verdict = found.standing, found.tickets, found.rating
    if standing == "none":
        return texts.NOT_YOURS.format(number=found.number) if found.number else texts.NOTHING_TO_RATE
    number = tickets[0].number
    if standing in ("open", "rated", "redo"):
        said = {"open": texts.NOT_YET_RATEABLE, "rated": texts.ALREADY_RATED, "redo": texts.REDO}[standing]
        return said.format(number=number)
    if standing == "which":
        return _ask_which(message, ctx, tickets, verdict, note, quiet)
    quiet = quiet or len(tickets) > 1
    return "\n".join(_give(message, ctx, ticket, verdict, note, quiet, found.still_broken) for ticket in tickets)


def _give(message: Message, ctx: Context, ticket: Ticket, verdict: str, note: str, quiet: bool,
          still_broken: bool = False) -> str:
    """Record one household's verdict on one ticket; after 不满意 with no reason, ask for it (unless `quiet`)."""
    # Slowness or a poor fix is not the danger back: only words that are an emergency again keep it urgent.
    danger_back = bool(note) and analysis_of(replace(message, text=note), replace(ctx, reading=None)).urgent
    ticket, event = steps.rate(ctx.tickets, ticket.id, message.sender, verdict, note, danger_back=danger_back)
    if event is None:
        redo = verdict != "unsatisfied" and ticket.status in steps.OPEN
        return (texts.REDO if redo else texts.ALREADY_RATED).format(number=ticket.number)
    if verdict != "unsatisfied":
        said = texts.RATED_SHORT if quiet else texts.RATED
        return (said if ticket.status == "closed" else texts.RATED_NOTED).format(number=ticket.number)
    if note and event.kind == "rated":
        steps.explain(ctx.tickets, ticket.id, message.sender, note)  # reopened already by a neighbour: pass it on
    if still_broken:
        return texts.STILL_BROKEN.format(number=ticket.number)
    if ticket.urgent:  # the danger is back: the advice first, its holder is told at once by the reopening
        return (texts.URGENT_PREFIX + advice_for(ctx, ticket.category) + "\n"
                + texts.REOPENED_WITH_NOTE.format(number=ticket.number))
    if note or quiet:
        return (texts.REOPENED_WITH_NOTE if note else texts.REOPENED_SHORT).format(number=ticket.number)
    # A question asked before (几号楼？) waits under this one, and stands again once the reason is given.
    states.enter(ctx, message.sender, RATING_NOTE, ticket=ticket.id, number=ticket.number, category=ticket.category,
                 **_waiting(ctx, message.sender))
    return texts.REOPENED.format(number=ticket.number)


def _ask_which(message: Message, ctx: Context, tickets: list[Ticket], verdict: str, note: str, quiet: bool) -> str:
    """Several tickets wait for this household's verdict: ask which, and keep the verdict for the answer."""
    lines = "\n".join(f"{i}. {t.number} {category_name(ctx, t.category)}（{place_of(ctx, t)}）"
                      for i, t in enumerate(tickets, 1))
    if quiet and states.waiting(ctx, message.sender):
        # The report told with the verdict asks its own question: this one is asked with the verdict to repeat.
        return texts.WHICH_TICKET_SAY_AGAIN.format(count=len(tickets), lines=lines, verdict=VERDICT_WORDS[verdict])
    choices = [{"number": t.number, "category": t.category, "building": t.building, "subject": t.subject}
               for t in tickets]
    states.enter(ctx, message.sender, VERDICT, rating=verdict, note=note, tickets=choices,
                 **_waiting(ctx, message.sender))
    return texts.WHICH_TICKET.format(count=len(tickets), lines=lines)


def _waiting(ctx: Context, openid: str) -> dict:
    """The question waiting before this verdict (not a verdict's own question), to stand again after it."""
    waiting = states.waiting(ctx, openid)
    if states.step_of(waiting) in (RATING_NOTE, VERDICT):
        waiting = waiting.get("resume")
    return {"resume": waiting} if states.step_of(waiting) else {}


def rating_note(message: Message, ctx: Context, pending: dict) -> str:
    """Why the resident was not satisfied, in the message after 不满意, unless it is an emergency, a new report,
    a question of theirs (我的工单) or no reason at all (算了, ！！！)."""
    note, resume = message.text.strip(), pending.get("resume")
    states.restore(ctx, message.sender, resume)  # the question we asked before 不满意 stands again
    analysis = analysis_of(message, ctx)
    # A complaint about the property company's service, said right after 不满意, is the reason, not a new report.
    if analysis.urgent or (new_problem(message, ctx, pending.get("category")) and analysis.category != "property"):
        if states.step_of(resume) in DRAFT_STEPS:
            return continue_report(message, ctx, resume)
        if states.step_of(resume) == LOCATE:
            return urgent_followup(message, ctx, resume)
        return start_report(message, ctx)
    number = pending.get("number", "")
    if gives_no_reason(note) or (analysis.intent == "thanks" and len(note) <= 8):
        hint = texts.CANCEL_HOW.format(number=number) if "取消" in note and number else ""
        return texts.NO_REASON.format(number=number) + hint + question(ctx, message.sender, resume)
    if analysis.intent in ("status_query", "greeting", "help") or not has_words(note):
        states.restore(ctx, message.sender, pending)  # answered; the question about the reason still stands
        if analysis.intent == "chitchat":
            return texts.ASK_REASON.format(number=number)  # "！！！": no reason yet
        answer = my_tickets(message, ctx) if analysis.intent == "status_query" else texts.HELP
        return answer + texts.ASK_REASON_AGAIN.format(number=number)
    steps.explain(ctx.tickets, pending["ticket"], message.sender, note)
    return texts.NOTE_PASSED + question(ctx, message.sender, resume)


def report_rest(message: Message, ctx: Context, text: str, rated: Ticket | None = None) -> str | None:
    """File what a message says besides its verdict ("满意 但是6号楼楼道着火了") as a report, when it is one.

    `text` is the rest of `message` once the verdict is taken out. It is read on its own, as if the resident had
    sent it alone: an emergency is filed at once, another problem is filed, or asked about, like any report, and
    a question waiting (几号楼？) takes it as it takes any message. Returns the reply to add after the verdict's,
    or None when the rest reports nothing: thanks, or more about the ticket `rated` (when the caller names it),
    which is the verdict's reason and stays the caller's.
    """
    rest = replace(message, text=text.strip())
    if not rest.text:
        return None
    alone = replace(ctx, reading=None)  # the rest's own reading, not the whole message's
    analysis = analysis_of(rest, alone)
    if analysis.intent != "complaint":
        return None
    if (rated is not None and not analysis.urgent and analysis.category == rated.category
            and analysis.location.building in (None, rated.building)):
        return None
    state = states.waiting(alone, message.sender)
    if states.step_of(state) in DRAFT_STEPS:
        return continue_report(rest, alone, state)
    if states.step_of(state) == LOCATE:
        return urgent_followup(rest, alone, state)
    if chased := repeats_own(rest, alone):
        return chase(rest, alone, chased)
    return start_report(rest, alone)


asks_one_ticket = Filter(asks_one, "asks_one_ticket")
asks_to_cancel = Filter(asks_cancel, "asks_to_cancel")
asks_to_cancel_one = Filter(asks_cancel_one, "asks_to_cancel_one")
names_own_ticket = Filter(names_own, "names_own_ticket")
rates = Filter(rating_reply, "rates")
