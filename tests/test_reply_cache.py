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
    assert sorted(first for first, _, _ in results) == [False] * 7 + [True]


def test_each_claim_gets_its_own_keys_back(cache, redis):
    for i in range(6):
        redis.set(f"{cache.prefix}state:{i}", f"state {i}")
    results = _at_once(6, lambda i: cache.claim(f"msg:own{i}", also_get=(f"{cache.prefix}state:{i}",)))
    assert results == [(True, [f"state {i}".encode()], None) for i in range(6)]


def test_claims_after_redis_forgot_the_script_are_all_claimed(cache, redis):
    cache.claim("msg:warm")
    redis.script_flush()
    results = _at_once(6, lambda i: cache.claim(f"msg:flushed{i}"))
    assert results == [(True, [], None)] * 6


def test_a_message_counts_in_its_quota_on_first_sight_only(cache, redis):
    quota = f"{cache.prefix}quota"
    assert cache.claim("msg:q1", count=(quota, 60)) == (True, [], 1)
    assert cache.claim("msg:q1", count=(quota, 60)) == (False, [], None)  # WeChat's retry counts once
    assert cache.claim("msg:q2", also_get=(quota,), count=(quota, 60)) == (True, [b"2"], 2)
    assert 0 < redis.ttl(quota) <= 60
    redis.persist(quota)  # a count left without a time to live must not hold the sender back for good
    assert cache.claim("msg:q3", count=(quota, 60))[2] == 3 and 0 < redis.ttl(quota) <= 60
