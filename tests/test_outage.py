"""Redis down while a resident writes: the resident still gets a ticket, the push goes out once Redis is back."""
import re
import time

import pytest

from bot.store.queue import _Outage

from bot.store.tickets import OPEN_JOBS


@pytest.fixture
def env(env, redis_process, monkeypatch):
    # After a failure the webhook leaves Redis alone for a moment; make the moment short for the test.
    monkeypatch.setattr(_Outage, "pause", 0.2)
    monkeypatch.setattr(_Outage, "until", 0.0)
    return env | {"MINHU_REDIS_URL": redis_process.url}


def test_redis_down_then_back(wechat, runtime, redis_process, fake_wechat):
    redis_process.kill()
    reply = wechat.say("2号楼3单元楼道灯不亮了", sender="o_resident_outage")
    number = re.search(r"工单号：(\d+)", reply).group(1)
    assert wechat.ticket_count() == 1
    assert fake_wechat.texts_to("o_demo_grid1_li") == []

    redis_process.start()
    time.sleep(0.3)
    assert runtime.flush_outbox() == len(OPEN_JOBS)  # the relay's pass: every job of the new ticket
    wechat.run_jobs()
    pushes = fake_wechat.texts_to("o_demo_grid1_li")
    assert len(pushes) == 1 and number in pushes[0]
    # A later relay pass and another worker run send nothing more.
    assert runtime.flush_outbox() == 0
    wechat.run_jobs()
    assert len(fake_wechat.texts_to("o_demo_grid1_li")) == 1


def test_retry_while_redis_down_still_one_ticket(wechat, redis_process):
    redis_process.kill()
    first = wechat.say("11号楼楼顶漏水", msg_id="424242")
    second = wechat.say("11号楼楼顶漏水", msg_id="424242")
    assert first == second
    assert wechat.ticket_count() == 1


def test_a_retry_with_the_same_signed_query_while_redis_is_down_still_gets_its_ticket(wechat, redis_process):
    """Redis keeps which message a signed query came with; without it the store's source_key still dedupes."""
    from bot.wechat.say import reply_text, signed_params, text_xml

    redis_process.kill()
    query, body = signed_params(wechat.token), text_xml("o_resident_q", "12号楼楼顶漏水", "434343")
    first, again = (reply_text(wechat.post(body, params=query).data.decode()) for _ in range(2))
    assert "工单号" in first and again == first
    assert wechat.ticket_count() == 1


def test_job_lost_by_redis_is_enqueued_again_and_sent_once(wechat, runtime, fake_wechat):
    from datetime import timedelta

    from bot.store.queue import reconcile

    wechat.say("4号楼楼顶漏水了", sender="o_resident_lost")
    runtime.redis.flushdb()  # Redis crashed and came back without its last writes: the job is gone
    assert runtime.flush_outbox() == len(OPEN_JOBS)  # the relay finds it missing and enqueues it again
    runtime.redis.flushdb()  # and lost again, after the relay had found it there
    assert runtime.flush_outbox() == 0
    assert reconcile(runtime.sessions, runtime.queue, min_age=timedelta(0))["lost"] == len(OPEN_JOBS)
    wechat.run_jobs()
    assert len(fake_wechat.texts_to("o_demo_grid1_li")) == 1
    counts = reconcile(runtime.sessions, runtime.queue, min_age=timedelta(0))
    assert counts["finished"] == len(OPEN_JOBS) and counts["lost"] == 0
    assert reconcile(runtime.sessions, runtime.queue, min_age=timedelta(0)) == {"finished": 0, "failed": 0, "lost": 0}
    wechat.run_jobs()
    assert len(fake_wechat.texts_to("o_demo_grid1_li")) == 1


def test_a_worker_started_while_redis_is_down_waits_for_it(runtime, redis_process, monkeypatch):
    """RQ's Worker talks to Redis as it is made: a worker (re)starting during an outage must wait, not exit."""
    from types import SimpleNamespace

    from click.testing import CliRunner
    from rq import SimpleWorker

    from bot.cli import commands
    from bot.cli.main import main

    waits = []

    def redis_comes_back(seconds):
        waits.append(seconds)
        redis_process.start()
        time.sleep(0.3)  # past the fail-fast pause

    redis_process.kill()
    monkeypatch.setattr(commands, "time", SimpleNamespace(sleep=redis_comes_back))
    # Nothing sends the worker commands here; stopping their channel's thread could wait out its 60 s poll.
    monkeypatch.setattr(SimpleWorker, "subscribe", lambda self: None)  # the class `minhu worker` runs
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert waits == [5]


def test_jobs_redis_refused_after_the_commit_are_sent_by_the_relay_once(wechat, runtime, redis_process,
                                                                        fake_wechat):
    """Redis dies between the commit and the enqueue: the answer still goes out, the outbox rows wait for the relay."""
    enqueue = runtime.tickets.after_commit

    def redis_dies_first(jobs):
        redis_process.kill()
        enqueue(jobs)

    runtime.tickets.after_commit = redis_dies_first
    for building, sender in (("1", "o_late_1"), ("5", "o_late_2")):
        assert "工单号" in wechat.say(f"{building}号楼楼道灯不亮了", sender=sender)
    assert wechat.ticket_count() == 2

    redis_process.start()
    time.sleep(0.3)
    assert runtime.flush_outbox() == 2 * len(OPEN_JOBS)
    wechat.run_jobs()
    assert len(fake_wechat.texts_to("o_demo_grid1_li")) == 1 and len(fake_wechat.texts_to("o_demo_grid2_zhang")) == 1
    assert runtime.flush_outbox() == 0


def test_relay_marks_jobs_already_in_redis_and_enqueues_nothing_twice(wechat, runtime, fake_wechat):
    from sqlalchemy import func, select

    from bot.store.models import Outbox

    wechat.say("6号楼电梯又坏了", sender="o_relay_1")
    queued = runtime.queue.count
    assert queued == len(OPEN_JOBS)
    assert runtime.flush_outbox() == 0 and runtime.queue.count == queued
    with runtime.sessions() as session:
        assert session.scalar(select(func.count(Outbox.id)).where(Outbox.enqueued_at.is_(None))) == 0
    wechat.run_jobs()
    assert len(fake_wechat.texts_to("o_demo_grid2_zhang")) == 1


def test_jobs_of_a_process_killed_between_commit_and_enqueue_are_sent_by_the_relay(wechat, runtime, fake_wechat,
                                                                                    monkeypatch):
    monkeypatch.setattr(runtime.tickets, "after_commit", lambda jobs: None)  # committed, never enqueued
    assert "工单号" in wechat.say("9号楼门口下水道堵了", sender="o_killed")
    assert runtime.queue.count == 0
    assert runtime.flush_outbox() == len(OPEN_JOBS)
    wechat.run_jobs()
    assert len(fake_wechat.texts_to("o_demo_grid3_chen")) == 1


def test_the_first_message_after_a_redis_restart_is_claimed_on_a_fresh_connection(runtime, redis_process):
    # The process keeps its connections to Redis; Redis restarting closes them under it.
    assert runtime.replies.claim("msg:before")[0] is True
    redis_process.kill()
    redis_process.start()
    time.sleep(0.3)
    assert runtime.replies.claim("msg:after") == (True, [], None)  # not None: claimed, so a retry is recognised
    assert runtime.replies.claim("msg:after")[0] is False


def test_a_claim_after_redis_forgot_its_scripts_loads_the_script_again(runtime, redis):
    # The claim is a Lua script run by its hash; a Redis that restarted or was told SCRIPT FLUSH answers NOSCRIPT,
    # and the claim loads the script and still claims.
    assert runtime.replies.claim("msg:one")[0] is True
    redis.script_flush()
    assert runtime.replies.claim("msg:two")[0] is True
    assert runtime.replies.claim("msg:two")[0] is False


def test_a_kept_reply_is_there_for_the_retry(runtime):
    assert runtime.replies.claim("msg:a")[0] is True
    runtime.replies.store("msg:a", "已受理！工单号：100001")
    assert runtime.replies.claim("msg:a")[0] is False
    assert runtime.replies.wait("msg:a") == "已受理！工单号：100001"


def test_a_flood_while_redis_is_down_is_taken_whole(wechat, redis_process):
    # Nothing can be counted without Redis: the quotas let every message through (the store still dedupes).
    redis_process.kill()
    replies = [wechat.say(f"{b}号楼楼道灯坏了", sender="o_flood") for b in range(1, 13)]
    assert all("工单号" in reply for reply in replies) and wechat.ticket_count() == 12
