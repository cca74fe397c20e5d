"""How an answer to one of our questions is read: the kind picked, yes to the home, the place and what is said
besides it, and the report called off. Pure functions of the words (and the resident's home)."""
from __future__ import annotations

import re

from handlers.clarify import clarifies
from handlers.base import Context
from handlers.intake import _BARE_NUMBER, named_place
from handlers.tickets import category_name

DONT_KNOW = ("不知道", "不清楚", "不记得")
_DROP = ("算了", "不用了", "不报了", "取消")
# Yes to "是在您家…吗？", the way people say it: 是, 对对对, 是的呀, 嗯嗯, 没错.
_YES = re.compile(r"^\s*(是|对|嗯|好|没错|对头|就是|yes|ok)+(的|啊|呀|吧|呢|哦|嘛|滴|哈)*[。！!.~～\s]*$", re.IGNORECASE)
# Or their home in words: 就是我家那栋, 对，就在我家楼下 (not 不是我家).
_MY_HOME = re.compile(r"我家|我们家|俺家|家里|我住的|我住那")
_NOT = re.compile(r"不是|不在|没在|别的|其他|其它")
_FIRST = re.compile(r"^\s*(第?[1一]\s*(个|种|项)?|前者|前一个|前面的?那?个?)\s*[。.！!]?\s*$")
_SECOND = re.compile(r"^\s*(第?[2二两]\s*(个|种|项)?|后者|后一个|后面的?那?个?)\s*[。.！!]?\s*$")
# Neither of the two kinds offered: the third line of the question, or said in words.
_NEITHER = re.compile(r"都不是|都不对|两个都不|哪个都不|都不沾边|^\s*(第?[3三]\s*(个|种|项)?|其他|其它|别的)\s*[。.！!]?\s*$")
# What an answer about the place says besides the place; what is left over is detail worth keeping.
_PLACE_WORDS = re.compile(r"[0-9a-zA-Z零〇一二两三四五六七八九十百]+\s*(号楼|号|栋|幢|座|单元|室|楼)?|不是|是的?|对|就|在|的|了"
                          r"|啊|呀|吧|呢|哦|嗯|好|我们家|我家|家|我|这边|那边|[\s\W_]")
# An ok or a yes while an emergency waits: nothing for the people on their way to hear.
ACK = re.compile(r"^\s*(好的?|收到|知道了|明白|嗯+|哦+|ok|行|是|对)+[的啊呀吧哦了。！!.~～\s]*$", re.IGNORECASE)
_CLAUSE = re.compile(r"[，,。；;！!？?\s]")


def drops(text: str, analysis) -> bool:
    """The resident calls it off: 算了, 不报了, or at more length (算了吧，反正也没人管); not 发错了，是5号楼."""
    if named_place(text).building:
        return False
    return analysis.intent == "cancel" or (any(word in text for word in _DROP) and len(text) <= 6)


def adds_detail(text: str) -> bool:
    """The answer says more than where (三天了, 味道很大): worth adding to the report's text."""
    return len(_PLACE_WORDS.sub("", text)) >= 3


def category_answer(text: str, ctx: Context, choices: list[str], analysis) -> str | None:
    """The kind the resident picks: by number or order, by name, 都不是 (the kind their words say, else 其他), or
    one of the two said in words (燃气的); None when the message does not answer."""
    text = text.strip()
    if _NEITHER.search(text):
        confident = analysis.intent == "complaint" and not analysis.ambiguous
        return analysis.category if confident and analysis.category not in (*choices, None) else "other"
    if _FIRST.match(text) or _SECOND.match(text):
        return choices[0] if _FIRST.match(text) else choices[1]
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
    if _FIRST.match(text) or _SECOND.match(text) or text.strip() in ("1", "2", "3", "1.", "2.", "3."):
        return False
    for code in choices:
        text = text.replace(category_name(ctx, code), "")
    return len(_PLACE_WORDS.sub("", text)) >= 2


def estate_answer(text: str, ctx: Context):
    estates = list(ctx.directory.estates.values())
    match = _BARE_NUMBER.match(text)
    if match and match.group(1).isdigit() and 1 <= int(match.group(1)) <= len(estates):
        return estates[int(match.group(1)) - 1]
    return ctx.directory.find_estate(text)


def yes_home(text: str, ctx: Context, sender: str, draft: dict, step: str):
    """The home, when the answer says it is there: 是 (to 是在您家…吗), or in words (就是我家那栋); else None."""
    if step not in ("home", "building") or named_place(text).building or draft.get("home_refused"):
        return None
    if not ((step == "home" and _YES.match(text)) or (_MY_HOME.search(text) and not _NOT.search(text))):
        return None
    home = ctx.people.home(sender)
    return home if home and home.estate_id == draft.get("estate_id") else None


def place_first(text: str) -> bool:
    """The message opens with the place alone ("5号楼，另外门口垃圾桶也满了"): an answer, whatever follows."""
    head = _CLAUSE.split(text.strip(), 1)[0]
    return head != text.strip() and bool(named_place(head).building) and not adds_detail(head)
