"""The tables: tickets, their events, the outbox and the delivery ledger."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.domain.clock import utcnow


class Base(DeclarativeBase):
    pass


class Ticket(Base):
    """One resident's problem, from report to the resident's verdict (工单)."""

    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(16), unique=True)
    # The WeChat message that opened it (MsgId, or sender + CreateTime): a retried message finds it here.
    source_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    # Where it came from: wechat, or entered by staff (phone, walk_in, patrol) or handed down (12345, open311).
    source: Mapped[str] = mapped_column(String(16), default="wechat", server_default="wechat")
    resident_openid: Mapped[str | None] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str] = mapped_column(String(32), default="complaint")
    category: Mapped[str] = mapped_column(String(32), default="other")
    # What exactly is broken, within the category (路灯 or 楼道灯; codes in nlp/subject.py); None when not said.
    subject: Mapped[str | None] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    community_id: Mapped[str | None] = mapped_column(String(64))
    estate_id: Mapped[str | None] = mapped_column(String(64))
    building: Mapped[str | None] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(16))
    room: Mapped[str | None] = mapped_column(String(16))
    grid_id: Mapped[str | None] = mapped_column(String(64))
    assignee_openid: Mapped[str | None] = mapped_column(String(64))
    assignee_name: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="new")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Deadlines from config.yaml's time limits, fixed when the ticket opens.
    accept_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolve_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 0 assignee, 1 backup, 2 secretary, 3 department
    resolution_note: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(16))  # satisfied | basically | unsatisfied
    rating_note: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(DateTime)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Households that reported this problem: the reporter and each neighbour who joined (less any who withdrew).
    # Kept here rather than counted: in a burst every join reads it, and a count grew with the followers.
    households: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # When the follow-up sweep next looks at it (its earliest reminder, escalation or page not yet done); None: nothing
    # planned. The deadlines live here, not in Redis, so a lost Redis loses none (workers/timers.py).
    next_step_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A phone number or name given by whoever called or came in, for a ticket staff entered for them.
    contact: Mapped[str | None] = mapped_column(String(64))
    # How a ticket closed without a fix (bot/domain/disposal.py): invalid, duplicate, referred, merged; None otherwise.
    disposal: Mapped[str | None] = mapped_column(String(16))
    merged_into: Mapped[int | None] = mapped_column(Integer)  # the ticket id a duplicate or merged one went into

    events: Mapped[list["TicketEvent"]] = relationship(back_populates="ticket", order_by="TicketEvent.id")

    __table_args__ = (
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_status_created", "status", "created_at"),
        # A neighbour's report looks up the open ticket of its place and problem (bot/store/tickets.py, _OPEN_SAME).
        Index("ix_tickets_estate_building_category_subject", "estate_id", "building", "category", "subject"),
        Index("ix_tickets_grid_created", "grid_id", "created_at"),
        Index("ix_tickets_category_created", "category", "created_at"),
        # The digest and report count by these moments (bot/domain/reports.py).
        Index("ix_tickets_accept_due_at", "accept_due_at"),
        Index("ix_tickets_resolve_due_at", "resolve_due_at"),
        Index("ix_tickets_accepted_at", "accepted_at"),
        Index("ix_tickets_resolved_at", "resolved_at"),
        Index("ix_tickets_rated_at", "rated_at"),
        Index("ix_tickets_next_step_at", "next_step_at"),
    )


class TicketEvent(Base):
    """Every change to a ticket: who did what, when."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Found by ticket through ix_ticket_events_ticket_kind below, whose first column it is.
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="events")

    # A ticket's chases or verdicts; one resident's own events, on a ticket or (unsubscribing) anywhere. Each ends in
    # id, so "the last chase" (ORDER BY id DESC LIMIT 1) reads one index entry: without it PostgreSQL walked the whole
    # primary key backwards for a ticket never chased (11 ms at 8,559 events, growing with the table).
    __table_args__ = (Index("ix_ticket_events_ticket_kind", "ticket_id", "kind", "id"),
                      Index("ix_ticket_events_actor_ticket_kind", "actor", "ticket_id", "kind", "id"))


class Outbox(Base):
    """A job to enqueue, written with the ticket so a Redis outage loses nothing."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    job: Mapped[str] = mapped_column(String(128))
    args: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the relay saw the job finished (or given up): until then it checks the job is still in Redis.
    done_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_outbox_pending", "enqueued_at", "created_at"),
                      Index("ix_outbox_unfinished", "done_at", "enqueued_at"))


class Delivery(Base):
    """The delivery ledger: one row per (ticket, event, recipient), so a retried job sends nothing twice."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="sending")  # sending | sent | failed
    channel: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("ticket_id", "event", "recipient", name="uq_delivery"),)


class Resident(Base):
    """A follower of the account: their bound home address and whether they still follow."""

    __tablename__ = "residents"
    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    estate_id: Mapped[str | None] = mapped_column(String(64))
    building: Mapped[str | None] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(16))
    room: Mapped[str | None] = mapped_column(String(16))
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime)  # opens WeChat's 48-hour window
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Follower(Base):
    """A resident who reported the same problem (or asked to follow it) and hears of its progress."""

    __tablename__ = "ticket_followers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))  # uq_follower indexes it
    openid: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str | None] = mapped_column(Text)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("ticket_id", "openid", name="uq_follower"),)


class Attachment(Base):
    """A photo, voice note or location sent for a ticket."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # image | voice | location | video
    media_id: Mapped[str | None] = mapped_column(String(256))
    url: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[str | None] = mapped_column(String(64))
    source_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The evidence kept (bot/store/media.py): keys in the media store (bot/store/blobs.py), fetched from WeChat by an RQ job
    # before WeChat deletes its temporary media (three days). fetch_status: pending | stored | failed.
    stored: Mapped[str | None] = mapped_column(String(255))
    thumbnail: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(64))
    fetch_status: Mapped[str | None] = mapped_column(String(16))
    fetch_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fetch_error: Mapped[str | None] = mapped_column(Text)


class Staff(Base):
    """A grid worker or secretary bound by a one-time code (those in config.yaml need no row)."""

    __tablename__ = "staff"
    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # grid_worker | secretary
    community_id: Mapped[str | None] = mapped_column(String(64))
    grid_id: Mapped[str | None] = mapped_column(String(64))
    bound_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Digest(Base):
    """One daily digest per recipient per day: the row is the guarantee of exactly one."""

    __tablename__ = "digests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(64))
    community_id: Mapped[str | None] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="sending")  # sending | sent | failed
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)  # when a worker last took it to send
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("recipient", "day", name="uq_digest"),)


class User(Base):
    """A dashboard account; the password is stored hashed."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # secretary | grid_worker | admin
    community_id: Mapped[str | None] = mapped_column(String(64))
    grid_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Signing out raises it: every session cookie carries the value it signed in with, and a lower one is void.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApiKey(Base):
    """A key for the Open311 API; only its hash is kept."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class FollowUpStep(Base):
    """A reminder, escalation or page done on a ticket: the row makes each step happen once."""

    __tablename__ = "followup_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(32))  # remind:accept, escalate:accept:1, page:urgent, ...
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("ticket_id", "step", name="uq_followup_step"),)


# --- Notices to residents and outbound webhooks (migration 0014) ---------------------------------------------

class Notice(Base):
    """A notice (通知公告) a secretary sends to the residents of an estate, some of its buildings, or everyone."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[str | None] = mapped_column(String(64))  # None: every community the account serves
    estate_id: Mapped[str | None] = mapped_column(String(64))  # None: every estate of the community
    buildings: Mapped[list] = mapped_column(JSON, default=list)  # empty: the whole estate
    title: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="sending")  # sending | sent
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class NoticeDelivery(Base):
    """The notices' delivery ledger: one row per (notice, resident), so a resumed send reaches nobody twice."""

    __tablename__ = "notice_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="sending")  # sending | sent | failed
    channel: Mapped[str | None] = mapped_column(String(16))  # custom | template
    claimed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("notice_id", "recipient", name="uq_notice_delivery"),)


class NoticeOptOut(Base):
    """A resident who replied 不再接收通知: no notice reaches them until they reply 接收通知."""

    __tablename__ = "notice_optouts"
    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WebhookDelivery(Base):
    """One status change POSTed to the district's system; the ticket event's id is the id the receiver dedupes by."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # the ticket's status after the event
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)
