"""Words that are not a report though the reader may take them for one: English, a question only the community can
answer, a grumble or an insult with no problem in it. They are answered, never filed.

Language rules kept here until the reader (nlp/) learns them."""
from __future__ import annotations

import re

from handlers.base import Context, Message
from handlers.intake import analysis_of

_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
# Short Latin words Chinese speakers type as Chinese (ok, hi, thx): alone they are not English to answer in English.
_LATIN_IN_CHINESE = re.compile(r"^\s*(?:ok|okay|hi|thx|3q|yes|no|bye|hhh+|emm+)\s*[.!?~]*\s*$", re.I)
# A question (有没有, 吗, ？, 什么时候…): asking, not telling.
QUESTION = re.compile(r"有没有|有无|吗|[?？]|什么时候|啥时候|几点|哪天|哪里|在哪|多少钱|怎么收|能不能|可不可以|是不是")
# Asking when, where, how much or whether there is: only the community knows (什么时候发鸡蛋, 有没有老年食堂).
ASKS_INFO = re.compile(r"有没有|有无|什么时候|啥时候|几点|哪天|在哪|多少钱|怎么收")
# About using the bot or reporting: how-to, answered with the bot's help.
_ABOUT_REPORTING = re.compile(r"报修|报事|反映|投诉|举报|登记|提交|工单|怎么用|怎么发")
# An insult or grumble at people (物业都是垃圾, 你们就是一群废物): says who, not what is broken.
_INSULT = re.compile(r"(?:你们|物业|社区|居委会?|网格员?|书记|政府|领导|工作人员|客服|这些人)[^，,。！!？?]{0,4}"
                     r"(?:垃圾|废物|饭桶|没用|不干活|不作为|白拿钱|摆设|吃干饭)")


def is_english(message: Message, ctx: Context) -> bool:
    """Written in English (no Chinese, two words or a greeting), not an "ok" typed in a Chinese chat."""
    text = message.text
    if _CJK.search(text) or _LATIN_IN_CHINESE.match(text):
        return False
    words = _ENGLISH_WORD.findall(text)
    return len(words) >= 2 or analysis_of(message, ctx).intent in ("greeting", "help") and bool(words)


def asks_community(message: Message, ctx: Context) -> bool:
    """A question only the community can answer (这周末社区有没有体检活动), not how to use the bot."""
    analysis = analysis_of(message, ctx)
    return (analysis.intent in ("help", "greeting") and bool(QUESTION.search(message.text))
            and not _ABOUT_REPORTING.search(message.text))


def no_problem_told(message: Message, ctx: Context) -> bool:
    """Read as a complaint, yet nothing broken is told: an insult at people, or words the reader is unsure report
    anything (能不能管管) naming no place."""
    analysis = analysis_of(message, ctx)
    if analysis.intent != "complaint" or analysis.urgent:
        return False
    if _INSULT.search(message.text):
        return True
    location = analysis.location
    return analysis.intent_unsure and not (location.building or location.spot or analysis.subject)
