"""The conversation's language rules: small named checks over what a resident writes, for handlers/ to ask.

Each rule is said once here; handlers/ keeps no regular expression over a resident's words."""
from __future__ import annotations

import re

from nlp import lexicon, location
from nlp.text import normalize

_CHINESE_FIGURES = {f: i for i, f in enumerate("一二三四五六七八九", 1)} | {"两": 2}

# --- Where: a bare number, one's home --------------------------------------------------------------------------

# "5", "5号", "A栋": a building said alone, as an answer to "which building?".
_BARE_NUMBER = re.compile(r"^\s*([0-9]{1,3}|[A-Za-z])\s*(号|号楼|栋|幢|座)?\s*$")
# Their home in words, answering "是在您家…吗？": 就是我家那栋, 对，就在我家楼下 (not 不是我家).
_MY_HOME = re.compile(r"我家|我们家|俺家|家里|我住的|我住那")
_NOT = re.compile(r"不是|不在|没在|别的|其他|其它")
# Words about where rather than what: 我就在门口, 位置, 不知道.
_ABOUT_PLACE = re.compile(r"^\s*我?(就|是|人)?在|位置|地址|不知道|不清楚|不记得|路过")
# What an answer about the place says besides the place; what is left over is detail worth keeping.
_PLACE_WORDS = re.compile(r"[0-9a-zA-Z零〇一二两三四五六七八九十百]+\s*(号楼|号|栋|幢|座|单元|室|楼)?|不是|是的?|对|就|在|的|了"
                          r"|啊|呀|吧|呢|哦|嗯|好|我们家|我家|家|我|这边|那边|[\s\W_]")
_CLAUSE = re.compile(r"[，,。；;！!？?\s]")


def bare_number(text: str) -> str | None:
    """The building number (or letter) said alone ("5", "5号", "a栋"), as written; None otherwise."""
    match = _BARE_NUMBER.match(text)
    return match.group(1) if match else None


def says_home(text: str) -> bool:
    """The report says the building it names is where the resident lives (one rule with the reader's: nlp/location.py)."""
    return location.says_home(normalize(text))


def means_my_home(text: str) -> bool:
    """The answer points at the resident's home in words (就是我家那栋), not away from it (不是我家)."""
    return bool(_MY_HOME.search(text)) and not _NOT.search(text)


def about_place(text: str) -> bool:
    """Words about where (我就在门口, 地址, 不知道), not a problem of their own."""
    return bool(_ABOUT_PLACE.search(text))


def beyond_place(text: str) -> str:
    """What the words say besides a place and small words ("5号楼，三天了" → "三天")."""
    return _PLACE_WORDS.sub("", text)


def first_clause(text: str) -> str:
    """The message up to its first comma, stop or space."""
    return _CLAUSE.split(text.strip(), 1)[0]


# --- Answers to our questions -----------------------------------------------------------------------------------

# Yes to "是在您家…吗？", the way people say it: 是, 对对对, 是的呀, 嗯嗯, 没错.
_YES = re.compile(r"^\s*(是|对|嗯|好|没错|对头|就是|yes|ok)+(的|啊|呀|吧|呢|哦|嘛|滴|哈)*[。！!.~～\s]*$", re.IGNORECASE)
_FIRST = re.compile(r"^\s*(第?[1一]\s*(个|种|项)?|前者|前一个|前面的?那?个?)\s*[。.！!]?\s*$")
_SECOND = re.compile(r"^\s*(第?[2二两]\s*(个|种|项)?|后者|后一个|后面的?那?个?)\s*[。.！!]?\s*$")
# Neither of the two kinds offered: the third line of the question, or said in words.
_NEITHER = re.compile(r"都不是|都不对|两个都不|哪个都不|都不沾边|^\s*(第?[3三]\s*(个|种|项)?|其他|其它|别的)\s*[。.！!]?\s*$")
# An ok or a yes while an emergency waits: nothing for the people on their way to hear.
_ACK = re.compile(r"^\s*(好的?|收到|知道了|明白|嗯+|哦+|ok|行|是|对)+[的啊呀吧哦了。！!.~～\s]*$", re.IGNORECASE)
# "我说的是…", "我是说…", "我指的是…", "是…不是…": the words correct or narrow what was said before.
_CLARIFIES = re.compile(r"^\s*(?:不是[^，,。]{0,12}[，,]?\s*)?(?:我|俺)?(?:说|讲|指|问|反映)的是|^\s*(?:我|俺)(?:是说|是指|的意思是)"
                        r"|^\s*是[^，,。]{1,12}[，,]?不是")


def says_yes(text: str) -> bool:
    """A plain yes (是, 对对对, 嗯嗯, 没错)."""
    return bool(_YES.match(text))


def picks_first(text: str) -> bool:
    """The first of two choices (1, 第一个, 前者)."""
    return bool(_FIRST.match(text))


def picks_second(text: str) -> bool:
    """The second of two choices (2, 第二个, 后者)."""
    return bool(_SECOND.match(text))


def picks_neither(text: str) -> bool:
    """Neither of the choices offered (都不是, 3, 其他)."""
    return bool(_NEITHER.search(text))


# The answers to "回复1 反映问题，回复2 其他" (handlers: a report the reader is unsure of).
_REPORT_ANSWER = re.compile(r"\s*(1|１|一|反映问题|反映|是的?|对|报修|投诉)[。.!！]?\s*")
_OTHER_ANSWER = re.compile(r"\s*(2|２|二|其他|其它|不是|不用|没有|没事)[。.!！了]?\s*")


def answers_report(text: str) -> bool:
    """1 to "回复1 反映问题，回复2 其他": the words before report a problem."""
    return bool(_REPORT_ANSWER.fullmatch(text))


def answers_other(text: str) -> bool:
    """2 to "回复1 反映问题，回复2 其他": the words before report nothing."""
    return bool(_OTHER_ANSWER.fullmatch(text))


def acknowledges(text: str) -> bool:
    """Only an ok (好的, 收到, 嗯嗯): nothing to add to a report."""
    return bool(_ACK.match(text))


def clarifies(text: str) -> bool:
    """The words put right what the resident said a moment ago."""
    return bool(_CLARIFIES.search(text))


# --- Tickets: asking after one, cancelling, chasing -------------------------------------------------------------

# A ticket number alone, or asked after: 100001, 查一下100001, 工单100001进度, 100001怎么样了? (any six digits: a
# mistyped number gets "没有找到", not small talk).
_ASK_ONE = re.compile(r"^\s*(?:请问|麻烦|帮我)?\s*(?:查询?|查一下|查查|查看|看看|看一下|问一下)?\s*(?:一下)?\s*(?:我的)?"
                      r"\s*(?:工单|单号)?\s*(?:号)?\s*[:：]?\s*(?P<number>\d{6})\s*(?:号)?\s*(?:工单)?\s*(?:的)?\s*"
                      r"(?:进度|情况|状态)?\s*(?:怎么样了?|到哪了|处理了吗|处理得怎么样了?|呢|吗)?\s*[?？。!！]*\s*$")
# A question about a ticket rather than news of it: "请问100001有人去看了吗", "100001什么时候来修？".
_ASKS = re.compile(r"[吗呢么?？]\s*[。.!！~～]*\s*$|了没有?|有没有|什么时候|啥时候|多久|怎么还")
_CANCEL = re.compile(r"^\s*(取消|撤销|撤回)(工单)?\s*[:：]?\s*(1\d{5})?\s*$")
# Asking for the list of one's tickets (我的工单, the menu's words), not after one of them.
_LIST = re.compile(r"工单|单号|报修记录|报事记录")
# Nobody acting, and nothing else said ("又没人管了", "到底有没有人管"): about the ticket they have open, not a new
# complaint about the property company ("物业收了钱什么事都不干" names one).
_NOBODY_ACTS = re.compile(r"^[又还都怎么到底是就咋也]*(没|没有|有没有|没啥)人(来|去)?(管|理|修|处理|问|过问|负责|看看?)?"
                          r"[了啊呀吗呢么嘛的？?！!。.\s]*$")


def asked_number(text: str) -> str | None:
    """The six-digit number a message asks after, alone or in a question ("查一下100001"); None otherwise."""
    match = _ASK_ONE.match(text)
    return match.group("number") if match else None


def asks_after(text: str) -> bool:
    """A question rather than news ("有人去看了吗", "什么时候来修？")."""
    return bool(_ASKS.search(text))


def cancel_said(text: str) -> tuple[bool, str | None]:
    """Whether the message is 取消 (撤销, 撤回) and the ticket number with it, if any."""
    match = _CANCEL.match(text)
    return (True, match.group(3)) if match else (False, None)


def names_ticket_list(text: str) -> bool:
    """The words are about one's tickets as a list (工单, 报修记录)."""
    return bool(_LIST.search(text))


def nobody_acts(text: str) -> bool:
    """Only that nobody acts ("又没人管了", "到底有没有人管"), nothing else said."""
    return bool(_NOBODY_ACTS.match(text.strip()))


# --- Verdicts on a fix ------------------------------------------------------------------------------------------

_RATING = re.compile(r"^\s*(非常满意|基本满意|不满意|不太满意|满意|一般)\s*[,，。!！:：]?\s*(1\d{5})?\s*[,，。:：]?\s*(.*)$", re.S)
# Words that say a fix did not hold ("还是有点漏", "又堵了", "根本没修好"): a 不满意 when a fix of that problem waits
# for the household's verdict.
_STILL = re.compile(r"还是|还在|仍然|依然|依旧|照样|又|没修好|没好|没弄好|没处理好|没解决|根本没|一点没|跟没修一样")
# Words that tie what follows to the verdict (满意，另外…; 满意 但是…): not part of a report. The first group says
# another matter follows; the second may still be about the fix (满意，就是树叶没扫干净).
_JOINER = re.compile(r"^[\s,，。.!！、:：;；~～]*(?:(另外|还有|对了|顺便说一下|顺便|而且|再就是)|但是|但|不过|可是|就是)?"
                     r"[\s,，。.、:：;；]*")
_NO_WORDS = re.compile(r"[\W_]+")
# "Which ticket?" answered by its place in the list (1, 第二个), or by all of them (都满意).
_CHOICE = re.compile(r"^\s*第?\s*([1-9一二两三四五六七八九])\s*(个|项|件|号)?\s*[。.!！]?\s*$")
_ALL = re.compile(r"^\s*(都|全部|全都|两个都|两件都)\s*(是|一样)?\s*(满意|基本满意|不满意)?\s*[。.!！]*\s*$")
# What picks a ticket by its words without saying more ("路灯那个"); what is left beyond them is a reason.
_PICK_WORDS = re.compile(r"[\W_]|那个|这个|那件|这件|的|吧|呀|啊|呢|是")
# After 不满意, "no reason" rather than a reason.
_NO_REASON = re.compile(r"^\s*(算了|不用了?|不说了|没有了?|没什么|没啥|没事了?|不要了|取消)\s*(吧|了|啊|呀|哈)?[\W_]*$")


def rating_said(text: str) -> tuple[str, str | None, str] | None:
    """The verdict word a message opens with (满意, 不满意, 一般 …), the ticket number with it, and the rest."""
    match = _RATING.match(text)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def says_still_broken(text: str) -> bool:
    """Words that say a fix did not hold (还是漏, 又堵了, 根本没修好)."""
    return bool(_STILL.search(text))


def after_joiner(text: str) -> tuple[str, bool]:
    """The words after a joining word (另外, 但是 …), and whether that word says another matter follows."""
    joined = _JOINER.match(text)
    return text[joined.end():], bool(joined.group(1))


def has_words(text: str) -> bool:
    """Something besides punctuation and spaces ("不满意！！！" after its verdict has none)."""
    return bool(_NO_WORDS.sub("", text))


def choice_index(text: str) -> int | None:
    """The place in a list a message picks (1, 第二个, 三); None when it picks none."""
    match = _CHOICE.match(text)
    return int(_CHINESE_FIGURES.get(match.group(1), match.group(1))) if match else None


def picks_all(text: str) -> bool:
    """All of them (都满意, 全部)."""
    return bool(_ALL.match(text))


def beyond_pick(text: str) -> str:
    """What the words say besides picking a ticket ("路灯那个" says nothing more)."""
    return _PICK_WORDS.sub("", text)


def gives_no_reason(text: str) -> bool:
    """No reason given after all (算了, 没什么, 不用了)."""
    return bool(_NO_REASON.match(text))


# --- Off script: English, questions for the community, asking for a person --------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
# Short Latin words Chinese speakers type as Chinese (ok, hi, thx): alone they are not English to answer in English.
_LATIN_IN_CHINESE = re.compile(r"^\s*(?:ok|okay|hi|thx|3q|yes|no|bye|hhh+|emm+)\s*[.!?~]*\s*$", re.I)
# A question (有没有, 吗, ？, 什么时候…): asking, not telling.
_QUESTION = re.compile(r"有没有|有无|吗|[?？]|什么时候|啥时候|几点|哪天|哪里|在哪|多少钱|怎么收|能不能|可不可以|是不是")
# Asking when, where, how much or whether there is: only the community knows (什么时候发鸡蛋, 有没有老年食堂).
_ASKS_INFO = re.compile(r"有没有|有无|什么时候|啥时候|几点|哪天|在哪|多少钱|怎么收")
# Asks something only the community can answer (停车怎么收费, 小区可以养狗吗, 明天停水吗), or how to do something.
_ASKS_INFORMATION = re.compile(f"{lexicon.INFO_ASK}|{lexicon.HOWTO_ASK}")
# About using the bot or reporting: how-to, answered with the bot's help.
_ABOUT_REPORTING = re.compile(r"报修|报事|反映|投诉|举报|登记|提交|工单|怎么用|怎么发")
# Asks for a number to call: 物业电话多少, 社区的联系方式, 有没有热线.
_ASKS_NUMBER = re.compile(r"电话|号码|联系方式|怎么联系|热线|座机")
# Wants a person rather than the bot: 我要找人工, 有没有真人, 转客服.
_WANTS_PERSON = re.compile(r"人工|真人|客服|活人")
# While an emergency is open, asks whether anyone is coming, or for someone to talk to: 人呢, 到底有没有人来, 找谁.
_ASKS_HELP_COMING = re.compile(r"人呢|怎么办|有没有人|没人|怎么还|还没|什么时候|啥时候|多久|到哪|来了吗|来没|电话|号码|联系|找谁"
                               r"|人工|客服|[?？吗]")
_ASKS_WHOM_TO_CALL = re.compile(r"电话|号码|联系方式|怎么联系|找谁|人工|客服")


def has_chinese(text: str) -> bool:
    """Any Chinese character in the text."""
    return bool(_CJK.search(text))


def english_words(text: str) -> list[str]:
    """The Latin words of two letters or more."""
    return _ENGLISH_WORD.findall(text)


def latin_in_chinese(text: str) -> bool:
    """Only a short Latin word Chinese speakers type in a Chinese chat (ok, hi, thx)."""
    return bool(_LATIN_IN_CHINESE.match(text))


def is_question(text: str) -> bool:
    """Asking, not telling (吗, 有没有, ？, 什么时候)."""
    return bool(_QUESTION.search(text))


def asks_info(text: str) -> bool:
    """Asking when, where, how much or whether there is: what only the community knows."""
    return bool(_ASKS_INFO.search(text))


def asks_information(text: str) -> bool:
    """Asking something the bot cannot answer (停车怎么收费, 明天停水吗), not about reporting."""
    return bool(_ASKS_INFORMATION.search(text)) and not about_reporting(text)


def about_reporting(text: str) -> bool:
    """About using the bot or reporting (报修, 怎么用, 工单)."""
    return bool(_ABOUT_REPORTING.search(text))


def asks_for_number(text: str) -> bool:
    """Asks for a number to call (电话, 联系方式, 热线)."""
    return bool(_ASKS_NUMBER.search(text))


def wants_person(text: str) -> bool:
    """Wants a person rather than the bot (人工, 真人, 客服)."""
    return bool(_WANTS_PERSON.search(text))


def asks_help_coming(text: str) -> bool:
    """Asks whether anyone is coming, or for someone to talk to (人呢, 找谁, 什么时候来)."""
    return bool(_ASKS_HELP_COMING.search(text))


def asks_whom_to_call(text: str) -> bool:
    """Asks whom to call or for a person (电话, 找谁, 人工)."""
    return bool(_ASKS_WHOM_TO_CALL.search(text))


def kinds_named(text: str) -> set[str]:
    """The categories whose own words (weight 3 in lexicon.CATEGORY_KEYWORDS: 漏水, 停车, 路灯) the text says."""
    text = normalize(text)
    return {category for category, words in _KIND_WORDS.items() if any(word in text for word in words)}


_KIND_WORDS = {category: tuple(weights.get(3, "").split()) for category, weights in lexicon.CATEGORY_KEYWORDS.items()}
