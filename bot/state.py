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

    def get(self, openid: str) -> dict[str, Any] | None:
        try:
            raw = self.redis.get(self.prefix + openid)
        except RedisError as exc:
            log.warning("conversation state unavailable: %s", exc)
            return None
        return json.loads(raw) if raw else None

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
