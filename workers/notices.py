"""send_notice: a notice to each resident it is for, once, a batch at a time; resumed where it stopped."""
from __future__ import annotations

import math
from datetime import UTC, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.domain import notices
from bot.domain.clock import utcnow
from bot.errors import NoChannel
from bot.store.models import Notice, NoticeDelivery, Resident
from bot.wechat.client import OutsideWindow, QuotaExceeded, WeChatError, WeChatUnavailable
from bot import runtime
from bot.wechat.push import filled

STALE_CLAIM = timedelta(seconds=60)  # a claim this old belongs to a worker that died mid-send
BATCH_EVERY = timedelta(seconds=10)  # the throttle: per_minute / 6 residents, then the next batch 10 s on
DONE = ("sent", "unreachable")


def _text(rt, notice: Notice) -> str:
    return (f"【通知公告】{notice.title}\n{notice.body}\n（{notices.place(notice, rt.directory)}）\n"
            f"不想再收到通知，请回复“不再接收通知”。")


def _fields(rt, notice: Notice) -> dict[str, str]:
    local = notice.created_at.replace(tzinfo=UTC).astimezone(rt.settings.zone)
    where = notices.place(notice, rt.directory)
    return {"title": notice.title, "place": where, "time": f"{local:%Y-%m-%d %H:%M}", "summary": notice.body}


def _send(rt, openid: str, notice: Notice, last_message_at) -> str:
    """A customer-service message inside the window, else the notice template; the channel's name."""
    client = rt.notifier.client
    if notices.in_window(last_message_at, utcnow()):
        try:
            client.send_text(openid, _text(rt, notice))
            return "custom"
        except OutsideWindow:
            pass  # our clock and WeChat's disagree about the window: the template still reaches them
    template = rt.settings.config.notices.template
    if not template.id:
        raise NoChannel("outside the 48-hour window and no notices.template is configured")
    client.send_template(openid, template.id, filled(template, _fields(rt, notice)))
    return "template"


def _claim(rt, notice_id: int, openid: str) -> bool:
    """Take (notice, resident) for this worker; False when it is sent, unreachable, or another worker has it now."""
    now = utcnow()
    with rt.sessions() as session:
        session.add(NoticeDelivery(notice_id=notice_id, recipient=openid, status="sending", claimed_at=now))
        try:
            session.commit()
            return True
        except IntegrityError:
            session.rollback()
        row = session.scalar(select(NoticeDelivery).where(NoticeDelivery.notice_id == notice_id,
                                                          NoticeDelivery.recipient == openid))
        if row is None or row.status in DONE or (row.status == "sending" and row.claimed_at > now - STALE_CLAIM):
            return False
        taken = session.execute(update(NoticeDelivery).where(NoticeDelivery.id == row.id,
                                                             NoticeDelivery.claimed_at == row.claimed_at)
                                .values(status="sending", claimed_at=now)).rowcount
        session.commit()
        return bool(taken)


def _mark(rt, notice_id: int, openid: str, **values) -> None:
    with rt.sessions() as session:
        session.execute(update(NoticeDelivery).where(NoticeDelivery.notice_id == notice_id,
                                                     NoticeDelivery.recipient == openid).values(**values))
        session.commit()


def _release(rt, notice_id: int, openid: str, exc: Exception) -> None:
    """Give the claim up at once so RQ's retry (with back-off) sends it; the ones sent stay sent."""
    _mark(rt, notice_id, openid, status="failed", error=f"{type(exc).__name__}: {exc}"[:500],
          claimed_at=utcnow() - STALE_CLAIM)


def send_notice(notice_id: int) -> str:
    """Send the next batch of a notice (config.yaml's notices.per_minute, spread over six batches a minute)."""
    rt = runtime.get()
    batch = max(1, math.ceil(rt.settings.config.notices.per_minute / 6))
    with rt.sessions() as session:
        notice = session.get(Notice, notice_id)
        if notice is None or notice.status != "sending":
            return "done"
        done = select(NoticeDelivery.recipient).where(NoticeDelivery.notice_id == notice_id,
                                                      NoticeDelivery.status.in_(DONE))
        wanted = notices.audience(notice, rt.directory).where(Resident.openid.not_in(done))
        openids = list(session.scalars(wanted.limit(batch + 1)))
        last_seen = notices.last_heard(session, openids[:batch])
    sent = 0
    for openid in openids[:batch]:
        if not _claim(rt, notice_id, openid):
            continue
        try:
            channel = _send(rt, openid, notice, last_seen.get(openid))
        except (NoChannel, WeChatError) as exc:
            if isinstance(exc, (WeChatUnavailable, QuotaExceeded)):  # WeChat's trouble, not the resident's: retry
                _release(rt, notice_id, openid, exc)
                raise
            # No template, or WeChat refuses this resident (unfollowed meanwhile, 43004): retrying will not help.
            _mark(rt, notice_id, openid, status="unreachable", error=str(exc)[:500])
            continue
        except Exception as exc:
            _release(rt, notice_id, openid, exc)
            raise
        _mark(rt, notice_id, openid, status="sent", channel=channel, sent_at=utcnow(), error=None)
        sent += 1
    if len(openids) > batch:
        notices.enqueue(rt.queue, notice_id, BATCH_EVERY)
        return f"sent {sent}, more in {BATCH_EVERY.seconds} s"
    with rt.sessions() as session:
        notices.finish(session, notice_id)
    return f"sent {sent}, done"


def resume(rt, quiet: timedelta = timedelta(minutes=5)) -> int:
    """Queue again the notices whose job was lost (Redis down when it was written, or lost since)."""
    with rt.sessions() as session:
        lost = notices.unfinished(session, quiet)
    return sum(notices.enqueue(rt.queue, notice_id) for notice_id in lost)
