"""The conversation's states are one table (handlers/states.py): the handler list answers each step as it says,
and a move the table does not list is logged (every test fails on one, tests/conftest.py)."""
import logging
import re

import pytest

from handlers import build_handlers, states


def test_the_handler_list_answers_each_waiting_step_as_the_table_says():
    answering: dict[str, set[str]] = {}
    for handler in build_handlers():
        for steps in re.findall(r"(?<!~)awaiting:([a-z_|]+)", handler.filter.name):
            for step in steps.split("|"):
                answering.setdefault(step, set()).add(
                    f"{handler.callback.__module__.removeprefix('handlers.')}.{handler.callback.__name__}")
    assert answering, "no handler waits on a step"
    for step, callbacks in answering.items():
        assert callbacks == set(states.TABLE[step].answered_by), step
    # Photos sent first go with the words that follow them, whatever those are; "which ticket?" is answered through
    # followup.rates, which reads a verdict said afresh as well.
    read_elsewhere = {states.MEDIA, states.VERDICT}
    assert set(answering) | read_elsewhere == set(states.TABLE) - {None}


def test_every_step_may_end_and_every_step_named_is_in_the_table():
    for state in states.TABLE.values():
        assert state.then <= set(states.TABLE) - {None}
    with pytest.raises(ValueError):
        states.awaiting("nudge")


class _Store:
    def __init__(self, known):
        self.known = known

    def get(self, openid):
        return self.known

    def set(self, openid, state):
        self.known = state
        return True

    def clear(self, openid):
        self.known = None


def test_a_move_the_table_does_not_list_is_logged_and_still_made(caplog):
    ctx = type("Ctx", (), {})()
    ctx.state = _Store({"step": states.LOCATE, "ticket": 1})
    with caplog.at_level(logging.WARNING, logger="minhu.states"):
        assert states.enter(ctx, "o_1", states.MEDIA, media=[])  # photos never replace an emergency's question
    assert ctx.state.known == {"step": states.MEDIA, "media": []}
    assert [r.getMessage() for r in caplog.records if r.name == "minhu.states"] == [
        "conversation moved from locate to media, which handlers/states.py does not list"]
    caplog.clear()
    states.enter(ctx, "o_1", states.BUILDING, draft={})  # a new report's question may replace photos kept
    assert not caplog.records
