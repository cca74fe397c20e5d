"""The joins' writer's own SQLite connection (bot/_sqlnative.c, bot/sqlnative.py): same results as Python's
sqlite3 module, the write lock held only while writing, and correct among processes."""
import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import db, sqlnative
from bot.hotsql import HotSQL, _Writer
from bot.models import Follower, Ticket
from bot.routing import Directory
from bot.settings import load_config
from bot.tickets import Report, TicketStore

REPO = Path(__file__).resolve().parents[1]
needs_native = pytest.mark.skipif(sqlnative.native is None and bool(os.environ.get("MINHU_PURE_PYTHON")),
                                  reason="MINHU_PURE_PYTHON: the C code is off")


@pytest.fixture
def path(tmp_path):
    path = str(tmp_path / "minhu.db")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE kv (id INTEGER PRIMARY KEY, k TEXT UNIQUE, n INTEGER, x REAL, b BLOB)")
    conn.commit()
    conn.close()
    return path


@needs_native
def test_it_is_built_and_calls_the_sqlite_library_of_pythons_sqlite3_module():
    assert sqlnative.native is not None, "bot/_sqlnative.c was not built (is sqlite3.h installed?)"
    library, version = sqlnative.native.library()
    assert version == sqlite3.sqlite_version
    assert {os.path.realpath(library)} == sqlnative._sqlite_libraries()


@needs_native
def test_statements_give_what_the_sqlite3_module_gives(path):
    conn = sqlnative.connect(path, 1)
    conn.begin()
    first = conn.execute("INSERT INTO kv (k, n, x, b) VALUES (:k, :n, :x, :b)",
                         {"k": "楼顶漏水", "n": 2**40, "x": 0.1, "b": b"\x00\xff"})
    assert (first.rowcount, first.lastrowid) == (1, 1)
    assert conn.execute("INSERT OR IGNORE INTO kv (k) VALUES (:k)", {"k": "楼顶漏水"}).rowcount == 0
    returned = conn.execute("UPDATE kv SET n = n + 1 WHERE k = :k RETURNING n", {"k": "楼顶漏水"})
    assert returned.fetchone() == (2**40 + 1,) and returned.fetchone() is None
    conn.execute("INSERT INTO kv (k, n) VALUES (?, ?)", ("空", None))
    conn.commit()
    mine = conn.execute("SELECT k, n, x, b FROM kv ORDER BY id", ()).fetchall()
    theirs = sqlite3.connect(path).execute("SELECT k, n, x, b FROM kv ORDER BY id").fetchall()
    assert mine == theirs == [("楼顶漏水", 2**40 + 1, 0.1, b"\x00\xff"), ("空", None, None, None)]


@needs_native
def test_errors_are_the_sqlite3_modules_so_sqlalchemy_reads_them_as_anywhere_else(path):
    conn = sqlnative.connect(path, 1)
    conn.execute("INSERT INTO kv (k) VALUES (:k)", {"k": "a"})
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute("INSERT INTO kv (k) VALUES (:k)", {"k": "a"})
    with pytest.raises(sqlite3.ProgrammingError, match=":k"):
        conn.execute("INSERT INTO kv (k) VALUES (:k)", {})
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        conn.execute("SELECT * FROM nowhere", ())
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("INSERT INTO kv (k) VALUES (:k)", {"k": object()})
    hot = HotSQL(db.make_engine(f"sqlite:///{path}"))
    with pytest.raises(IntegrityError):
        hot.run(conn, "INSERT INTO kv (k) VALUES (:k)", {"k": "a"})
    assert conn.execute("SELECT count(*) FROM kv", ()).fetchone() == (1,)  # each failure undid only itself


def _locked(lock_path: str) -> bool:
    """Whether a writer holds the writers' lock file (another open file cannot lock it now)."""
    with open(lock_path, "a") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(other, fcntl.LOCK_UN)
        return False


@needs_native
def test_the_writers_lock_is_held_from_begin_to_commit_or_rollback_only(path):
    conn, lock = sqlnative.connect(path, 1), path + "-writers.lock"
    conn.begin()
    conn.execute("INSERT INTO kv (k) VALUES (:k)", {"k": "a"})
    assert _locked(lock)
    with pytest.raises(sqlite3.OperationalError):  # and SQLite's own write lock: nobody else writes meanwhile
        sqlite3.connect(path, timeout=0).execute("INSERT INTO kv (k) VALUES ('b')")
    conn.commit()
    assert not _locked(lock)
    conn.begin()
    conn.rollback()
    assert not _locked(lock)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a connection that is not a writer holds SQLite's lock: BEGIN gives up
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        sqlnative.connect(path, 0.2).begin()
    assert not _locked(lock)
    other.execute("ROLLBACK")


@needs_native
def test_a_statement_that_waits_for_the_lock_lets_the_other_threads_run(path):
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks, done = [], threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.005)

    ticker = threading.Thread(target=tick)
    ticker.start()
    conn = sqlnative.connect(path, 0.5)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            conn.execute("INSERT INTO kv (k) VALUES (:k)", {"k": "a"})  # outside a transaction: may wait
    finally:
        done.set()
        ticker.join()
        other.execute("ROLLBACK")
    assert len(ticks) >= 10  # half a second of waiting; the GIL was not held through it


def test_the_writer_uses_it_where_it_can_and_the_pool_elsewhere(path):
    hot = HotSQL(db.make_engine(f"sqlite:///{path}"))
    assert (_Writer(hot, 1).native is not None) == (sqlnative.native is not None)
    memory = _Writer(HotSQL(db.make_engine("sqlite://")), 1)
    assert memory.native is None and memory.pooled is not None


_JOINS = """
import sys
from pathlib import Path
from bot import db
from bot.routing import Directory
from bot.settings import load_config
from bot.tickets import TicketStore
store = TicketStore(db.make_sessions(db.make_engine(sys.argv[1], wait=5)), Directory(load_config(Path(sys.argv[2]))),
                    batch_joins=True)
for i in range(int(sys.argv[4])):
    view, event = store.join(f"o_{sys.argv[3]}_{i}", "我家也漏", estate_id="xingfuyuan", building="3", category="leak")
    assert view is not None and event is not None
"""


def test_the_web_processes_writers_take_turns_and_every_join_is_written_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'minhu.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    store = TicketStore(db.make_sessions(engine), Directory(load_config(REPO / "config.yaml")))
    ticket, _ = store.open(Report(resident="o_reporter", text="3号楼楼顶漏水", category="leak",
                                  estate_id="xingfuyuan", building="3"))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-c", _JOINS, url, str(REPO / "config.yaml"), str(p), "150"], env=env)
             for p in range(3)]
    assert [proc.wait(60) for proc in procs] == [0, 0, 0]
    with store.sessions() as session:
        assert session.scalar(select(Ticket.households).where(Ticket.id == ticket.id)) == 451
        assert len(session.scalars(select(Follower.openid)).all()) == 450
