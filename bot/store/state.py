"""Conversation state in Redis, per person, with a timeout; a Redis outage reads as 'no state'."""
from __future__ import annotations

import json
import logging
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger("minhu.state")


class StateStore:
    """Small JSON documents keyed by openid, forgotten after `ttl` seconds."""

    def __init__(self, redis: Redis, ttl: int = 1800, prefix: str = "minhu:conv:"):
        self.redis, self.ttl, self.prefix = redis, ttl, prefix

    def key(self, openid: str) -> str:
        return self.prefix + openid

    @staticmethod
    def decode(raw: bytes | None) -> dict[str, Any] | None:
        return json.loads(raw) if raw else None

    def get(self, openid: str) -> dict[str, Any] | None:
        try:
            raw = self.redis.get(self.prefix + openid)
        except RedisError as exc:
            log.warning("conversation state unavailable: %s", exc)
            return None
        return self.decode(raw)

    def set(self, openid: str, state: dict[str, Any]) -> bool:
        """Remember the state; False when it could not be kept (the caller must not rely on it)."""
        try:
            self.redis.set(self.prefix + openid, json.dumps(state, ensure_ascii=False), ex=self.ttl)
            return True
        except RedisError as exc:
            log.warning("conversation state not saved: %s", exc)
            return False

    def clear(self, openid: str) -> None:
        try:
            self.redis.delete(self.prefix + openid)
        except RedisError as exc:
            log.warning("conversation state not cleared: %s", exc)


class RequestState:
    """One request's view of a person's state, read up front with the reply-cache claim (one round trip)."""

    def __init__(self, store: StateStore, openid: str, known: dict[str, Any] | None):
        self.store, self.openid, self.known = store, openid, known

    def get(self, openid: str) -> dict[str, Any] | None:
        return self.known if openid == self.openid else self.store.get(openid)

    def set(self, openid: str, state: dict[str, Any]) -> bool:
        if openid == self.openid:
            self.known = state
        return self.store.set(openid, state)

    def clear(self, openid: str) -> None:
        if openid != self.openid or self.known is not None:
            self.store.clear(openid)
        if openid == self.openid:
            self.known = None
