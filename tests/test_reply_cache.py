"""The claim against WeChat's retries, as many requests of one process make it at once (bot/store/dedupe.py)."""
import threading
import uuid

import pytest

from bot.store.dedupe import ReplyCache


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


def test_one_message_claimed_by_many_requests_at_once_is_first_sight_for_one(cache):
    results = _at_once(8, lambda i: cache.claim("msg:same"))
    assert sorted(first for first, _ in results) == [False] * 7 + [True]


def test_each_claim_gets_its_own_keys_back(cache, redis):
    for i in range(6):
        redis.set(f"{cache.prefix}state:{i}", f"state {i}")
    results = _at_once(6, lambda i: cache.claim(f"msg:own{i}", also_get=(f"{cache.prefix}state:{i}",)))
    assert results == [(True, [f"state {i}".encode()]) for i in range(6)]


def test_claims_after_redis_forgot_the_script_are_all_claimed(cache, redis):
    cache.claim("msg:warm")
    redis.script_flush()
    results = _at_once(6, lambda i: cache.claim(f"msg:flushed{i}"))
    assert results == [(True, [])] * 6
