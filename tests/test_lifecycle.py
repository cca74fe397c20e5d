"""Whoever opens closes: the web app and a worker's runtime start no thread, and close every connection they open."""
import threading
import time

from sqlalchemy import create_engine, text

from tests.conftest import TOKEN
from tests.conversation import GRID1, number_in
from tests.helpers import WeChatDriver, work_off


def _database_sessions(database_url: str) -> int:
    """PostgreSQL's connections to this database, less the one asking (None on SQLite: a file has none)."""
    if not database_url.startswith("postgresql"):
        return None
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()"
                                     )).scalar_one()
    finally:
        engine.dispose()


def _settles(count, expected) -> bool:
    """The servers see a closed connection go a moment after it was closed: wait (up to 5 s) for the count."""
    deadline = time.monotonic() + 5
    while count() != expected:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_web_app_and_a_workers_runtime_leave_nothing_running(settings, fake_wechat, redis, database_url):
    from bot.store import db
    from bot.web.app import create_app
    from bot.runtime import Runtime
    from bot import runtime as worker_runtime

    threads, redis_clients = set(threading.enumerate()), len(redis.client_list())
    database_sessions = _database_sessions(database_url)
    web, worker = Runtime(settings, web=True), Runtime(settings)
    db.upgrade(web.engine)
    worker_runtime.install(worker)
    serving = []
    try:
        wechat = WeChatDriver(create_app(settings, web).test_client(), web, fake_wechat, TOKEN)
        number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_life_1"))
        assert number in wechat.say("3号楼楼顶也漏水", sender="o_life_2")  # a neighbour joins
        assert work_off(worker)  # the task reaches the grid worker
        assert number in wechat.say(f"接单 {number}", sender=GRID1)
        assert work_off(worker)  # the residents hear
        assert any(number in push for push in fake_wechat.texts_to(GRID1))
        # Nothing in the background; the fake WeChat serves each connection our pushes keep alive in a thread.
        serving = [t for t in threading.enumerate() if t not in threads and "process_request" in t.name]
        assert serving and [t.name for t in threading.enumerate() if t not in threads and t not in serving] == []
    finally:
        worker_runtime.install(None)
        web.close()
        worker.close()
    for thread in serving:  # its connection closed, the fake's thread for it ends
        thread.join(timeout=5)
    assert [t.name for t in threading.enumerate() if t not in threads] == []
    assert _settles(lambda: len(redis.client_list()), redis_clients)
    assert _settles(lambda: _database_sessions(database_url), database_sessions)


def test_running_the_queued_jobs_in_a_test_leaves_the_signal_handlers_as_they_were(wechat, runtime):
    """RQ's worker installs its own SIGINT/SIGTERM handlers: a stray signal later must not stop a request midway."""
    import signal

    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    wechat.say("3号楼2单元楼顶漏水了")
    assert work_off(runtime)
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
