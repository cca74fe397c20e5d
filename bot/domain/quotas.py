"""Each resident's quotas (config.yaml's `quotas`): messages a minute, tickets a day, urgent pages an hour, in Redis."""
from __future__ import annotations

import logging
from datetime import UTC
from zoneinfo import ZoneInfo

from redis import Redis
from redis.exceptions import RedisError

from bot.domain.clock import utcnow
from bot.domain.privacy import mask_openid
from bot.settings import QuotaSettings

log = logging.getLogger("minhu.quotas")
# One more, and the window starts with the first: INCR and EXPIRE in one script, so no count outlives its window
# (a key left without a time to live would hold a resident back for good).
_TAKE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) == -1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""
DAY = 24 * 3600


class Quotas:
    """Counts what each resident sends (`message`), opens (`ticket`) and pages the secretary for (`page`)."""

    def __init__(self, redis: Redis, settings: QuotaSettings, zone: ZoneInfo, prefix: str = "minhu:quota:"):
        self.settings, self.zone, self.prefix = settings, zone, prefix
        self._take = redis.register_script(_TAKE)
        self._limits = {"message": (settings.messages_per_minute, 60), "ticket": (settings.tickets_per_day, 2 * DAY),
                        "page": (settings.urgent_pages_per_hour, 3600)}

    def key(self, kind: str, openid: str) -> tuple[str, int]:
        """The Redis key that counts `kind` for this resident now, and its window in seconds."""
        key = f"{self.prefix}{kind}:{openid}"
        if kind == "ticket":  # a calendar day where the residents live: "明天可以再发" means tomorrow
            key += utcnow().replace(tzinfo=UTC).astimezone(self.zone).strftime(":%Y-%m-%d")
        return key, self._limits[kind][1]

    def take(self, kind: str, openid: str) -> bool:
        """Count one more `kind` for this resident; False when it is past the quota. Redis down: True (fail open)."""
        key, seconds = self.key(kind, openid)
        try:
            count = self._take(keys=[key], args=[seconds])
        except RedisError as exc:
            log.warning("quota not counted (Redis: %s)", exc)
            return True
        return self.allows(kind, openid, count)

    def allows(self, kind: str, openid: str, count: int) -> bool:
        """Whether the `count`th `kind` of the window is within the quota (messages are counted with the webhook's
        claim, bot/store/dedupe.py)."""
        most = self._limits[kind][0]
        if count == most + 1:  # once per window, not once per message of a flood
            log.warning("%s past the quota of %d %ss", mask_openid(openid), most, kind)
        return count <= most
