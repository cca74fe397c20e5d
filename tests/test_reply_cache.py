"""The claim against WeChat's retries, as many requests of one process make it at once (bot/dedupe.py)."""
import threading
import time
import uuid

import pytest

from bot.dedupe import ReplyCache


@pytest.fixture
def cache(redis):
    return ReplyCache(redis, prefix=f"minhu:reply:{uuid.uuid4().hex[:8]}:")


def _at_once(count, claim):
    start, results = threading.Barrier(count), [None] * count

    def run(i):
        start.wait()
        results[i] = claim(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


def _slow_first_round_trip(monkeypatch, cache, pause):
    """Hold the first round trip's answer back for `pause` s, so that the other claims queue behind it."""
    connection_class = cache.redis.connection_pool.connection_class
    real_send, real_read = connection_class.send_packed_command, connection_class.read_response
    sends = []

    def send(self, command, check_health=True):
        sends.append(b"".join(command).count(b"EVALSHA"))
        return real_send(self, command, check_health)

    def read(self, *args, **kwargs):
        if len(sends) == 1:
            time.sleep(pause)
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(connection_class, "send_packed_command", send)
    monkeypatch.setattr(connection_class, "read_response", read)
    return sends


def test_claims_that_come_while_one_is_out_share_the_next_round_trip(cache, monkeypatch):
    cache.claim("msg:warm")  # the script loaded, a connection made
    sends = _slow_first_round_trip(monkeypatch, cache, 0.5)
    results = _at_once(8, lambda i: cache.claim(f"msg:many{i}", also_get=(f"minhu:none:{i}",)))
    assert results == [(True, [None])] * 8
    assert sum(sends) == 8 and len(sends) <= 3, sends  # one claim, then the seven that waited (in one or two)
    assert all(cache.claim(f"msg:many{i}")[0] is False for i in range(8))  # each claimed, once


def test_one_message_claimed_by_many_requests_at_once_is_first_sight_for_one(cache):
    results = _at_once(8, lambda i: cache.claim("msg:same"))
    assert sorted(first for first, _ in results) == [False] * 7 + [True]


def test_each_claim_gets_its_own_keys_back(cache, redis):
    for i in range(6):
        redis.set(f"{cache.prefix}state:{i}", f"state {i}")
    results = _at_once(6, lambda i: cache.claim(f"msg:own{i}", also_get=(f"{cache.prefix}state:{i}",)))
    assert results == [(True, [f"state {i}".encode()]) for i in range(6)]


def test_a_claim_behind_a_round_trip_that_never_comes_back_gives_up_in_time(cache, monkeypatch):
    cache.claim("msg:warm")
    cache.claim_wait = 0.3
    sends = _slow_first_round_trip(monkeypatch, cache, 2.0)
    first = []
    leader = threading.Thread(target=lambda: first.append(cache.claim("msg:stuck0")))
    leader.start()
    deadline = time.monotonic() + 5
    while not sends and time.monotonic() < deadline:  # its round trip is out (and held back)
        time.sleep(0.005)
    started = time.monotonic()
    assert cache.claim("msg:stuck1") == (None, [])  # treated as Redis down: the store dedupes it
    assert time.monotonic() - started < 1.0
    leader.join(5)
    assert first == [(True, [])]  # the slow one still answered


def test_replies_kept_ride_on_the_next_claim(cache, redis):
    assert cache.claim("msg:told")[0] is True
    cache.linger = 60  # no flusher in time: only the claim can carry it
    cache.keep("msg:told", "已受理！工单号：100003")
    assert cache.claim("msg:next")[0] is True
    assert redis.get(cache.prefix + "msg:told") == "已受理！工单号：100003".encode()
    assert cache.claim("msg:told")[0] is False


def test_claims_after_redis_forgot_the_script_are_all_claimed(cache, redis):
    cache.claim("msg:warm")
    cache.keep("msg:warm", "已受理")
    redis.script_flush()
    results = _at_once(6, lambda i: cache.claim(f"msg:flushed{i}"))
    assert results == [(True, [])] * 6
    assert redis.get(cache.prefix + "msg:warm") == "已受理".encode()


def test_a_reply_kept_with_no_claim_after_it_reaches_redis_by_itself(cache, redis):
    # Kept replies ride on the process's next claim; with none coming, the flusher sends them a moment later.
    assert cache.claim("msg:alone")[0] is True
    cache.keep("msg:alone", "已受理！工单号：100007")
    deadline = time.monotonic() + 2
    while redis.get(cache.prefix + "msg:alone") == b"\x00" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert redis.get(cache.prefix + "msg:alone") == "已受理！工单号：100007".encode()
