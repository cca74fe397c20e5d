"""A report being told is a typed Draft (handlers/draft.py), kept in Redis as JSON. A draft the previous version
stored (a plain dict) still loads: people are mid-conversation while a new version is deployed."""
import time

from handlers.draft import Draft
from bot.store.models import Ticket
from tests.conversation import config_changes, numbers_in, rows, settings, ticket  # noqa: F401
from workers.drafts import file_draft

# Exactly as the version before handlers/draft.py stored them (handlers/intake.py's draft_of, _problem_draft and
# extra_report, pending.continue_report's counters and flags).
OLD_DRAFT = {"id": "9001", "key": "9001", "text": "垃圾桶坏了，井盖也松了", "category": "sanitation", "urgent": False,
             "danger": None, "estate_id": "xingfuyuan", "building": None, "unit": None, "room": None, "tries": 1,
             "media": [], "spot": None, "home_refused": True,
             "also": [{"id": "9001#2", "key": "9001#2", "text": "垃圾桶坏了，井盖也松了", "category": "facilities",
                       "urgent": False, "danger": None, "estate_id": "xingfuyuan", "building": None, "unit": None,
                       "room": None, "media": []}]}
OLD_EXTRA = {"id": "9002", "key": "9002", "text": "路灯不亮", "urgent": False, "media": [], "estate_id": None,
             "category": "lighting", "building": "3", "unit": None, "room": None}


def test_a_draft_stored_by_the_previous_version_loads_with_every_field():
    draft = Draft.from_json(OLD_DRAFT)
    assert (draft.key, draft.category, draft.estate_id, draft.tries, draft.home_refused, draft.choices) == (
        "9001", "sanitation", "xingfuyuan", 1, True, [])
    (other,) = draft.also
    assert isinstance(other, Draft) and (other.key, other.category, other.tries, other.spot) == (
        "9001#2", "facilities", 0, None)
    assert Draft.from_json(OLD_EXTRA).building == "3"


def test_a_draft_comes_back_from_json_as_it_went():
    draft = Draft.from_json(OLD_DRAFT)
    draft.choices = ["sanitation", "facilities"]
    draft.media.append({"kind": "image", "source_key": "9003", "media_id": "m1"})
    assert Draft.from_json(draft.to_json()) == draft
    # What it stores keeps the old keys, so a process of the previous version still running reads it too.
    assert set(OLD_DRAFT) <= set(draft.to_json())


def test_a_key_a_later_version_added_is_ignored():
    assert Draft.from_json(OLD_EXTRA | {"said_by": "neighbour"}).key == "9002"


def test_a_report_half_told_under_the_previous_version_is_answered_and_filed(wechat, runtime):
    runtime.state.set("o_old", {"step": "building", "draft": OLD_DRAFT, "deadline": time.time() + 600})
    reply = wechat.say("5号楼", sender="o_old")
    bin_, cover = (ticket(runtime, n) for n in numbers_in(reply))
    assert (bin_.category, bin_.building, bin_.text) == ("sanitation", "5", "垃圾桶坏了，井盖也松了")
    assert (cover.category, cover.building) == ("facilities", "5")
    assert runtime.state.get("o_old") is None


def test_a_report_left_half_told_under_the_previous_version_is_filed_by_its_job(wechat, runtime):
    runtime.state.set("o_old2", {"step": "building", "draft": OLD_EXTRA | {"estate_id": "xingfuyuan"},
                                 "deadline": time.time() - 1})
    assert file_draft("o_old2", "9002") == "filed"
    (filed,) = rows(runtime, Ticket, Ticket.source_key == "9002")
    assert (filed.category, filed.building, filed.text) == ("lighting", "3", "路灯不亮")
