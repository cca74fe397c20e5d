"""The conversation's states in one table: what each waits for, which callbacks answer it, and where it may lead.

As python-telegram-bot's ConversationHandler keeps them: a person's state is one Redis value whose `step` names
the question waiting; every change of it goes through `enter`, `stay`, `restore` or `end` here, and a change the
table does not list is logged (the conversation goes on as the callback chose)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from handlers.base import Context, Filter, Message

log = logging.getLogger("minhu.states")

# The steps: the question a person's state waits on.
ESTATE, BUILDING, HOME, CATEGORY = "estate", "building", "home", "category"
LOCATE, UNPLACED = "locate", "unplaced"
VERDICT, RATING_NOTE = "verdict", "rating_note"
BIND, MEDIA, STAFF = "bind", "media", "staff"
# Whether words the reader is unsure report anything do (回复1 反映问题 / 2 其他).
REPORT_OR_NOT = "report_or_not"
# A report being told: its draft rides along in the state.
DRAFT_STEPS = (ESTATE, BUILDING, HOME, CATEGORY)
# A verdict's own questions: whatever waited before them rides along (`resume`) and stands again after them.
ASIDE = (VERDICT, RATING_NOTE)


@dataclass(frozen=True)
class State:
    """One step: what it waits for, the callbacks that answer it (module.function), the steps it may lead to."""

    waits_for: str
    answered_by: tuple[str, ...]
    then: frozenset[str]


# Any question may give way to a report's next question (a new report replaces what waited), to a verdict's own
# questions, or to the menu's 绑定住址; every step may end (nothing waits). An emergency or a report filed without
# a building waits for it only once the report's own state has ended; photos sent first and a grid worker's
# photo never replace another question; a verdict's questions give back whatever waited under them.
_ANY_QUESTION = frozenset({*DRAFT_STEPS, *ASIDE, BIND})
_EVERY = frozenset({*DRAFT_STEPS, *ASIDE, LOCATE, UNPLACED, BIND, MEDIA, STAFF, REPORT_OR_NOT})
TABLE: dict[str | None, State] = {
    None: State("nothing: the message is read afresh", (), _EVERY),
    ESTATE: State("which estate the report is in", ("pending.continue_report",), _ANY_QUESTION),
    BUILDING: State("which building the report is at", ("pending.continue_report",), _ANY_QUESTION),
    HOME: State("yes, the report is at the resident's home", ("pending.continue_report",), _ANY_QUESTION),
    CATEGORY: State("which of two kinds of problem the report is", ("pending.continue_report",), _ANY_QUESTION),
    LOCATE: State("the building of an emergency filed without one", ("pending.urgent_followup",), _ANY_QUESTION),
    UNPLACED: State("the building of a report filed without one when nobody answered", ("pending.place_late",),
                    _ANY_QUESTION),
    VERDICT: State("which ticket a verdict is about", ("followup.rate",), _EVERY),
    RATING_NOTE: State("why the resident was not satisfied", ("followup.rating_note",), _EVERY),
    BIND: State("the home address to bind", ("account.bind_address",), _ANY_QUESTION),
    MEDIA: State("the words that go with photos sent first", ("intake.start_report", "chase.chase", "resident.chitchat"),
                 _ANY_QUESTION | {MEDIA}),
    REPORT_OR_NOT: State("whether words that name nothing report a problem (1) or not (2)",
                         ("pending.report_or_not",), _ANY_QUESTION),
    STAFF: State("a grid worker's photo for the ticket they act on", ("staff_commands.photo",),
                 _ANY_QUESTION | {STAFF}),
}


def step_of(state: dict[str, Any] | None) -> str | None:
    """The step a stored state waits on (None when nothing waits)."""
    return state.get("step") if state else None


def waiting(ctx: Context, sender: str) -> dict[str, Any] | None:
    """The person's state: the question waiting and what rides with it."""
    return ctx.state.get(sender)


def waits_on(ctx: Context, sender: str, *steps: str) -> bool:
    """The person's state waits on one of these steps."""
    return step_of(ctx.state.get(sender)) in steps


def _moved(ctx: Context, sender: str, step: str | None) -> None:
    before = step_of(ctx.state.get(sender))
    if step is not None and step not in TABLE[before].then:
        log.warning("conversation moved from %s to %s, which handlers/states.py does not list", before, step)


def enter(ctx: Context, sender: str, step: str, **data: Any) -> bool:
    """Wait on `step` with what rides along; False when the state could not be kept (Redis down)."""
    if step not in TABLE or step is None:
        raise ValueError(f"unknown conversation step {step!r}")
    _moved(ctx, sender, step)
    return ctx.state.set(sender, {"step": step, **data})


def stay(ctx: Context, sender: str, state: dict[str, Any]) -> bool:
    """Keep waiting on the same step, with what rides along changed (another photo, a try counted)."""
    return ctx.state.set(sender, state)


def restore(ctx: Context, sender: str, saved: dict[str, Any] | None) -> None:
    """Put back a state kept aside (the question asked before a verdict's own), or end when there is none."""
    if saved:
        _moved(ctx, sender, step_of(saved))
        ctx.state.set(sender, saved)
    else:
        ctx.state.clear(sender)


def end(ctx: Context, sender: str) -> None:
    """Nothing waits any more."""
    ctx.state.clear(sender)


def awaiting(*steps: str) -> Filter:
    """The person is answering a question we asked: the state waiting is what the filter finds."""
    unknown = [step for step in steps if step not in TABLE]
    if unknown:
        raise ValueError(f"unknown conversation steps {unknown}")

    def check(message: Message, ctx: Context) -> dict[str, Any] | None:
        pending = ctx.state.get(message.sender)
        return pending if step_of(pending) in steps else None
    return Filter(check, f"awaiting:{'|'.join(steps)}")
