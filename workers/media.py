"""fetch_media: keep a resident's photo, voice or video before WeChat deletes it; push the first photo with the task."""
from __future__ import annotations

import logging

from sqlalchemy import bindparam, select

from bot.store import media
from bot.errors import MediaUnavailable, NoChannel, StorageUnavailable
from bot.store.models import Attachment, Delivery, Ticket, TicketEvent
from bot.store.queue import RETRY
from bot.wechat.client import OutsideWindow, WeChatError
from bot import runtime
from workers.ledger import deliver

log = logging.getLogger("minhu.media")
# The job's first run and each of RQ's retries; the last one marks the file failed instead of raising.
ATTEMPTS = 1 + RETRY.max
GONE = frozenset({40007})  # invalid media_id: WeChat no longer has the file, no retry brings it back
PHOTO_EVENT = "photo"  # the ledger's event for a ticket's first photo pushed to someone


def fetch_media(event_id: int) -> str:
    """Fetch the attachment the `attached` event recorded, store it (a photo cleaned, with a thumbnail) and mark it.

    A failure is retried by RQ; the last attempt, or a media_id WeChat no longer knows, marks it failed with the
    reason, shown on the desk: the evidence is never silently lost."""
    rt = runtime.get()
    with rt.sessions() as session:
        event = session.get(TicketEvent, event_id)
        attachment = session.get(Attachment, (event.detail or {}).get("attachment")) if event else None
        if attachment is None:
            return "gone"
        if attachment.fetch_status in ("stored", "failed"):
            return attachment.fetch_status
        attachment.fetch_attempts += 1
        attempt, ticket_id, kind, media_id = (attachment.fetch_attempts, attachment.ticket_id, attachment.kind,
                                              attachment.media_id)
        attachment_id = attachment.id
        thumb_media_id = (event.detail or {}).get("thumb_media_id")
        session.commit()
    try:
        data, content_type = rt.notifier.client.get_media(media_id)
        stored, thumbnail, content_type = media.keep(rt.blobs, ticket_id, attachment_id, kind,
                                                     data, content_type)
    except (WeChatError, media.NotAPhoto, StorageUnavailable) as exc:
        final = attempt >= ATTEMPTS or isinstance(exc, media.NotAPhoto) or getattr(exc, "code", None) in GONE
        _mark(rt, attachment_id, "failed" if final else "pending", error=str(exc)[:500])
        if final:
            log.warning("attachment %s of ticket %s could not be kept: %s", attachment_id, ticket_id, exc)
            return "failed"
        raise MediaUnavailable(f"attachment {attachment_id}: {exc}") from None
    error = None
    if kind == "video" and thumb_media_id:
        thumbnail, error = _video_thumbnail(rt, ticket_id, attachment_id, thumb_media_id)
    _mark(rt, attachment_id, "stored", stored=stored, thumbnail=thumbnail, content_type=content_type, error=error)
    if kind == "image":
        push_first_photo(rt, ticket_id)
    return "stored"


def _video_thumbnail(rt, ticket_id: int, attachment_id: int, thumb_media_id: str) -> tuple[str | None, str | None]:
    """The video's thumbnail kept: (its key, None), or (None, why not); the video itself is kept either way."""
    try:
        picture, _ = rt.notifier.client.get_media(thumb_media_id)
        return media.keep_thumbnail(rt.blobs, ticket_id, attachment_id, picture), None
    except (WeChatError, media.NotAPhoto, StorageUnavailable) as exc:
        log.warning("attachment %s of ticket %s: video kept without its thumbnail: %s", attachment_id, ticket_id, exc)
        return None, f"缩略图未能取回：{exc}"[:500]


def _mark(rt, attachment_id: int, status: str, error: str | None, **paths) -> None:
    with rt.sessions() as session:
        attachment = session.get(Attachment, attachment_id)
        attachment.fetch_status, attachment.fetch_error = status, error
        for key, value in paths.items():
            setattr(attachment, key, value)
        session.commit()


# The ticket's first resident photo kept (the before-picture; staff photos are after-pictures): by the resident, or
# by whoever added one to a ticket without a resident (entered by staff). Built once: every dispatch runs one.
_FIRST_PHOTO = select(Attachment.stored).where(Attachment.ticket_id == bindparam("ticket_id"), Attachment.kind == "image",
                                               Attachment.fetch_status == "stored").order_by(Attachment.id).limit(1)
_FIRST_PHOTO_BY = {True: _FIRST_PHOTO.where(Attachment.added_by.is_not(None)),
                   False: _FIRST_PHOTO.where(Attachment.added_by == bindparam("resident"))}


def first_photo(connection, ticket_id: int, resident_openid: str | None) -> str | None:
    """Where the ticket's first resident photo is kept, or None."""
    return connection.scalar(_FIRST_PHOTO_BY[resident_openid is None],
                             {"ticket_id": ticket_id, "resident": resident_openid})


def push_first_photo(rt, ticket_id: int, recipients: list[str] | None = None) -> int:
    """The first photo, as an image message after the task text, to whoever has had the task push (once each).

    Called when a task goes out and when a photo is kept: whichever comes second sends it."""
    with rt.sessions() as session:
        stored = first_photo(session, ticket_id, session.scalar(select(Ticket.resident_openid)
                                                                .where(Ticket.id == ticket_id)))
        if stored is None:
            return 0
        tasked = recipients if recipients is not None else list(session.scalars(select(Delivery.recipient).where(
            Delivery.ticket_id == ticket_id, Delivery.status == "sent",
            (Delivery.event == "dispatch") | Delivery.event.startswith("transferred:"))))
    try:
        data = rt.blobs.get(stored)
    except StorageUnavailable as exc:  # the photo stays on the desk; the next photo kept or task sent tries again
        log.warning("ticket %s: photo not pushed, the media store did not give it: %s", ticket_id, exc)
        return 0
    sent = 0
    for openid in dict.fromkeys(tasked):
        if data is None:
            break
        try:
            if deliver(rt.engine, ticket_id, PHOTO_EVENT, openid,
                       lambda openid=openid: rt.notifier.send_photo(openid, stored.rsplit("/", 1)[-1], data)):
                sent += 1
        except (OutsideWindow, NoChannel):
            # A template message carries no picture: the task text says to see the desk, the photo is kept there.
            log.info("ticket %s: photo not pushed, outside the 48-hour window", ticket_id)
    return sent
