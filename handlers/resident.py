"""A resident's small talk: help, thanks, and anything that is not a report."""
from __future__ import annotations

from bot.domain import texts
from handlers.base import Context, Message
from handlers.intake import kept_media
from handlers.media import WHAT
from handlers.offscript import asks_community
from nlp.phrases import asks_for_number, asks_info, asks_information, wants_person
from handlers.tickets import open_tickets
from handlers.chase import status


def help_text(message: Message, ctx: Context, found: object = None) -> str:
    """How to use the bot. A question for a person or a phone number gets the community's numbers (config.yaml's
    `contacts`), and a question the bot cannot answer (what parking costs, whether the water will be off) the numbers
    to ask."""
    text = message.text
    if wants_person(text):
        lead = texts.PERSON_WANTED
    elif asks_for_number(text):
        lead = ""
    elif asks_information(text) or asks_community(message, ctx):
        lead = texts.CANNOT_ANSWER
    else:
        return texts.HELP
    return _with_numbers(message, ctx, lead) or texts.HELP


def _with_numbers(message: Message, ctx: Context, lead: str) -> str | None:
    """`lead`, the community's numbers and the reminder that a problem can be sent here; None with no numbers."""
    contacts = contacts_for(message, ctx)
    return "\n".join(filter(None, [lead, contacts, texts.CONTACTS_END])) if contacts else None


def contacts_for(message: Message, ctx: Context) -> str | None:
    """The numbers of the resident's community: of the estate they name or live in, else every community's."""
    directory = ctx.directory
    estate = directory.estate_of(message.text)
    if estate is None and ctx.people:  # several estates and none named: where they live, if known
        home = ctx.people.home(message.sender)
        estate = directory.estates.get(home.estate_id) if home else None
    communities = [directory.community_of[estate.id]] if estate else directory.config.communities
    told = [texts.CONTACTS.format(community=community.name, lines="\n".join(
        texts.CONTACT_LINE.format(name=c.name, phone=c.phone) + (texts.CONTACT_HOURS.format(hours=c.hours)
                                                                    if c.hours else "")
        for c in community.contacts)) for community in communities if community.contacts]
    return "\n\n".join(told) or None


def thanks(message: Message, ctx: Context, found: object = None) -> str:
    return texts.THANKS


def chitchat(message: Message, ctx: Context, found: object = None) -> str:
    """Small talk; right after photos kept for a report ("你们看看这个"), ask again what they show. Asked for a
    person (我要找人工), the community's numbers, where config.yaml has them."""
    media = kept_media(ctx, message.sender)
    if media:
        return texts.MEDIA_KEPT_FOR_REPORT.format(what=WHAT[media[-1]["kind"]])
    if wants_person(message.text):
        return _with_numbers(message, ctx, texts.PERSON_WANTED) or texts.CHITCHAT
    if asks_info(message.text):  # 什么时候发鸡蛋: a question only the community can answer
        return _with_numbers(message, ctx, texts.CANNOT_ANSWER) or texts.CHITCHAT
    return texts.CHITCHAT


def blank(message: Message, ctx: Context, found: object = None) -> str:
    """A message of nothing but spaces."""
    return texts.EMPTY_MESSAGE


def english(message: Message, ctx: Context, found: object = None) -> str:
    """A message in English: a short English answer saying what the bot does."""
    return texts.ENGLISH


def grumble(message: Message, ctx: Context, found: object = None) -> str:
    """A grumble or an insult with no problem in it: never filed; their open tickets' standing, else how to report
    and the numbers to call."""
    if open_tickets(ctx, message.sender):
        return status(message, ctx)
    return _with_numbers(message, ctx, texts.GRUMBLE) or texts.GRUMBLE
