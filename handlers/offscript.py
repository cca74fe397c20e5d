"""Words that are not a report though the reader may take them for one: English, a question only the community can
answer, a grumble or an insult with no problem in it. They are answered, never filed."""
from __future__ import annotations

from handlers.base import Context, Message
from handlers.intake import analysis_of
from nlp.phrases import about_reporting, english_words, has_chinese, is_question, latin_in_chinese


def is_english(message: Message, ctx: Context) -> bool:
    """Written in English (no Chinese, two words or a greeting), not an "ok" typed in a Chinese chat."""
    text = message.text
    if has_chinese(text) or latin_in_chinese(text):
        return False
    words = english_words(text)
    return len(words) >= 2 or analysis_of(message, ctx).intent in ("greeting", "help") and bool(words)


def asks_community(message: Message, ctx: Context) -> bool:
    """A question only the community can answer (这周末社区有没有体检活动), not how to use the bot."""
    analysis = analysis_of(message, ctx)
    return (analysis.intent in ("help", "greeting") and is_question(message.text)
            and not about_reporting(message.text))


def no_problem_told(message: Message, ctx: Context) -> bool:
    """Read as a complaint, yet nothing broken is told: an insult at people, or words the reader is unsure report
    anything (能不能管管) naming no place."""
    return analysis_of(message, ctx).venting
