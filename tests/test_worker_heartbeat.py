"""`minhu worker`'s heartbeat: sent once between jobs, not between every two steps, and never shorter than RQ's."""
from rq.serializers import JSONSerializer

from bot.cli.commands import Worker
from bot.store.queue import make_queue


def a_worker(redis) -> Worker:
    worker = Worker([make_queue(redis)], connection=redis, serializer=JSONSerializer)
    worker.register_birth()
    return worker


def beat_of(redis, worker: Worker) -> bytes:
    return redis.hget(worker.key, "last_heartbeat")


def test_a_fresh_heartbeat_as_long_is_not_sent_again(redis):
    worker = a_worker(redis)
    worker.heartbeat()
    sent = beat_of(redis, worker)
    worker.heartbeat()
    worker.heartbeat()
    assert beat_of(redis, worker) == sent
    assert redis.ttl(worker.key) > worker.worker_ttl


def test_a_longer_or_stale_heartbeat_is_sent(redis):
    worker = a_worker(redis)
    worker.heartbeat()
    sent = beat_of(redis, worker)
    worker.heartbeat(timeout=worker.worker_ttl + 600)
    assert beat_of(redis, worker) != sent and redis.ttl(worker.key) > worker.worker_ttl + 500
    sent = beat_of(redis, worker)
    worker.BEAT_EVERY = 0.0
    worker.heartbeat(timeout=worker.worker_ttl + 600)
    assert beat_of(redis, worker) != sent


def test_after_a_job_starts_the_worker_key_gets_its_full_life_back(redis):
    # A job's start sets a shorter life (the job's time limit + 60 s), in RQ's own transaction; the heartbeat after
    # the job must restore the full one, or an idle worker (waiting up to worker_ttl - 15 s) would look dead.
    worker = a_worker(redis)
    worker.heartbeat()
    with redis.pipeline() as pipe:
        worker.heartbeat(240, pipeline=pipe)
        pipe.execute()
    assert redis.ttl(worker.key) <= 240
    worker.heartbeat()
    assert redis.ttl(worker.key) > worker.worker_ttl


def test_jobs_run_by_the_worker_finish(runtime, wechat, fake_wechat):
    import signal

    from rq.job import Job

    wechat.say("3号楼2单元楼顶漏水了")
    ids = runtime.queue.job_ids
    assert ids
    worker = Worker([runtime.queue], connection=runtime.redis, serializer=JSONSerializer)
    worker.subscribe = lambda: None  # no command channel thread in a test
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker.work(burst=True, with_scheduler=False)
    finally:  # RQ keeps SIGINT and SIGTERM for itself otherwise
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert all(Job.fetch(job_id, connection=runtime.redis, serializer=JSONSerializer).get_status() == "finished"
               for job_id in ids)
    assert "新工单待处理" in fake_wechat.texts_to("o_demo_grid1_li")[0]


def test_the_state_is_written_when_it_changes(redis):
    worker = a_worker(redis)
    worker.set_state("idle")
    redis.hset(worker.key, "state", "seen")  # what a second write of the same state would overwrite
    worker.set_state("idle")
    assert redis.hget(worker.key, "state") == b"seen"
    worker.set_state("busy")
    assert redis.hget(worker.key, "state") == b"busy" and worker.get_state() == "busy"


def test_a_suspension_is_seen_within_a_second(redis):
    import pytest
    from rq.exceptions import StopRequested
    from rq.suspension import suspend

    worker = a_worker(redis)
    worker.check_for_suspension(burst=True)
    suspend(redis)
    worker.check_for_suspension(burst=True)  # checked a moment ago: not asked again yet
    worker.SUSPENSION_EVERY = 0.0
    with pytest.raises(StopRequested):
        worker.check_for_suspension(burst=True)


def test_the_warm_up_reads_and_keeps_a_connection(runtime, wechat):
    from workers.dispatch import warm_up

    wechat.say("3号楼2单元楼顶漏水了")
    before = [(ticket.id, ticket.status) for ticket in wechat.tickets()]
    runtime.engine.dispose()
    warm_up(runtime)
    assert runtime.engine.pool.checkedin() == 1
    assert [(ticket.id, ticket.status) for ticket in wechat.tickets()] == before
