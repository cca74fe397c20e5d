"""Notices (通知公告): what a secretary writes, who it reaches, the residents' opt-outs and the delivery counts."""
from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.clock import utcnow
from bot.errors import MinhuError
from bot.store.models import Follower, Notice, NoticeDelivery, NoticeOptOut, Resident, Ticket, TicketEvent
from bot.store.queue import RETRY
from bot.domain.routing import Directory

log = logging.getLogger("minhu.notices")
SEND_JOB = "workers.notices.send_notice"
WINDOW = timedelta(hours=48)  # WeChat's customer-service window after a resident's last message
MAX_TITLE, MAX_BODY = 40, 500
# What a resident replies to stop notices, and to have them again (punctuation and spaces aside).
OPT_OUT = ("不再接收通知", "不要再发通知", "退订通知", "取消通知")
OPT_IN = ("接收通知", "重新接收通知", "恢复通知", "订阅通知")
_NOISE = re.compile(r"[\s,，。.!！?？~～、]+")


class NoticeRefused(MinhuError):
    """A notice the desk cannot send as written; the message says why, in Chinese, for the secretary."""


def enqueue(queue, notice_id: int, delay: timedelta | None = None, tag: str = "") -> bool:
    """Queue a notice's next batch (now, or after `delay`); False when Redis refused (the scheduler's sweep retries)."""
    job_id = f"notice-{notice_id}-{tag or int(utcnow().timestamp() * 1000)}"
    options = dict(job_id=job_id, retry=RETRY, result_ttl=600, failure_ttl=7 * 24 * 3600)
    try:
        if delay:
            queue.enqueue_in(delay, SEND_JOB, notice_id, **options)
        else:
            queue.enqueue(SEND_JOB, notice_id, **options)
    except RedisError as exc:
        log.warning("notice %s not enqueued (Redis: %s); the scheduler's sweep will", notice_id, exc)
        return False
    return True


def wants(text: str) -> bool | None:
    """True when a message asks for notices again, False when it asks to stop them, None when it is about neither."""
    said = _NOISE.sub("", text)
    if said in OPT_OUT:
        return False
    if said in OPT_IN:
        return True
    return None


def set_wanted(sessions: sessionmaker[Session], openid: str, wanted: bool) -> None:
    """Record a resident's choice: an opt-out row while they want no notices."""
    with sessions() as session:
        if wanted:
            session.execute(delete(NoticeOptOut).where(NoticeOptOut.openid == openid))
            session.commit()
            return
        session.add(NoticeOptOut(openid=openid, at=utcnow()))
        try:
            session.commit()
        except IntegrityError:  # opted out already
            session.rollback()


def forget(sessions: sessionmaker[Session], openid: str) -> None:
    """Unfollowed: their opt-out goes, and the ledger keeps its rows (proof of what was sent) without the openid."""
    with sessions() as session:
        session.execute(delete(NoticeOptOut).where(NoticeOptOut.openid == openid))
        for row in session.scalars(select(NoticeDelivery).where(NoticeDelivery.recipient == openid)):
            row.recipient = f"forgotten:{row.id}"
        session.commit()


def write(sessions: sessionmaker[Session], directory: Directory, community_id: str | None, estate_id: str | None,
          buildings: list[str], title: str, body: str, author: str) -> Notice:
    """Keep a new notice for an estate (some of its buildings, or all), a whole community, or (no community) everyone."""
    title, body = title.strip(), body.strip()
    buildings = list(dict.fromkeys(b.strip() for b in buildings if b.strip()))
    if not title or not body:
        raise NoticeRefused("请写上标题和内容。")
    if len(title) > MAX_TITLE or len(body) > MAX_BODY:
        raise NoticeRefused(f"标题最多{MAX_TITLE}个字，内容最多{MAX_BODY}个字。")
    if estate_id is not None and (estate_id not in directory.estates or (
            community_id is not None and directory.community_of[estate_id].id != community_id)):
        raise NoticeRefused("请选择本社区的小区。")
    if buildings and estate_id is None:
        raise NoticeRefused("指定楼栋时请先选择小区。")
    unknown = [b for b in buildings if not directory.knows_building(estate_id, b)]
    if unknown:
        raise NoticeRefused(f"{directory.estates[estate_id].name}没有这些楼：{'、'.join(unknown)}。")
    if estate_id is not None:
        community_id = directory.community_of[estate_id].id
    with sessions() as session:
        notice = Notice(community_id=community_id, estate_id=estate_id, buildings=buildings, title=title, body=body,
                        author=author, status="sending", created_at=utcnow())
        session.add(notice)
        session.commit()
        return notice


def audience(notice: Notice, directory: Directory):
    """The openids a notice is for: residents still following, living where it says, who have not opted out."""
    query = select(Resident.openid).where(Resident.subscribed.is_(True),
                                          Resident.openid.not_in(select(NoticeOptOut.openid)))
    if notice.estate_id is not None:
        estates = [notice.estate_id]
    elif notice.community_id is not None:
        estates = [e.id for e, c in ((directory.estates[i], c) for i, c in directory.community_of.items())
                   if c.id == notice.community_id]
    else:
        return query.order_by(Resident.openid)  # everyone who follows the account
    only = directory.only_estate
    # A home bound while the account served one estate may carry no estate: it is that estate.
    same_estate = (or_(Resident.estate_id.in_(estates), Resident.estate_id.is_(None))
                   if only is not None and only.id in estates else Resident.estate_id.in_(estates))
    query = query.where(same_estate, Resident.building.is_not(None))
    if notice.buildings:
        query = query.where(Resident.building.in_(notice.buildings))
    return query.order_by(Resident.openid)


def place(notice: Notice, directory: Directory) -> str:
    """Who a notice is for, as residents and the desk read it: 幸福苑3、5号楼, 幸福里社区, 全体居民."""
    if notice.estate_id is not None:
        estate = directory.estates[notice.estate_id].name
        return f"{estate}{'、'.join(notice.buildings)}号楼" if notice.buildings else estate
    community = next((c for c in directory.config.communities if c.id == notice.community_id), None)
    return community.name if community else "全体居民"


def last_heard(session: Session, openids: list[str]) -> dict[str, object]:
    """When each resident last wrote, as far as the store knows: the webhook records no time per message, so the
    newest of their row's changes, their tickets, their events on tickets and the neighbours' reports they joined."""
    heard: dict[str, object] = {}
    # A resident's row changes only on their own messages (following, binding a home).
    sources = (select(Resident.openid, func.coalesce(Resident.last_message_at, Resident.updated_at))
               .where(Resident.openid.in_(openids)),
               select(Resident.openid, Resident.updated_at).where(Resident.openid.in_(openids)),
               select(Ticket.resident_openid, func.max(Ticket.created_at)).where(Ticket.resident_openid.in_(openids))
               .group_by(Ticket.resident_openid),
               select(TicketEvent.actor, func.max(TicketEvent.at)).where(TicketEvent.actor.in_(openids))
               .group_by(TicketEvent.actor),
               select(Follower.openid, func.max(Follower.joined_at)).where(Follower.openid.in_(openids))
               .group_by(Follower.openid))
    for query in sources:
        for openid, at in session.execute(query):
            if at is not None and (heard.get(openid) is None or at > heard[openid]):
                heard[openid] = at
    return heard


def in_window(last_message_at, now) -> bool:
    """A customer-service message reaches them: they wrote within the last 48 hours."""
    return last_message_at is not None and last_message_at > now - WINDOW


def counts(session: Session, notice_ids: list[int]) -> dict[int, Counter]:
    """Per notice, deliveries by outcome: custom, template (sent by that channel), unreachable, failed, sending."""
    found: dict[int, Counter] = {i: Counter() for i in notice_ids}
    rows = session.execute(select(NoticeDelivery.notice_id, NoticeDelivery.status, NoticeDelivery.channel)
                           .where(NoticeDelivery.notice_id.in_(notice_ids)))
    for notice_id, status, channel in rows:
        found[notice_id][channel if status == "sent" else status] += 1
    return found


def unfinished(session: Session, quiet: timedelta):
    """Notices still sending with no delivery claimed for `quiet`: their job was lost (Redis) and must run again."""
    since = utcnow() - quiet
    recent = select(NoticeDelivery.notice_id).where(NoticeDelivery.claimed_at > since)
    return list(session.scalars(select(Notice.id).where(and_(Notice.status == "sending", Notice.created_at < since,
                                                             Notice.id.not_in(recent)))))


def finish(session: Session, notice_id: int) -> None:
    session.execute(update(Notice).where(Notice.id == notice_id, Notice.status == "sending")
                    .values(status="sent", finished_at=utcnow()))
    session.commit()
