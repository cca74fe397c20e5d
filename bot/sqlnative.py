"""The joins' writer's own SQLite connection (bot/_sqlnative.c), when the install built it and it is safe.

Python's sqlite3 module lets go of the GIL around every step of every statement. The writer of
`bot.hotsql.Batches` holds SQLite's write lock for its whole batch, and after each statement it had
to win the GIL back from the request threads: the lock was held several times as long as the writing
took, and the other web process waited for it. This connection keeps the GIL for the statements of a
transaction begun with BEGIN IMMEDIATE (they cannot wait for a lock then) and lets it go for the
statements that may wait: BEGIN, COMMIT, ROLLBACK.

It is used only when it calls the very SQLite library that Python's sqlite3 module uses. SQLite keeps
its file locks per process, shared by all the connections of one library; two copies of the library
in one process would not see each other's locks. Otherwise, or with MINHU_PURE_PYTHON=1 set, the
writer uses the sqlite3 module as before (`connect` returns None).

Under gevent (gunicorn's gevent workers), one thread runs all of a process's requests. SQLite's own
wait for a lock sleeps in C and would stop every one of them, one wait after another: with the lock held
elsewhere, ten messages arriving at once at one process were answered, the last after 20.2 s, where
they are all answered within 4.5 s now (tests/test_gevent_web.py). So
there the writer's connection, and every connection of the process's engines (`cooperate`, called by
bot/db.py), wait for the lock in gevent.sleep, and the other requests go on meanwhile.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import sys
from typing import Any

from bot.db import SQLITE_PRAGMAS

log = logging.getLogger("minhu.sqlnative")


def _load():
    if os.environ.get("MINHU_PURE_PYTHON"):
        return None
    try:
        before = _sqlite_libraries()  # the library Python's sqlite3 module has loaded (it is imported above)
        if len(before) != 1:  # none: built into the sqlite3 module itself; more: no way to tell which
            return None
        from . import _sqlnative
    except (ImportError, OSError):
        return None
    path, version = _sqlnative.library()
    if {os.path.realpath(path)} != before or version != sqlite3.sqlite_version:
        log.info("SQLite writer in C not used: it links %s %s, Python's sqlite3 %s %s", path, version,
                 before, sqlite3.sqlite_version)
        return None
    return _sqlnative


def _sqlite_libraries() -> set[str]:
    """The SQLite shared libraries mapped into this process (Linux: /proc/self/maps)."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split(None, 5)
            if len(parts) == 6 and os.path.basename(parts[5].strip()).startswith("libsqlite3"):
                found.add(os.path.realpath(parts[5].strip()))
    return found


native = _load()


class Connection:
    """The part of a DB-API connection that `HotSQL.run` and `Batches` use, over bot/_sqlnative.c."""

    def __init__(self, path: str, timeout: float, lock_path: str | None = None):
        self._conn = native.Connection(path, timeout, lock_path)
        for pragma in SQLITE_PRAGMAS:
            self._conn.execute(pragma, ())

    def cursor(self) -> Cursor:
        return Cursor(self._conn)

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        """As sqlite3's shortcut: a new cursor that has run `sql`."""
        return Cursor(self._conn).execute(sql, params)

    def begin(self) -> None:
        """Take the write lock now (waiting for it with the GIL let go): what follows runs holding the GIL."""
        self._conn.execute("BEGIN IMMEDIATE", ())

    def commit(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("COMMIT", ())

    def rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK", ())

    def close(self) -> None:
        self._conn.close()


class Cursor:
    __slots__ = ("_conn", "_rows", "rowcount", "lastrowid")

    def __init__(self, conn):
        self._conn = conn
        self._rows: list[tuple] = []
        self.rowcount = -1
        self.lastrowid: int | None = None

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        self._rows, self.rowcount, self.lastrowid = self._conn.execute(sql, params)
        return self

    def fetchone(self) -> tuple | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._rows, []
        return rows


def connect(url_path: str, timeout: float) -> Connection | None:
    """A native connection to the SQLite file at `url_path` for a joins' writer, or None (not built, not safe,
    in memory). The writers of all web processes take turns by a lock on a file next to the database."""
    if native is None or not url_path or url_path == ":memory:" or url_path.startswith("file:"):
        return None
    if cooperative():
        _wait_through_gevent()
    connection = Connection(url_path, timeout, url_path + "-writers.lock")
    checkpoint_aside(connection, url_path)
    return connection


def cooperative() -> bool:
    """This process runs its requests as greenlets: gevent has patched the standard library."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("socket")


def _cooperative_file(path: str) -> bool:
    """Under gevent, and `path` is a database file (not in memory): what `cooperate` and `checkpoint_aside` need."""
    return bool(path) and path != ":memory:" and cooperative()


_LAYOUT_KNOWN = (3, 11) <= sys.version_info[:2] <= (3, 13)  # where _sqlnative.c finds a sqlite3 connection's db
_warned = False


def cooperate(connection: Any, path: str, timeout: float) -> bool:
    """Under gevent, make `connection` (the sqlite3 module's, to the file at `path`) wait up to `timeout` s for
    SQLite's lock in gevent.sleep. False where that is not done: not under gevent, or it cannot be done safely
    here (then the wait blocks the process's other requests, as it would in any gevent program)."""
    global _warned
    if not _cooperative_file(path):
        return False
    usable = native is not None and _LAYOUT_KNOWN and isinstance(connection, sqlite3.Connection)
    if usable:
        _wait_through_gevent()
        name = native.cooperate(connection, 0)  # only reads which file it is: a check that the pointer is right
        usable = bool(name) and os.path.realpath(name) == os.path.realpath(path)
    if not usable:
        if not _warned:
            _warned = True
            log.warning("SQLite connections wait for locks blocking this process's other requests (%s)",
                        "the C extension is not in use" if native is None else "not a known sqlite3 connection")
        return False
    native.cooperate(connection, max(1, int(timeout * 1000)))
    return True


CHECKPOINT_EVERY = 0.1  # seconds between a web process's checkpoints of the WAL, under gevent
RESTART_AT = 1000  # WAL frames (pages) after which the WAL is started over, as SQLite's own checkpoints do
_checkpointers: dict[str, int] = {}  # database file -> the process whose thread checkpoints it


def checkpoint_aside(connection: Any, path: str) -> bool:
    """Under gevent, leave `connection`'s WAL checkpoints to a thread of this process (started here once).

    SQLite checkpoints at the commit that takes the WAL past 1,000 pages: it copies them into the
    database file and waits for the disk, a few ms in all. In a joins' batch that held the write lock
    for it: a fifth to a quarter of the time the lock was held went to such commits, and the other
    process's writer waited meanwhile (docs/PERFORMANCE.md, stop 17). Here a thread of the process
    copies the pages as they come (PASSIVE: no write lock), and its waits for the disk stop none of the
    process's requests."""
    if not _cooperative_file(path):
        return False
    connection.execute("PRAGMA wal_autocheckpoint=0", ())
    real = os.path.realpath(path)
    if _checkpointers.get(real) != os.getpid():  # no greenlet switch from here to the start: no race
        _checkpointers[real] = os.getpid()
        from gevent import monkey

        monkey.get_original("_thread", "start_new_thread")(_checkpoint_forever, (real,))
    return True


def _checkpoint_forever(path: str) -> None:
    """A real thread (not a greenlet): its waits, in SQLite and for the disk, stop nothing else.

    A PASSIVE checkpoint copies the WAL's pages into the database, but the WAL only starts over when a
    writer begins with every page copied, which a steady stream of writes never leaves time for. So
    once the WAL holds RESTART_AT pages (or would, at the pace it grows, by the next look), the thread
    holds the joins' writers off at their lock file (they wait at BEGIN, letting their process's other
    requests run) for a RESTART checkpoint: by then only the last few pages are left to copy."""
    import fcntl

    from gevent import monkey

    sleep = monkey.get_original("time", "sleep")
    # A short wait: a RESTART that would wait long for a reader or another writer is tried again later.
    connection = sqlite3.connect(path, timeout=0.05, isolation_level=None, check_same_thread=False)
    failures, before, pause = 0, 0, CHECKPOINT_EVERY
    while True:
        slept = pause if not failures else min(60.0, CHECKPOINT_EVERY * 2 ** failures)
        sleep(slept)
        try:
            _busy, frames, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            # A burst writes a thousand pages in CHECKPOINT_EVERY: look again sooner then (so that about half of
            # RESTART_AT is written between two looks), and start over when the next look would be too late.
            grew, before = (frames - before if frames >= before else frames), frames
            pace = grew / slept  # pages a second
            pause = (min(CHECKPOINT_EVERY, max(CHECKPOINT_EVERY / 2, RESTART_AT / 2 / pace)) if pace
                     else CHECKPOINT_EVERY)
            if frames + pace * pause >= RESTART_AT:
                with open(path + "-writers.lock", "a+b") as writers:
                    fcntl.flock(writers, fcntl.LOCK_EX)  # let go when the file closes
                    connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            failures = 0
        except (sqlite3.Error, OSError) as exc:  # the file gone, the disk full...: try again later, less often
            failures += 1
            if failures in (1, 10):
                log.warning("WAL checkpoint of %s failed (%s); the commits' own checkpoints are off here", path, exc)


def _wait_through_gevent() -> None:
    import gevent

    native.set_sleep(gevent.sleep)
