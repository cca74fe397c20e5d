"""The resources one process needs, built once from the settings: store, Redis, queue, reader, handlers."""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from functools import cached_property, partial

from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from bot.store import db
from bot.domain import notices
from bot.store.media import open_blobs
from bot.store.dedupe import ReplyCache
from bot.errors import ConfigError
from bot.store.queue import Job, connect, enqueue_committed, make_queue, outbox_ids, relay
from bot.domain.routing import Directory
from bot.settings import Settings, load_settings
from bot.store.state import RequestState, StateStore
from bot.domain.people import People
from bot.domain.privacy import mask_key
from bot.domain.quotas import Quotas
from bot.domain.staff import StaffDirectory
from bot.store.tickets import TicketStore
from bot.store.spool import Spool
from handlers import Context, Message, build_handlers, dispatch
from handlers.base import SORRY
from bot.domain.texts import SPOOLED
from nlp import Analyzer
from bot.wechat.client import WeChatClient
from bot.wechat.wecom import channel_for
from bot.wechat.push import Notifier, Push

log = logging.getLogger("minhu")
# The jobs committed while the webhook answers a message (in this thread): they go to Redis with its reply.
_held: ContextVar[list[Job] | None] = ContextVar("minhu_held_jobs", default=None)


class Runtime:
    """Everything wired together; the web app and the workers each hold one."""

    def __init__(self, settings: Settings, web: bool = False):
        if not settings.secrets.redis_url:
            raise ConfigError(f"no Redis: MINHU_REDIS_URL is not set and no `minhu serve` runs with the data folder "
                              f"{settings.secrets.data_dir}; start `minhu serve`, or set MINHU_REDIS_URL")
        self.settings, self.web = settings, web
        # The webhook waits 1 s at most for a lock (then the message is spooled), 2 s for the database.
        self.engine = (db.make_engine(settings.database_url, wait=2, lock_wait=1, ping=False) if web
                       else db.make_engine(settings.database_url))
        self.sessions = db.make_sessions(self.engine)
        self.directory = Directory(settings.config)
        # The webhook must answer within WeChat's 5 s even when Redis is down: fail fast there.
        self.redis = connect(settings.secrets.redis_url, fast=web)
        self.queue = make_queue(self.redis)
        self.tickets = TicketStore(self.sessions, self.directory, after_commit=self.enqueue_committed)
        conversation = settings.config.conversation
        # A half-told report outlives its deadline, so the job that files it still finds it.
        self.state = StateStore(self.redis, ttl=max(1800, int(conversation.draft_timeout.total_seconds()) * 3))
        self.recent = StateStore(self.redis, ttl=int(conversation.addendum_window.total_seconds()), prefix="minhu:recent:")
        # Households asked for their verdict on a fix lately (set when the "please rate" push is made): only their
        # "还是有点漏" is looked up as a verdict, so no one else's message pays for the query.
        self.asked_to_rate = StateStore(self.redis, ttl=int(conversation.rating_window.total_seconds()),
                                        prefix="minhu:rate:")
        self.people = People(self.sessions, forget_hooks=[self.state.clear, self.recent.clear,
                                                          self.asked_to_rate.clear,
                                                          partial(notices.forget, self.sessions)])
        self.staff = StaffDirectory(self.directory, self.sessions, self.redis)
        self.replies = ReplyCache(self.redis)
        # Not cleared when a resident unfollows: following again must not give a flood a fresh quota.
        self.quotas = Quotas(self.redis, settings.config.quotas, settings.zone)
        self.spool = Spool(self.redis, settings.secrets.data_dir)
        self.blobs = open_blobs(settings)  # the evidence: data folder or bucket, one client for the process
        self.handlers = build_handlers()

    @cached_property
    def analyzer(self):
        return Analyzer.from_config(self.settings.config.nlp)

    @cached_property
    def notifier(self):
        """Pushes through WeChat's API (workers only; the webhook never waits on WeChat)."""
        secrets = self.settings.secrets
        client = WeChatClient(self.redis, secrets.wechat_appid, secrets.wechat_secret,
                              api_base=secrets.wechat_api_base)
        wechat = self.settings.config.wechat
        return Notifier(client, wechat.task_template, {"notice": wechat.notice_template},
                        wecom=channel_for(self.settings, self.redis, self.staff.role_of))

    def enqueue_committed(self, jobs: list[Job]) -> None:
        """Enqueue the jobs of a transaction just committed (while a message is answered: with its reply); what
        Redis refuses stays for the relay."""
        held = _held.get()
        if held is None:
            enqueue_committed(self.queue, jobs)
        else:
            held.extend(jobs)

    def flush_outbox(self) -> int:
        """One relay pass: enqueue every outbox row not yet in Redis."""
        return relay(self.sessions, self.queue)

    def context(self, message: Message) -> Context:
        return Context(settings=self.settings, directory=self.directory, tickets=self.tickets,
                       state=self.state, analyzer=self.analyzer, role=self.staff.role_of(message.sender),
                       people=self.people, staff=self.staff, recent=self.recent, schedule=self.schedule,
                       quotas=self.quotas)

    def schedule(self, delay, job: str, *args) -> bool:
        """Run a job later (RQ's scheduler); False when Redis refuses, so the caller acts now instead."""
        try:
            self.queue.enqueue_in(delay, job, *args, result_ttl=3600, failure_ttl=7 * 24 * 3600)
            return True
        except RedisError as exc:
            log.warning("job %s not scheduled (Redis: %s)", job, exc)
            return False

    def answer(self, message: Message, query: tuple[str, int] | None = None) -> str | None:
        """The reply to one message, the same for each of WeChat's retries of it.

        `query` (the signed query's timestamp and nonce, and the seconds it stays acceptable) may come with this
        message only: with another, Replayed is raised (when Redis is down the store still dedupes tickets)."""
        sender = message.sender
        bind = (f"minhu:query:{query[0]}", f"{message.key} {sender}", query[1]) if query else None
        # A message (not an event) is counted in the claim's round trip; handlers/quota.py holds back only residents.
        count = self.quotas.key("message", sender) if message.type != "event" else None
        claim, (raw_state, raw_recent, raw_rate), counted = self.replies.claim(
            message.key, also_get=(self.state.key(sender), self.recent.key(sender), self.asked_to_rate.key(sender)),
            bind=bind, count=count)
        if claim is False:
            cached = self.replies.wait(message.key)
            if cached is not None or not self.replies.claim(message.key)[0]:
                return cached
        ctx = self.context(message)
        ctx.message_count = counted
        if claim is not None:  # what Redis said in the claim's round trip stands for this request
            ctx.state = RequestState(self.state, sender, self.state.decode(raw_state))
            ctx.recent = RequestState(self.recent, sender, self.recent.decode(raw_recent))
            ctx.asked_to_rate = raw_rate is not None
        ctx.fresh = claim is True
        held: list[Job] = []
        token = _held.set(held)
        try:
            reply = dispatch(self.handlers, message, ctx, on_error=self._once_more_if_dropped)
        except BaseException:
            enqueue_committed(self.queue, held)  # what was committed still goes
            raise
        finally:
            _held.reset(token)
        self.keep(message.key, reply, held)
        return reply

    def keep(self, key: str, reply: str | None, jobs: list[Job]) -> None:
        """Keep the reply for WeChat's retries and enqueue the jobs committed meanwhile, in one round trip."""
        if not jobs:
            self.replies.store(key, reply)
            return
        try:
            with self.redis.pipeline() as pipe:
                self.replies.store(key, reply, pipeline=pipe)
                enqueue_committed(self.queue, jobs, pipeline=pipe)
                pipe.execute()
        except RedisError as exc:
            log.warning("reply not cached, outbox %s not enqueued (Redis: %s); the relay will try again",
                        outbox_ids(jobs), exc)

    def _once_more_if_dropped(self, exc: Exception, message: Message) -> str:
        """A connection the database had dropped (it restarted; SQLAlchemy has let the pool's connections go, and
        the transaction was undone): answer the message once more, on new connections. Else the one error channel."""
        if not db.dropped(exc):
            return self.on_error(exc, message)
        log.warning("database connection dropped; answering message %s again", mask_key(message.key))
        return dispatch(self.handlers, message, self.context(message), on_error=self.on_error)

    def on_error(self, exc: Exception, message: Message) -> str:
        """The one error channel: a database outage spools the message; anything else is logged."""
        if isinstance(exc, SQLAlchemyError):
            try:
                where = self.spool.put(message)
            except OSError:
                log.exception("message %s could be kept neither in Redis nor on disk", mask_key(message.key))
                return SORRY
            log.warning("database unavailable (%s): message %s spooled to %s", type(exc).__name__,
                        mask_key(message.key), where)
            return SPOOLED
        log.exception("handler failed for message %s", mask_key(message.key))
        return SORRY

    def replay(self, message: Message) -> None:
        """Answer a spooled message now that the database is back, and send the answer as a push, once."""
        def again(exc: Exception, _message: Message):
            raise exc

        reply = dispatch(self.handlers, message, self.context(message), on_error=again)
        sent_key = f"minhu:spool:answered:{message.key}"
        if reply and not self.redis.exists(sent_key):
            self.notifier.send(message.sender, Push(text=reply, fields={"title": "您的消息已处理", "text": reply},
                                                    template="notice"))
            self.redis.set(sent_key, 1, ex=7 * 24 * 3600)

    def close(self) -> None:
        """Close what this runtime opened: the connections to the database, Redis and WeChat."""
        if "notifier" in self.__dict__:  # built on first use (cached_property)
            self.notifier.close()
        self.engine.dispose()
        self.redis.close()
        self.blobs.close()


_current: Runtime | None = None


def get(settings: Callable[[], Settings] = load_settings) -> Runtime:
    """This process's runtime, built on first use from `settings()` (config.yaml and the MINHU_* variables)."""
    global _current
    if _current is None:
        _current = Runtime(settings())
    return _current


def install(runtime: Runtime | None) -> None:
    """Use this runtime for the jobs run in this process (tests, `minhu serve`)."""
    global _current
    _current = runtime
