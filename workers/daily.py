"""send_digests: each secretary's daily digest, exactly once per day however often the job runs."""
from __future__ import annotations

import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.domain import clock
from bot.domain.digest import Recipient, compose, recipients, today, yesterday
from bot.store.models import Digest
from bot.domain.privacy import mask_openid
from bot.domain import texts
from bot import runtime
from workers.ledger import InFlight
from bot.wechat.push import Push

log = logging.getLogger("minhu.digest")
STALE_CLAIM = timedelta(minutes=2)  # a claim older than this belongs to a worker that died mid-send


def send_digests(day_iso: str | None = None) -> dict[str, str]:
    """Send yesterday's (or `day_iso`'s) digest to every secretary who has not had it; return what happened."""
    rt = runtime.get()
    zone = ZoneInfo(rt.settings.config.timezone)
    day = date.fromisoformat(day_iso) if day_iso else yesterday(zone)
    if day >= today(zone):
        # Once per day: a digest of half a day would stand in for the whole one.
        log.warning("digest %s not sent: the day is not over", day)
        return {}
    outcome, failure = {}, None
    for recipient in recipients(rt.directory, rt.staff):
        try:
            outcome[recipient.person.openid] = send_one(rt, recipient, day)
        except Exception as exc:  # noqa: BLE001 - the other secretaries first, then fail so RQ retries
            log.warning("digest %s for %s failed: %s", day, mask_openid(recipient.person.openid), exc)
            failure = failure or exc
    if failure:
        raise failure
    return outcome


def _claim(sessions, openid: str, community_id: str, day: date) -> bool:
    """Take the (secretary, day) row to send; False when it was sent already."""
    now = clock.utcnow()
    with sessions() as session:
        session.add(Digest(recipient=openid, community_id=community_id, day=day, status="sending",
                           created_at=now, claimed_at=now))
        try:
            session.commit()
            return True
        except IntegrityError:
            session.rollback()
        row = session.scalar(select(Digest).where(Digest.recipient == openid, Digest.day == day))
        if row.status == "sent":
            return False
        if row.status == "sending" and row.claimed_at and row.claimed_at > now - STALE_CLAIM:
            raise InFlight(f"digest {day} is being sent")
        # Compare-and-set on the claim time: of two workers taking over a stale claim, one wins.
        taken = session.execute(update(Digest).where(Digest.id == row.id, Digest.claimed_at == row.claimed_at)
                                .values(status="sending", claimed_at=now)).rowcount
        session.commit()
        if not taken:
            raise InFlight(f"digest {day} was claimed by another worker")
        return True


def send_one(rt, recipient: Recipient, day: date) -> str:
    """Compose, claim, send, mark: one secretary's digest for one day."""
    openid = recipient.person.openid
    with rt.sessions() as session:
        body = compose(session, rt.directory, recipient, day)
    if not _claim(rt.sessions, openid, recipient.communities[0].id, day):
        return "already sent"
    key = (Digest.recipient == openid, Digest.day == day)
    try:
        channel = rt.notifier.send(openid, Push(text=body, fields={
            "title": f"{day.month}月{day.day}日每日简报", "text": texts.clip(body, 100)}))
    except Exception:
        with rt.sessions() as session:
            # Release the claim at once so the job's retry can send.
            session.execute(update(Digest).where(*key).values(status="failed", body=body,
                                                              claimed_at=clock.utcnow() - STALE_CLAIM))
            session.commit()
        raise
    with rt.sessions() as session:
        session.execute(update(Digest).where(*key).values(status="sent", body=body, sent_at=clock.utcnow()))
        session.commit()
    log.info("digest %s sent to %s by %s", day, mask_openid(openid), channel)
    return "sent"
