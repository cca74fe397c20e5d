"""How an answer to one of our questions is read: the kind picked, yes to the home, the place and what is said
besides it, and the report called off. Pure functions of the words (and the resident's home)."""
from __future__ import annotations

from handlers.base import Context
from handlers.draft import Draft
from handlers.intake import named_place
from handlers.states import BUILDING, HOME
from handlers.tickets import category_name
from nlp.phrases import (beyond_place, bare_number, clarifies, first_clause, means_my_home, picks_first,
                         picks_neither, picks_second, says_yes)

DONT_KNOW = ("不知道", "不清楚", "不记得")
_DROP = ("算了", "不用了", "不报了", "取消")
def drops(text: str, analysis) -> bool:
    """The resident calls it off: 算了, 不报了, or at more length (算了吧，反正也没人管); not 发错了，是5号楼."""
    if named_place(text).building:
        return False
    return analysis.intent == "cancel" or (any(word in text for word in _DROP) and len(text) <= 6)


def adds_detail(text: str) -> bool:
    """The answer says more than where (三天了, 味道很大): worth adding to the report's text."""
    return len(beyond_place(text)) >= 3


def category_answer(text: str, ctx: Context, choices: list[str], analysis) -> str | None:
    """The kind the resident picks: by number or order, by name, 都不是 (the kind their words say, else 其他), or
    one of the two said in words (燃气的); None when the message does not answer."""
    text = text.strip()
    if picks_neither(text):
        confident = analysis.intent == "complaint" and not analysis.ambiguous
        return analysis.category if confident and analysis.category not in (*choices, None) else "other"
    if picks_first(text) or picks_second(text):
        return choices[0] if picks_first(text) else choices[1]
    for i, code in enumerate(choices, 1):
        if text in (str(i), f"{i}.") or category_name(ctx, code) in text or text in category_name(ctx, code):
            return code
    if analysis.intent == "complaint" and analysis.category in choices:
        return analysis.category
    if clarifies(text) and analysis.intent == "complaint" and analysis.category:
        return analysis.category  # "我说的是楼下的健身器材": the kind its words name, put right
    return None


def said_besides_choice(text: str, ctx: Context, choices: list[str]) -> bool:
    """The answer to the category question says something of its own (墙皮, 都不是 是墙皮脱落), not only a choice."""
    if picks_first(text) or picks_second(text) or text.strip() in ("1", "2", "3", "1.", "2.", "3."):
        return False
    for code in choices:
        text = text.replace(category_name(ctx, code), "")
    return len(beyond_place(text)) >= 2


def estate_answer(text: str, ctx: Context):
    estates = list(ctx.directory.estates.values())
    bare = bare_number(text)
    if bare and bare.isdigit() and 1 <= int(bare) <= len(estates):
        return estates[int(bare) - 1]
    return ctx.directory.find_estate(text)


def yes_home(text: str, ctx: Context, sender: str, draft: Draft, step: str):
    """The home, when the answer says it is there: 是 (to 是在您家…吗), or in words (就是我家那栋); else None."""
    if step not in (HOME, BUILDING) or named_place(text).building or draft.home_refused:
        return None
    if not ((step == HOME and says_yes(text)) or means_my_home(text)):
        return None
    home = ctx.people.home(sender)
    return home if home and home.estate_id == draft.estate_id else None


def place_first(text: str) -> bool:
    """The message opens with the place alone ("5号楼，另外门口垃圾桶也满了"): an answer, whatever follows."""
    head = first_clause(text)
    return head != text.strip() and bool(named_place(head).building) and not adds_detail(head)
