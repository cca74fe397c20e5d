"""The resources one process needs, built once from the settings: store, Redis, queue, reader, handlers."""
from __future__ import annotations

import logging
from functools import cached_property

from bot import db
from bot.dedupe import ReplyCache
from bot.errors import ConfigError
from bot.queue import connect, make_queue, relay
from bot.routing import Directory
from bot.settings import Settings
from bot.state import StateStore
from bot.tickets import TicketStore
from handlers import Context, Message, build_handlers, dispatch

log = logging.getLogger("minhu")


class Runtime:
    """Everything wired together; the web app and the workers each hold one."""

    def __init__(self, settings: Settings, web: bool = False):
        if not settings.secrets.redis_url:
            raise ConfigError("MINHU_REDIS_URL is not set (`minhu serve` starts an embedded Redis and sets it)")
        self.settings, self.web = settings, web
        self.engine = db.make_engine(settings.database_url)
        self.sessions = db.make_sessions(self.engine)
        self.directory = Directory(settings.config)
        # The webhook must answer within WeChat's 5 s even when Redis is down: fail fast there.
        self.redis = connect(settings.secrets.redis_url, fast=web)
        self.queue = make_queue(self.redis)
        self.tickets = TicketStore(self.sessions, self.directory, after_commit=self.flush_outbox)
        self.state = StateStore(self.redis)
        self.replies = ReplyCache(self.redis)
        self.handlers = build_handlers()

    @cached_property
    def analyzer(self):
        from nlp import Analyzer

        return Analyzer.from_config(self.settings.config.nlp)

    @cached_property
    def notifier(self):
        """Pushes through WeChat's API (workers only; the webhook never waits on WeChat)."""
        from bot.wechat.client import WeChatClient
        from workers.notifier import Notifier

        secrets = self.settings.secrets
        client = WeChatClient(self.redis, secrets.wechat_appid, secrets.wechat_secret,
                              api_base=secrets.wechat_api_base)
        return Notifier(client, self.settings.config.wechat.task_template)

    def flush_outbox(self, ids: list[int] | None = None) -> int:
        """Enqueue outbox rows now; what Redis refuses stays for the relay."""
        return relay(self.sessions, self.queue, ids=ids)

    def context(self, message: Message) -> Context:
        return Context(settings=self.settings, directory=self.directory, tickets=self.tickets, state=self.state,
                       analyzer=self.analyzer, role=self.directory.role_of(message.sender))

    def answer(self, message: Message) -> str | None:
        """The reply to one message, the same for each of WeChat's retries of it."""
        claim = self.replies.claim(message.key)
        if claim is False:
            cached = self.replies.wait(message.key)
            if cached is not None or not self.replies.claim(message.key):
                return cached
        reply = dispatch(self.handlers, message, self.context(message))
        self.replies.store(message.key, reply)
        return reply

    def close(self) -> None:
        self.engine.dispose()
        self.redis.close()
