"""WeChat retries a message it got no answer to within 5 s: each retry gets the first answer, not a second run."""
from __future__ import annotations

import logging
import time

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import RedisError

from bot.errors import Replayed
from bot.domain.privacy import mask_key

log = logging.getLogger("minhu.dedupe")
PROCESSING = b"\x00"
# When ARGV[3] (seconds) is not 0, first bind the signed query (KEYS[2]) to this message (ARGV[4]): a query already
# bound to another message is a replay and claims nothing (-1). Then SET NX the claim (KEYS[1]); on first sight, when
# ARGV[5] (seconds) is not 0, count the message in the sender's quota (the next key) as bot/domain/quotas.py does: INCR,
# and EXPIRE when the window starts. Then GET the other keys. It returns the claim (1 or 0), the count (false when
# not counted) and the keys read, a missing key as false (empty).
_CLAIM = """
local bound = tonumber(ARGV[3]) > 0 and 1 or 0
if bound == 1 and not redis.call('SET', KEYS[2], ARGV[4], 'NX', 'EX', ARGV[3]) then
  if redis.call('GET', KEYS[2]) ~= ARGV[4] then
    return {-1}
  end
end
local first = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) and 1 or 0
local counted = tonumber(ARGV[5]) > 0 and 1 or 0
local out = {first, false}
if counted == 1 and first == 1 then
  local quota = KEYS[2 + bound]
  out[2] = redis.call('INCR', quota)
  if out[2] == 1 or redis.call('TTL', quota) == -1 then
    redis.call('EXPIRE', quota, ARGV[5])
  end
end
for i = 2 + bound + counted, #KEYS do
  out[#out + 1] = redis.call('GET', KEYS[i]) or false
end
return out
"""


class ReplyCache:
    """Claims a message key on first sight and keeps the reply for the retries."""

    def __init__(self, redis: Redis, prefix: str = "minhu:reply:", claim_ttl: int = 8, keep: int = 3600):
        # A claim outlives one WeChat attempt but not all three, so a crash mid-answer is retried.
        self.redis, self.prefix, self.claim_ttl, self.keep_for = redis, prefix, claim_ttl, keep
        self._claim = redis.register_script(_CLAIM)

    def claim(self, key: str, also_get: tuple[str, ...] = (), bind: tuple[str, str, int] | None = None,
              count: tuple[str, int] | None = None) -> tuple[bool | None, list[bytes | None], int | None]:
        """Claim the message: True first sight, False a retry, None Redis is down (the store dedupes tickets).

        One round trip: `also_get` reads more keys in it (the sender's conversation state and newest ticket), and
        `bind` (key, message, seconds) ties the signed query the message came with to it: WeChat retries a message
        with the same query, so the same query with another message is a replay, and raises Replayed. On first
        sight `count` (key, window seconds) counts the message in a quota; the count comes back third (None: not
        counted)."""
        bind_key, bound_to, bind_for = ((bind[0],), bind[1], bind[2]) if bind else ((), "", 0)
        count_key, count_for = ((count[0],), count[1]) if count else ((), 0)
        try:
            result = self._claim(keys=[self.prefix + key, *bind_key, *count_key, *also_get],
                                 args=[PROCESSING, self.claim_ttl, bind_for, bound_to, count_for])
        except RedisError as exc:
            log.warning("reply cache unavailable: %s", exc)
            return None, [None] * len(also_get), None
        if result[0] == -1:
            raise Replayed(f"message {mask_key(key)} came with the signed query of another message")
        return result[0] == 1, list(result[2:]), result[1]

    def store(self, key: str, reply: str | None, pipeline: Pipeline | None = None) -> None:
        """Keep the reply for the retries (a retry that comes while it is being worked out waits for it); with
        `pipeline`, only add the write to it."""
        try:
            writer = self.redis if pipeline is None else pipeline
            writer.set(self.prefix + key, (reply or "").encode("utf-8"), ex=self.keep_for)
        except RedisError as exc:
            log.warning("reply not cached: %s", exc)

    def wait(self, key: str, timeout: float = 3.0) -> str | None:
        """The first attempt's reply, waiting a little while it is still being worked out."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.redis.get(self.prefix + key)
            except RedisError:
                return None
            if value is None:
                return None
            if value != PROCESSING:
                return value.decode("utf-8") or None
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)
