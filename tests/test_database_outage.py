"""The database locked or down for a moment: the resident gets an answer, and the message is not lost."""
import re
import threading

import pytest
from sqlalchemy import create_engine, text

from bot.store.spool import KEY


@pytest.fixture
def lock_database(database_url):
    """Hold an exclusive lock on the tickets from another connection, as a long migration or a stuck job would."""
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    conn = engine.connect()
    held = threading.Event()

    def hold():
        if url.startswith("sqlite"):
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            conn.execute(text("BEGIN"))
            conn.execute(text("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE"))
        held.set()

    def release():
        conn.exec_driver_sql("ROLLBACK")
        conn.close()
        engine.dispose()

    yield hold, release


def test_locked_database_spools_then_answers_once_back(wechat, runtime, fake_wechat, lock_database):
    hold, release = lock_database
    hold()
    try:
        reply = wechat.say("6号楼1单元楼道灯坏了", sender="o_resident_db", msg_id="660001")
        assert "稍后" in reply and "工单号" in reply  # "the number follows": an answer, not an error
        again = wechat.say("6号楼1单元楼道灯坏了", sender="o_resident_db", msg_id="660001")
        assert again == reply
        assert runtime.redis.llen(KEY) == 1  # kept once, though WeChat asked twice
    finally:
        release()
    assert runtime.spool.drain(runtime.replay) == 1
    assert runtime.spool.drain(runtime.replay) == 0
    (ticket,) = wechat.tickets()
    assert ticket.building == "6" and ticket.resident_openid == "o_resident_db"
    pushed = fake_wechat.texts_to("o_resident_db")
    assert len(pushed) == 1 and re.search(r"工单号：\d{6}", pushed[0])
    wechat.run_jobs()
    assert len(fake_wechat.texts_to("o_demo_grid2_zhang")) == 1


def test_database_and_redis_both_down_spools_to_a_file(wechat, runtime, tmp_path, monkeypatch, lock_database):
    from redis.exceptions import ConnectionError as RedisConnectionError

    hold, release = lock_database
    hold()

    def refuse(*args, **kwargs):
        raise RedisConnectionError("Redis is down too")

    try:
        monkeypatch.setattr(runtime.spool.redis, "rpush", refuse)
        reply = wechat.say("8号楼电梯坏了", sender="o_resident_both", msg_id="880001")
        assert "稍后" in reply
        assert runtime.spool.path.read_text(encoding="utf-8").count("880001") == 1
    finally:
        release()
        monkeypatch.undo()
    assert runtime.spool.drain(runtime.replay) == 1
    assert not runtime.spool.path.exists()
    assert [t.source_key for t in wechat.tickets()] == ["msg:880001"]


def test_an_unreadable_spool_entry_is_set_aside_not_dropped(runtime):
    from bot.store.spool import UNREADABLE

    runtime.redis.rpush(KEY, b"{not json")
    runtime.spool.path.parent.mkdir(parents=True, exist_ok=True)
    runtime.spool.path.write_text("also not json\n", encoding="utf-8")
    assert runtime.spool.drain(runtime.replay) == 0
    assert runtime.redis.lrange(UNREADABLE, 0, -1) == [b"{not json"]
    assert runtime.spool.unreadable.read_text(encoding="utf-8") == "also not json\n"


def test_a_locked_database_answers_every_concurrent_message_within_wechats_wait(app, runtime, lock_database):
    """Eight neighbours write while the database is locked: each is answered (spooled) well inside 5 s."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from bot.wechat.say import reply_text, signed_params, text_xml
    from tests.conftest import TOKEN

    hold, release = lock_database
    hold()

    def send(i):
        started = time.monotonic()
        response = app.test_client().post("/wechat", query_string=signed_params(TOKEN), content_type="text/xml",
                                          data=text_xml(f"o_locked_{i}", f"{i % 12 + 1}号楼楼道灯坏了", f"6700{i}"))
        return time.monotonic() - started, reply_text(response.data.decode("utf-8"))

    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(send, range(8)))
    finally:
        release()
    assert all("稍后" in reply for _, reply in results), results
    assert max(took for took, _ in results) < 4.5
    assert runtime.spool.drain(runtime.replay) == 8


def test_a_connection_the_database_dropped_costs_the_resident_nothing(wechat, runtime, database_url):
    """PostgreSQL restarted (or dropped idle connections) between two messages: the next message finds the pool's
    connection dead, and is answered on a new one rather than spooled."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a server that drops connections")
    assert "工单号" in wechat.say("2号楼楼道灯坏了", sender="o_dropped_1")  # the pool keeps a connection open
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        dropped = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    engine.dispose()
    assert dropped >= 1
    reply = wechat.say("6号楼电梯坏了", sender="o_dropped_2")
    assert "工单号" in reply and "稍后" not in reply
    assert wechat.ticket_count() == 2
