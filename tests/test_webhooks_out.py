"""Outbound webhooks: each ticket status change reaches the district system once, signed, retried until taken."""
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.domain import webhooks_out
from bot.store.models import WebhookDelivery
from tests.conversation import config_changes, number_in, rows, settings  # noqa: F401  (fixtures)

SECRET = "district-shared-secret"
GRID1 = "o_demo_grid1_li"


class Receiver:
    """A district system on loopback: records every POST and answers with the statuses it is told to, then 200."""

    def __init__(self):
        self.received, self.answers = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.answers.pop(0) if receiver.answers else 200
                receiver.received.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/minhu-events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def events(self) -> list[dict]:
        """What the receiver took (answered 200): signature right, each event id once (it dedupes by id)."""
        kept = {}
        for headers, body, status in self.received:
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(headers["X-Minhu-Signature"], expected)
            payload = json.loads(body)
            assert headers["X-Minhu-Event-Id"] == str(payload["event_id"])
            assert headers["X-Minhu-Timestamp"] == str(payload["timestamp"])
            if status == 200:
                kept.setdefault(payload["event_id"], payload)
        return [kept[k] for k in sorted(kept)]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def env(env):
    return env | {"MINHU_OUTBOUND_WEBHOOK_SECRET": SECRET}


@pytest.fixture
def config_changes(receiver):
    return {"outbound_webhook": {"url": receiver.url}}


@pytest.fixture(autouse=True)
def _no_pubsub(monkeypatch):
    """The in-test worker needs no commands over pub/sub, and RQ's pub/sub thread may take 60 s to stop (rq/rq#1613)."""
    from rq import SimpleWorker

    monkeypatch.setattr(SimpleWorker, "subscribe", lambda self: None)


@pytest.fixture
def settled(monkeypatch):
    """Events count as settled at once (the sweep waits 2 s for late commits)."""
    monkeypatch.setattr(webhooks_out, "SETTLE", timedelta(0))


def sweep_and_send(wechat, runtime):
    wechat.run_jobs()
    webhooks_out.sweep(runtime)
    wechat.run_jobs()


def test_each_status_change_is_posted_once_signed(wechat, runtime, receiver, settled):
    webhooks_out.sweep(runtime)  # the first sweep starts from now: nothing of the past is sent
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_resident_hook"))
    sweep_and_send(wechat, runtime)
    wechat.say(f"接单 {number}", sender=GRID1)
    wechat.say(f"完成 {number} 已请物业重做楼顶防水，电话13900001111", sender=GRID1)
    sweep_and_send(wechat, runtime)
    wechat.say("满意", sender="o_resident_hook")
    sweep_and_send(wechat, runtime)
    sweep_and_send(wechat, runtime)  # again: nothing new

    got = receiver.events()
    assert [(e["event"], e["status"]) for e in got] == [
        ("created", "new"), ("dispatched", "dispatched"), ("accepted", "accepted"), ("resolved", "resolved"),
        ("rated", "closed")]
    assert len(receiver.received) == 5  # each once
    assert {e["ticket"]["service_request_id"] for e in got} == {number}
    resolved = got[3]
    assert resolved["open311_status"] == "closed" and resolved["ticket"]["status_notes"].startswith("已请物业重做")
    assert "13900001111" not in json.dumps(got, ensure_ascii=False) and "o_resident_hook" not in str(got)


def test_a_receiver_that_fails_first_gets_the_change_on_a_retry(wechat, runtime, receiver, settled):
    webhooks_out.sweep(runtime)
    receiver.answers = [500]
    wechat.say("5号楼楼道灯坏了", sender="o_resident_hook")
    sweep_and_send(wechat, runtime)
    assert [e["event"] for e in receiver.events()] == ["dispatched"]  # the first change was refused
    wechat.run_due_jobs()  # RQ's retry, its back-off passed
    wechat.run_due_jobs()
    assert [e["event"] for e in receiver.events()] == ["created", "dispatched"]
    assert [p["event_id"] for _, p in [(h, json.loads(b)) for h, b, _ in receiver.received]][:1] == \
        [receiver.events()[0]["event_id"]]  # the retry carried the same event id
    sent = [(r.state, r.attempts) for r in rows(runtime, WebhookDelivery) if r.state != "skipped"]
    assert sent == [("sent", 2), ("sent", 1)] and len(receiver.received) == 3


def test_without_a_secret_nothing_is_sent(wechat, runtime, receiver, settled):
    secrets = runtime.settings.secrets.model_copy(update={"outbound_webhook_secret": ""})
    runtime.settings = runtime.settings.model_copy(update={"secrets": secrets})
    webhooks_out.sweep(runtime)
    wechat.say("5号楼楼道灯坏了", sender="o_resident_hook")
    sweep_and_send(wechat, runtime)
    assert receiver.received == [] and rows(runtime, WebhookDelivery) == []


def test_a_change_whose_job_redis_lost_is_queued_again(wechat, runtime, receiver, settled, monkeypatch):
    webhooks_out.sweep(runtime)
    wechat.say("5号楼楼道灯坏了", sender="o_resident_hook")
    wechat.run_jobs()
    webhooks_out.sweep(runtime)
    runtime.queue.empty()  # Redis lost the jobs
    monkeypatch.setattr(webhooks_out, "LOST_AFTER", timedelta(0))
    sweep_and_send(wechat, runtime)
    assert [e["event"] for e in receiver.events()] == ["created", "dispatched"] and len(receiver.received) == 2
