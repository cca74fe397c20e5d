"""WeChat retries a message it got no answer to within 5 s: each retry gets the first answer, not a second run."""
from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque

from redis import Redis
from redis.connection import AbstractConnection as Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.errors import Replayed
from bot.privacy import mask_key

log = logging.getLogger("minhu.dedupe")
PROCESSING = b"\x00"
REPLAYED = "replayed"  # a claim's result when its signed query came before with another message
# First SET the replies kept since the last claim (the keys after the GETs, their values after ARGV[6]); then, when
# ARGV[5] (seconds) is not 0, bind the signed query (KEYS[2]) to this message (ARGV[6]): a query already bound to
# another message is a replay and claims nothing (-1); then SET NX the claim (KEYS[1]), then GET the next ARGV[3]
# keys; a missing key comes back as false (empty).
_CLAIM = """
local gets = tonumber(ARGV[3])
local bound = tonumber(ARGV[5]) > 0 and 1 or 0
local kept = 2 + bound + gets
for i = kept, #KEYS do
  redis.call('SET', KEYS[i], ARGV[i - kept + 7], 'EX', ARGV[4])
end
if bound == 1 and not redis.call('SET', KEYS[2], ARGV[6], 'NX', 'EX', ARGV[5]) then
  if redis.call('GET', KEYS[2]) ~= ARGV[6] then
    return {-1}
  end
end
local claimed = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) and 1 or 0
local out = {claimed}
for i = 1, gets do
  out[i + 1] = redis.call('GET', KEYS[1 + bound + i]) or false
end
return out
"""


class ReplyCache:
    """Claims a message key on first sight and keeps the reply for the retries."""

    def __init__(self, redis: Redis, prefix: str = "minhu:reply:", claim_ttl: int = 8, keep: int = 3600,
                 linger: float = 0.01, claim_wait: float = 3.0):
        # A claim outlives one WeChat attempt but not all three, so a crash mid-answer is retried.
        self.redis, self.prefix, self.claim_ttl, self.keep_for = redis, prefix, claim_ttl, keep
        # One command instead of a pipeline of several: less to pack and parse on every message.
        self._claim = redis.register_script(_CLAIM)
        self._idle: list[Connection] = []
        self._pid = os.getpid()
        # Replies kept and not yet sent (key, reply), for the next claim or the flusher to send. Bounded:
        # while Redis is down they cannot go anywhere, and a retry then finds its ticket in the store anyway.
        self.linger = linger
        self._kept: deque[tuple[str, bytes, float]] = deque(maxlen=10_000)  # with when it was kept
        self._flusher_pid: int | None = None
        self._wake = threading.Event()
        # Claims waiting for the round trip out to end, and whether one leads (sends the next round trip).
        self._claims_lock = threading.Lock()
        self._waiting: list[_Claim] = []
        self._leading = False
        self.claim_wait = claim_wait

    def claim(self, key: str, also_get: tuple[str, ...] = (),
              bind: tuple[str, str, int] | None = None) -> tuple[bool | None, list[bytes | None]]:
        """Claim the message: True first sight, False a retry, None Redis is down (the store dedupes tickets).

        `also_get` reads more keys in the same round trip (the sender's conversation state and newest ticket).
        `bind` (key, message, seconds) ties the signed query the message came with to it: WeChat retries a message
        with the same query, so the same query with another message is a replay, and raises Replayed.

        The claims of a process's requests share round trips: one that comes while another's round trip is out
        waits for it to end, and the next round trip carries every claim that waited (group commit). Under a
        burst that saved a quarter of Redis's CPU per message (docs/PERFORMANCE.md).
        """
        result = self._wait_for(_Claim(key, also_get, bind))
        if result[0] is REPLAYED:
            raise Replayed(f"message {mask_key(key)} came with the signed query of another message")
        return result

    def _wait_for(self, me: _Claim) -> tuple[bool | None | str, list[bytes | None]]:
        """The claim's result, from the round trip it leads or one it waits for."""
        with self._claims_lock:
            self._waiting.append(me)
            me.lead = not self._leading
            self._leading = True
        while not me.lead:
            if me.ready.acquire(timeout=self.claim_wait):
                if me.result is not None:
                    return me.result
                continue  # it leads the next round trip
            with self._claims_lock:
                if me.result is None and not me.lead and me in self._waiting:  # the round trip ahead never ended
                    self._waiting.remove(me)
                    log.warning("reply cache unavailable: no claim came back in %s s", self.claim_wait)
                    return me.unanswered()
            if me.result is not None:  # else it is in the round trip out now, or was just given the lead
                return me.result
        self._lead()
        return me.result

    def _lead(self) -> None:
        """Send the claims waiting, hand their results over, and pass the lead to a claim that came meanwhile."""
        with self._claims_lock:
            batch, self._waiting = self._waiting, []
        try:
            self._round_trip(batch)
        finally:
            with self._claims_lock:
                for claim in batch:
                    if claim.result is None:  # Redis did not answer it (down, refused, or a bug): never left waiting
                        claim.result = claim.unanswered()
                following = self._waiting[0] if self._waiting else None
                if following is not None:
                    following.lead = True
                else:
                    self._leading = False
            for claim in batch:
                if not claim.lead:  # the one leading waits for nothing
                    claim.ready.release()
            if following is not None:
                following.ready.release()

    def _round_trip(self, batch: list[_Claim]) -> None:
        """Claim each of `batch` in one write and read their answers; a claim Redis does not answer is left
        without a result."""
        todo = batch
        for attempt in (1, 2, 3):
            connection = self._take()
            # The replies kept since the last claim are set by the first claim's own script, ahead of it: no
            # command, system call or wake-up of Redis of their own (one SET each cost a sixth of the webhook's
            # throughput, docs/PERFORMANCE.md).
            kept, set_kept = self._take_kept(256), False
            try:
                self._read_kept(connection)
                packed = []
                for claim in todo:
                    extra = kept if claim is todo[0] else ()
                    bind_key, bound_to, bind_for = claim.bind or ((), "", 0)
                    packed.extend(connection.pack_command(
                        "EVALSHA", self._claim.sha, 1 + len(bind_key) + len(claim.also_get) + len(extra),
                        self.prefix + claim.key, *bind_key, *claim.also_get, *(k for k, _, _ in extra), PROCESSING,
                        self.claim_ttl, len(claim.also_get), self.keep_for, bind_for, bound_to,
                        *(v for _, v, _ in extra)))
                connection.send_packed_command([b"".join(packed)], check_health=False)
                again = []
                for claim in todo:
                    try:
                        results = connection.read_response()
                    except NoScriptError:
                        again.append(claim)
                        continue
                    except ResponseError as exc:  # this claim refused (Redis out of memory...): the others stand
                        log.warning("reply cache unavailable: %s", exc)
                        claim.result = claim.unanswered()
                        continue
                    set_kept = set_kept or claim is todo[0]
                    if results[0] == -1:
                        claim.result = REPLAYED, [None] * len(claim.also_get)
                    else:
                        claim.result = results[0] == 1, list(results[1:])
                if not again:
                    return
                # Redis restarted (or its scripts were flushed) since the script was loaded: load it again.
                todo = again
                try:
                    self.redis.script_load(_CLAIM)
                except RedisError as exc:
                    log.warning("reply cache unavailable: %s", exc)
                    return
            except RedisConnectionError as exc:
                # The connection may have been closed by a Redis restart since it was last used: the failure
                # dropped it, so one more try connects afresh (or fails at once while Redis is down).
                connection.minhu_unread = 0
                todo = [claim for claim in todo if claim.result is None]
                if attempt >= 2 or not todo:
                    log.warning("reply cache unavailable: %s", exc)
                    return
            except RedisError as exc:
                connection.minhu_unread = 0  # a timeout disconnected it too
                log.warning("reply cache unavailable: %s", exc)
                return
            finally:
                if not set_kept:  # the next try (or claim, or the flusher) sets them: setting one twice does no harm
                    self._kept.extendleft(reversed(kept))
                self._idle.append(connection)

    def keep(self, key: str, reply: str | None) -> None:
        """Keep the claimed message's reply for WeChat's retries, without waiting.

        The SET goes out with the process's next claim, or from the flusher `linger` s later when no claim
        comes first: WeChat retries after 5 s, and a retry that comes sooner waits for the reply (`wait`), as
        for any claim still being answered. A retry to this process meets its reply ahead of its own claim."""
        self._kept.append((self.prefix + key, (reply or "").encode("utf-8"), time.monotonic()))
        if self._flusher_pid != os.getpid():  # first use in this process (gunicorn forks workers)
            self._start_flusher()
        if not self._wake.is_set():
            self._wake.set()

    def flush(self) -> None:
        """Send the replies kept and not sent yet, without waiting for Redis's OKs."""
        kept = self._take_kept()
        if not kept:
            return
        connection = self._take()
        try:
            self._read_kept(connection)
            packed = [chunk for key, value, _ in kept
                      for chunk in connection.pack_command("SET", key, value, "EX", self.keep_for)]
            connection.send_packed_command([b"".join(packed)], check_health=False)
            connection.minhu_unread += len(kept)
        except RedisError as exc:
            connection.minhu_unread = 0
            log.warning("%d replies not cached: %s", len(kept), exc)
        finally:
            self._idle.append(connection)

    def _take_kept(self, most: int = 10_000) -> list[tuple[str, bytes, float]]:
        kept = []
        while len(kept) < most:  # popleft is atomic: with threads, each reply is taken by one sender only
            try:
                kept.append(self._kept.popleft())
            except IndexError:
                break
        return kept

    def _start_flusher(self) -> None:
        self._flusher_pid = os.getpid()
        self._wake = threading.Event()
        threading.Thread(target=self._flush_forever, name="minhu-reply-flusher", daemon=True).start()
        atexit.register(self.flush)

    def _flush_forever(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()  # a reply kept from now on sets it again
            while self._kept:
                try:
                    wait = self._kept[0][2] + self.linger - time.monotonic()
                except IndexError:  # a claim took them meanwhile
                    break
                if wait > 0:  # under a burst, claims take each one before it is due
                    time.sleep(wait)
                    continue
                try:
                    self.flush()
                except Exception:  # noqa: BLE001 - never the flusher's end
                    log.exception("kept replies not sent")

    @staticmethod
    def _read_kept(connection: Connection) -> None:
        """Read the answers to the replies kept on this connection since its last command (they are in by now)."""
        while connection.minhu_unread:
            connection.minhu_unread -= 1
            try:
                connection.read_response()
            except (RedisConnectionError, RedisTimeoutError):
                connection.minhu_unread = 0  # the connection is gone, and with it what it had not answered
                raise
            except RedisError as exc:  # Redis refused that SET (out of memory...): only that reply is not kept
                log.warning("reply not cached: %s", exc)

    def _take(self) -> Connection:
        """A connection of this process's own for one command, used as it is: every message claims, and going
        through the client (the pool's checkout with a poll of the socket, command dispatch, retry wrappers,
        the script object) cost more than the round trip itself (docs/PERFORMANCE.md). Whoever takes one
        gives it back to `_idle` (list.pop and append are atomic, for threads and greenlets alike), so
        there are only as many as messages were ever claimed at the same moment; one that a failure
        disconnected connects again by itself."""
        if self._pid != os.getpid():  # gunicorn forked this process: the parent's connections are not ours
            self._idle, self._pid = [], os.getpid()
        try:
            return self._idle.pop()
        except IndexError:
            connection = self.redis.connection_pool.make_connection()
            connection.minhu_unread = 0  # replies kept on it whose OK is still to be read
            return connection

    def store(self, key: str, reply: str | None) -> None:
        """Keep the reply for the retries, waiting for Redis (when the claim could not be made)."""
        try:
            self.redis.set(self.prefix + key, (reply or "").encode("utf-8"), ex=self.keep_for)
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


class _Claim:
    """One request's claim, waiting its turn in a round trip; `ready` is let go when it has its result or the lead."""

    __slots__ = ("key", "also_get", "bind", "result", "lead", "ready")

    def __init__(self, key: str, also_get: tuple[str, ...], bind: tuple[str, str, int] | None = None):
        self.key, self.also_get = key, also_get
        self.bind = ((bind[0],), bind[1], bind[2]) if bind else None
        self.result: tuple[bool | None | str, list[bytes | None]] | None = None
        self.lead = False
        self.ready = threading.Lock()
        self.ready.acquire()

    def unanswered(self) -> tuple[None, list[None]]:
        """The result of a claim Redis could not answer: as with Redis down, the store dedupes the message."""
        return None, [None] * len(self.also_get)
