"""代报: a member of staff enters a ticket in chat for someone who called, came in, or for what they saw on patrol."""
from __future__ import annotations

import re

from bot.domain.intake_desk import SOURCE_NAMES, SOURCE_WORDS, Entry, enter
from bot.domain import texts
from handlers.base import Context, Filter, Message, is_staff
from handlers.tickets import assignee_of, category_name, place_of

ENTER = re.compile(r"^\s*代报\s*[:：]?\s*(?P<rest>.*)$", re.S)
SOURCE = re.compile(rf"^(?P<word>{'|'.join(map(re.escape, SOURCE_WORDS))})\s*[,，:：]?\s*")
# A mobile (11 digits from 1) or a landline with its area code, said anywhere in the words: the caller's contact.
PHONE = re.compile(r"(?:电话|手机|联系方式)?\s*[:：]?\s*(?<!\d)(1\d{10}|0\d{2,3}-?\d{7,8})(?!\d)")
DEFAULT_SOURCE = "patrol"  # in chat, without a word saying otherwise: what a grid worker saw on their round


def asks_to_enter(message: Message, ctx: Context) -> re.Match | None:
    return ENTER.match(message.text) if message.type == "text" else None


def enter_ticket(message: Message, ctx: Context, entered: re.Match) -> str:
    """Open the ticket as a resident's would be, with the source and the caller's phone; answer with its number."""
    rest = entered.group("rest").strip()
    source = DEFAULT_SOURCE
    if found := SOURCE.match(rest):
        source, rest = SOURCE_WORDS[found.group("word")], rest[found.end():]
    contact = ""
    if phone := PHONE.search(rest):
        contact, rest = phone.group(1), (rest[:phone.start()] + rest[phone.end():]).strip(" ,，。")
    if len(rest) < 2:
        return texts.STAFF_ENTER_USAGE
    member = ctx.staff.member(message.sender)
    ticket = enter(ctx.tickets, ctx.analyzer, Entry(text=rest, source=source, contact=contact,
                                                    source_key=message.key), message.sender, member.name)
    return texts.STAFF_ENTERED.format(number=ticket.number, category=category_name(ctx, ticket.category),
                                      place=place_of(ctx, ticket), source=SOURCE_NAMES[source],
                                      contact=f"（联系电话{contact}）" if contact else "",
                                      assignee=assignee_of(ctx, ticket))


enters = is_staff & Filter(asks_to_enter, "enter_ticket")
