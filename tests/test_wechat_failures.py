"""WeChat's API failing under a push: retried with backoff, recorded, never lost, never sent twice, never looping."""
import pytest
from sqlalchemy import select

from bot.store.models import Delivery, Ticket, TicketEvent

GRID2 = "o_demo_grid2_zhang"


def run_retries(wechat):
    """Move the dispatch job's scheduled retry into the queue, as RQ's scheduler does when its time comes."""
    queue = wechat.runtime.queue
    registry = queue.scheduled_job_registry
    moved = 0
    for job_id in registry.get_job_ids():
        if job_id.startswith("outbox-"):
            registry.remove(job_id)
            queue.enqueue_job(queue.fetch_job(job_id))
            moved += 1
    wechat.run_jobs()
    return moved


def dispatch_rows(runtime):
    with runtime.sessions() as session:
        return list(session.scalars(select(Delivery).where(Delivery.event == "dispatch")))


@pytest.mark.parametrize("failure", [
    {"status": 500}, {"status": 502}, {"errcode": 45047}, {"errcode": 45009}, {"errcode": -1},
])
def test_a_failed_push_is_recorded_and_retried_until_sent_once(wechat, runtime, fake_wechat, failure):
    fake_wechat.fail_next("message/custom/send", times=2, **failure)
    wechat.say("6号楼楼道灯坏了", sender="o_resident_fail")
    wechat.run_jobs()
    (row,) = dispatch_rows(runtime)
    assert row.status == "failed" and row.error  # recorded, with what went wrong
    assert fake_wechat.texts_to(GRID2) == []
    assert run_retries(wechat) == 1  # backoff: the retry waits in RQ's scheduler, not in a loop
    assert run_retries(wechat) == 1
    (row,) = dispatch_rows(runtime)
    assert row.status == "sent"
    assert len([t for t in fake_wechat.texts_to(GRID2) if "6号楼" in t]) == 1
    assert run_retries(wechat) == 0


def test_a_worker_killed_after_recording_the_push_has_the_ticket_marked_dispatched_by_the_retry(wechat, runtime,
                                                                                              fake_wechat):
    """The worker died between recording the push as sent and marking the ticket dispatched: the job's next run
    sends nothing again, and marks it."""
    wechat.say("6号楼楼道灯坏了", sender="o_resident_killed")
    with runtime.sessions() as session:
        (ticket,) = session.scalars(select(Ticket)).all()
        assert ticket.assignee_openid == GRID2
        session.add(Delivery(ticket_id=ticket.id, event="dispatch", recipient=GRID2, status="sent", channel="custom"))
        session.commit()
    wechat.run_jobs()
    with runtime.sessions() as session:
        assert session.get(Ticket, ticket.id).status == "dispatched"
        assert len(session.scalars(select(TicketEvent).where(TicketEvent.kind == "dispatched")).all()) == 1
    assert [t for t in fake_wechat.texts_to(GRID2) if "6号楼" in t] == []


def test_a_timeout_is_retried_and_the_push_arrives(wechat, runtime, fake_wechat):
    """WeChat answered too late: we cannot know whether it took the message, so it is sent again.

    This is the one case where a person may get a push twice (WeChat's customer-service API has no
    idempotency key); losing a task is worse than repeating it."""
    runtime.notifier.client.timeout = (3.05, 0.5)  # the client's read timeout (10 s), made short for the test
    fake_wechat.fail_next("message/custom/send", times=1, delay=1.5)  # longer than that read timeout
    wechat.say("6号楼楼道灯坏了", sender="o_resident_slow")
    wechat.run_jobs()
    (row,) = dispatch_rows(runtime)
    assert row.status == "failed" and "Timeout" in row.error
    assert run_retries(wechat) == 1
    (row,) = dispatch_rows(runtime)
    assert row.status == "sent"
    assert 1 <= len(fake_wechat.texts_to(GRID2)) <= 2
    assert run_retries(wechat) == 0


def test_expired_token_is_refreshed_once_and_the_push_goes_out(wechat, runtime, fake_wechat):
    wechat.say("6号楼楼道灯坏了", sender="o_resident_token")
    fake_wechat.expire_tokens()
    before = fake_wechat.token_requests
    wechat.run_jobs()
    assert len(fake_wechat.texts_to(GRID2)) == 1
    assert fake_wechat.token_requests - before <= 1


def test_outside_the_window_falls_back_to_the_template(wechat, runtime, fake_wechat, monkeypatch):
    template = runtime.settings.config.wechat.task_template.model_copy(update={"id": "TPL_TASK"})
    monkeypatch.setattr(runtime.notifier, "template", template)
    monkeypatch.setitem(runtime.notifier.templates, "task", template)
    fake_wechat.close_window(GRID2)
    wechat.say("6号楼楼道灯坏了", sender="o_resident_window")
    wechat.run_jobs()
    sent = [m for m in fake_wechat.messages if m["touser"] == GRID2]
    assert [m["kind"] for m in sent] == ["template"]
    assert sent[0]["template_id"] == "TPL_TASK" and "6号楼" in str(sent[0]["data"])
    (row,) = dispatch_rows(runtime)
    assert (row.status, row.channel) == ("sent", "template")


def test_a_push_that_can_never_go_out_stops_after_its_retries(wechat, runtime, fake_wechat):
    fake_wechat.close_window(GRID2)  # outside the window and no template configured: no channel at all
    wechat.say("6号楼楼道灯坏了", sender="o_resident_nochannel")
    wechat.run_jobs()
    retries = 0
    while run_retries(wechat):
        retries += 1
        assert retries < 20, "a push with no channel must not retry forever"
    (row,) = dispatch_rows(runtime)
    assert row.status == "failed" and "NoChannel" in row.error
    assert fake_wechat.texts_to(GRID2) == []
