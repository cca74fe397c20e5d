"""Two web nodes, two workers, the relay and the scheduler on PostgreSQL and a real redis-server, as in production:
each message reaches both nodes at once (WeChat's retry landing on the other node) and still makes one ticket and
one push; neighbours reporting through either node share one ticket."""
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.wechat.say import reply_text, signed_params, text_xml

POSTGRES = os.environ.get("MINHU_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (MINHU_TEST_POSTGRES_URL; CI gives one)")
PROBLEMS = ["{b}号楼顶楼天花板漏水了", "{b}号楼下水道堵了污水冒出来", "{b}号楼楼道灯坏了", "{b}号楼电梯坏了停运",
            "{b}号楼垃圾桶满了没人清", "{b}号楼单元门禁坏了"]
NUMBER = re.compile(r"工单号：(\d+)")


@pytest.fixture
def stack(monkeypatch):
    from bench.stack import Stack

    monkeypatch.setenv("MINHU_BENCH_DATABASE_URL", POSTGRES)
    if os.path.exists("/usr/bin/redis-server"):  # Debian's, which .ci/run installs
        monkeypatch.setenv("MINHU_REDIS_SERVER", "/usr/bin/redis-server")
    with Stack(web_workers=1, web_nodes=2, buildings=40) as stack:
        for _ in range(2):
            stack.start_worker()
        stack.start_relay()
        stack.start_scheduler()
        yield stack


def both_nodes(stack, session, sender: str, text: str, msg_id: int) -> list[str | None]:
    """The same message posted to both nodes at the same moment; each node's ticket number."""
    def post(url):
        response = session.post(url, params=signed_params(stack.token), data=text_xml(sender, text, str(msg_id)).encode(),
                                timeout=30)
        assert response.status_code == 200
        found = NUMBER.search(reply_text(response.content.decode("utf-8")) or "")
        return found.group(1) if found else reply_text(response.content.decode("utf-8"))

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(post, stack.urls))


def task_pushes(stack) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in list(stack.standin.messages):
        found = NUMBER.search(message.get("content") or "")
        if found and "新工单" in message["content"]:
            counts[found.group(1)] = counts.get(found.group(1), 0) + 1
    return counts


def test_two_nodes_and_two_workers_make_one_ticket_and_one_push_per_problem(stack):
    session = requests.Session()
    base = int(time.time() * 1000)
    letters = [(f"o_scale_{i}", PROBLEMS[i % len(PROBLEMS)].format(b=i // len(PROBLEMS) + 1), base + i)
               for i in range(40)]
    # 20 neighbours, through either node, about one leak at building 40.
    letters += [(f"o_neighbour_{i}", "40号楼顶楼天花板漏水了，家里墙都湿了", base + 100 + i) for i in range(20)]
    with ThreadPoolExecutor(16) as pool:
        numbers = list(pool.map(lambda letter: both_nodes(stack, session, *letter), letters))
    assert all(a == b for a, b in numbers), [pair for pair in numbers if pair[0] != pair[1]]
    distinct = {pair[0] for pair in numbers[:40]}
    assert len(distinct) == 40 and all(number.isdigit() for number in distinct)
    (shared,) = {pair[0] for pair in numbers[40:]}  # the first opened it, the others joined it
    assert shared.isdigit() and shared not in distinct
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(task_pushes(stack)) < 41:
        time.sleep(0.2)
    time.sleep(2)  # a second push of any ticket would show up now
    assert task_pushes(stack) == {number: 1 for number in distinct | {shared}}
    assert stack.sql("select count(*) from tickets")[0][0] == 41
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry

    with Redis.from_url(stack.redis.url) as redis:
        assert len(FailedJobRegistry(queue=Queue("minhu", connection=redis))) == 0
