"""`minhu serve` looks after its embedded Redis as after its other children: killed, it is back on the same socket
and data, and the pushes go out again."""
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import redis as redis_lib

from bot.store.queue import _Outage
from tests.test_cli import alone, free_port, minhu  # noqa: F401  (the `alone` fixture)


@pytest.fixture
def embedded(tmp_path):
    from bot.cli.serve import EmbeddedRedis

    server = EmbeddedRedis(tmp_path / "served")
    yield server
    server.stop()


@pytest.fixture
def env(env, embedded, monkeypatch):
    # After a failure the webhook leaves Redis alone for a moment: none here, the test says when Redis is back.
    monkeypatch.setattr(_Outage, "pause", 0.0)
    return env | {"MINHU_REDIS_URL": embedded.url}


def kill(server) -> None:
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()


def test_the_embedded_redis_killed_is_started_again_on_its_socket_with_its_data(embedded, wechat, runtime, client):
    runtime.redis.set("minhu:test:kept", "before the kill")  # answered, so in the append-only file
    kill(embedded)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["redis"].startswith("down")
    assert embedded.check()  # the supervision's pass: it sees the death and starts Redis again
    assert client.get("/healthz").json == {"ok": True, "database": "ok", "redis": "ok"}
    assert runtime.redis.get("minhu:test:kept") == b"before the kill"
    assert "工单号" in wechat.say("2号楼3单元楼道灯不亮了", sender="o_resident_after")
    assert runtime.queue.count > 0  # the new ticket's jobs reached the restarted Redis


def test_a_redis_left_running_by_a_killed_serve_is_shut_down_before_another_starts(tmp_path):
    """Two servers must never write one append-only file."""
    from bot.cli.serve import EmbeddedRedis

    first = EmbeddedRedis(tmp_path / "var")
    redis_lib.Redis.from_url(first.url).set("minhu:test:kept", "yes")
    second = EmbeddedRedis(tmp_path / "var")  # as if `minhu serve` had been killed with -9 and started again
    try:
        assert first.proc.wait(timeout=30) == 0  # shut down cleanly, its data saved
        assert redis_lib.Redis.from_url(second.url).get("minhu:test:kept") == b"yes"
    finally:
        second.stop()
        first.stop()


def wait_for(what, deadline: float, every: float = 0.2):
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(every)
    return None


def test_minhu_serve_restarts_its_killed_redis_and_pushes_go_out_again(alone, tmp_path):  # noqa: F811
    port, log_path = free_port(), tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        serve = subprocess.Popen([sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port), "--web-workers", "1",
                                  "--workers", "2"],
                                 env=alone, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/wechat"

    def said(text, sender):
        result = minhu(alone, "say", "--url", url, "--as", sender, text)
        return result.returncode == 0 and re.search(r"工单号：(\d+)", result.stdout)

    def pushed(number):
        return lambda: f"工单号：{number}" in log_path.read_text(errors="replace")

    try:
        deadline = time.monotonic() + 120
        served = wait_for(lambda: (tmp_path / "var" / "serve.json").exists(), deadline)
        assert served, log_path.read_text()
        redis = redis_lib.Redis.from_url(json.loads((tmp_path / "var" / "serve.json").read_text())["MINHU_REDIS_URL"])
        first = wait_for(lambda: said("3号楼2单元楼顶漏水了", "o_resident_before"), deadline)
        assert first and wait_for(pushed(first.group(1)), deadline), log_path.read_text()

        killed = redis.info("server")["process_id"]
        os.kill(killed, signal.SIGKILL)
        restarted = wait_for(lambda: _pid(redis) not in (None, killed), deadline)
        assert restarted, log_path.read_text()
        second = wait_for(lambda: said("5号楼电梯坏了", "o_resident_after"), deadline)
        assert second, log_path.read_text()
        assert wait_for(pushed(second.group(1)), deadline), log_path.read_text()  # the worker reconnected
        output = log_path.read_text(errors="replace")
        assert "embedded Redis exited" in output and "starting it again" in output
        # gunicorn's access log names the path, never the signed query WeChat sends.
        assert "POST /wechat" in output
        assert not re.search(r"signature|nonce=|timestamp=", output), output
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)


def _pid(redis):
    try:
        return redis.info("server")["process_id"]
    except redis_lib.RedisError:
        return None


def test_minhu_serve_runs_fewer_workers_where_memory_is_short():
    from bot.cli.serve import default_workers

    assert default_workers(64 * 1024) == 16  # a large machine: enough to overlap a burst's round trips
    assert default_workers(1500) == 3  # a 2 GB machine keeps most of its memory
    assert default_workers(300) == 2  # and a tiny one still gets two
    assert 2 <= default_workers() <= 16  # this machine, from /proc/meminfo


def test_minhu_serve_runs_one_web_process_on_sqlite_and_two_on_postgresql():
    from bot.cli.serve import web_processes

    # SQLite has one writer: a second process only meets the first at its write lock.
    assert web_processes("sqlite:////data/minhu.db") == 1
    assert web_processes("postgresql://minhu@db/minhu") == 2

