"""Photos, locations and voice notes: they go with the report being told, or the resident's last open ticket."""
from __future__ import annotations

import time

from bot.domain import steps, texts
from handlers import states
from handlers.base import Context, Message
from handlers.draft import draft_in

KINDS = {"image": "image", "voice": "voice", "location": "location", "video": "video", "shortvideo": "video"}
REPLIES = {"image": texts.PHOTO_ATTACHED, "video": texts.VIDEO_ATTACHED, "location": texts.LOCATION_ATTACHED,
           "voice": texts.VOICE_ATTACHED}
WHAT = {"image": "照片", "video": "视频", "location": "位置"}


def media_of(message: Message) -> dict:
    """The attachment's fields, keyed by the WeChat message so a retry attaches nothing twice."""
    media = {"kind": KINDS.get(message.type, message.type), "source_key": message.key}
    if message.media_id:
        media["media_id"] = message.media_id
    if message.thumb_media_id:
        media["thumb_media_id"] = message.thumb_media_id
    if message.picture_url:
        media["url"] = message.picture_url
    if message.latitude is not None:
        media.update(latitude=message.latitude, longitude=message.longitude)
    if message.label:
        media["label"] = message.label[:500]
    return media


def last_open_ticket(ctx: Context, openid: str):
    """The ticket just reported, else the newest open one the resident reported or follows."""
    recent = ctx.recent.get(openid)
    if recent:
        return recent["ticket"], recent["number"]
    for ticket, _ in ctx.people.tickets_of(openid, limit=10):
        if ticket.status in steps.OPEN:
            return ticket.id, ticket.number
    return None, None


def attach(message: Message, ctx: Context, found: object = None) -> str:
    """Keep the media with the draft being told, or attach it to the last open ticket."""
    media = media_of(message)
    pending = states.waiting(ctx, message.sender)
    if draft := draft_in(pending):
        if all(m["source_key"] != media["source_key"] for m in draft.media):
            draft.media.append(media)
            states.stay(ctx, message.sender, pending | {"draft": draft.to_json()})
        return texts.MEDIA_KEPT if media["kind"] == "voice" else texts.MEDIA_WITH_DRAFT
    ticket_id, number = last_open_ticket(ctx, message.sender)
    if ticket_id is None:
        kept = keep_for_report(ctx, message.sender, pending, media)
        if media["kind"] == "voice":
            return texts.VOICE_UNCLEAR
        return texts.MEDIA_KEPT_FOR_REPORT.format(what=WHAT[media["kind"]]) if kept else texts.MEDIA_RECEIVED
    steps.attach(ctx.tickets, ticket_id, message.sender, **media)
    return REPLIES.get(media["kind"], texts.PHOTO_ATTACHED).format(number=number)


def keep_for_report(ctx: Context, openid: str, pending: dict | None, media: dict) -> bool:
    """Sent before any words: kept a short while in the conversation state, for the report that follows."""
    if pending and states.step_of(pending) != states.MEDIA:
        return False  # another question is waiting; its own answer comes first
    kept = pending["media"] if pending and pending.get("until", 0) > time.time() else []
    if all(m["source_key"] != media["source_key"] for m in kept):
        kept.append(media)
    until = time.time() + ctx.settings.config.conversation.draft_timeout.total_seconds()
    return states.enter(ctx, openid, states.MEDIA, media=kept[-9:], until=until)


def link(message: Message, ctx: Context, found: object = None) -> str:
    """A shared link: we cannot read it, so ask for the problem in words."""
    return texts.LINK_RECEIVED
