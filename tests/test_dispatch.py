"""A filter returns what it found and the dispatcher hands it to the callback (handlers/base.py), as
python-telegram-bot's check_update result goes to handle_update: nothing passes through the Context."""
import dataclasses

from bot.domain.message import Message
from handlers.base import Context, Filter, Handler, dispatch

MESSAGE = Message(sender="o_1", type="text", key="1", text="3号楼漏水")


def answered(handlers):
    """What the first matching handler's callback was handed."""
    return dispatch(handlers, MESSAGE, ctx=None, on_error=lambda exc, message: f"error: {exc!r}")


def handed(message, ctx, found):
    return found


finds_ticket = Filter(lambda m, c: {"ticket": 7}, "ticket")
matches = Filter(lambda m, c: True, "matches")
finds_nothing = Filter(lambda m, c: None, "nothing")


def test_the_callback_is_handed_what_its_filter_found():
    assert answered([Handler(finds_ticket, handed)]) == {"ticket": 7}
    assert answered([Handler(matches, handed)]) is True


def test_and_hands_on_the_finding_of_the_filter_that_found_something():
    assert answered([Handler(matches & finds_ticket, handed)]) == {"ticket": 7}
    assert answered([Handler(finds_ticket & matches, handed)]) == {"ticket": 7}
    assert answered([Handler(finds_ticket & ~finds_nothing, handed)]) == {"ticket": 7}
    assert answered([Handler(finds_ticket | matches, handed)]) == {"ticket": 7}


def test_a_filter_that_does_not_match_hands_nothing_to_the_next_handler():
    later = Filter(lambda m, c: "later", "later")
    assert answered([Handler(finds_ticket & finds_nothing, handed), Handler(later, handed)]) == "later"
    assert answered([Handler(finds_nothing, handed)]) is None


def test_the_context_has_no_shared_dict_of_findings():
    assert "found" not in {field.name for field in dataclasses.fields(Context)}
