"""The few statements every complaint runs, handed to the database driver as written.

For these, SQLAlchemy's work per statement (finding the compiled form, converting each value on the
way in and out, describing the result) cost more than the database itself: a neighbour joining a
ticket took 0.52 ms of CPU through Core and 0.15 ms through the driver's own cursor. They still run
in SQLAlchemy's connections and transactions, and a failure is still raised as an SQLAlchemyError
(IntegrityError, OperationalError...), so a database outage is handled as anywhere else. Written
once, with :name parameters, for SQLite and PostgreSQL; values are stored the way SQLAlchemy stores
them, so the ORM reads them back unchanged.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import re
import threading
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout

from bot import sqlnative

log = logging.getLogger("minhu.hotsql")
_PARAM = re.compile(r"(?<![:\w]):(\w+)")


class HotSQL:
    """Statement texts and value conversions for one engine's dialect."""

    def __init__(self, engine: Engine, turn_timeout: float = 1.5):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.turn_timeout = turn_timeout
        self._texts: dict[str, str] = {}
        # SQLite lets one writer in at a time and makes the others sleep and retry (1, 2, 5, 10 ms...).
        # The threads of one process take turns here instead, woken as soon as the last is done; only
        # the processes still meet SQLite's wait. (A file lock among processes too measured no better.)
        self.turn = nullcontext() if self.postgres else _Turn(turn_timeout)
        self._error = engine.dialect.loaded_dbapi.Error
        if self.postgres:
            from psycopg.types.json import Json

            self._json = Json
        else:
            self._json = json.dumps

    def run(self, conn: Connection | Any, sql: str, params: dict[str, Any]):
        """Execute `sql` (":name" parameters) in `conn`'s transaction; return the driver's cursor.

        `conn` is an SQLAlchemy connection in a transaction (`engine.begin()`), so that SQLAlchemy commits
        it, or the driver's own connection of a `Batches` writer, which commits it itself."""
        text = self._texts.get(sql)
        if text is None:
            text = self._texts[sql] = _PARAM.sub(r"%(\1)s", sql) if self.postgres else sql
        dbapi = conn.connection.dbapi_connection if isinstance(conn, Connection) else conn
        cursor = dbapi.cursor()
        try:
            cursor.execute(text, params)
        except self._error as exc:
            raise self.error(exc, text, params) from exc
        return cursor

    def error(self, exc: Exception, statement: str = "", params: Any = None) -> DBAPIError:
        """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError...)."""
        return DBAPIError.instance(statement, params, exc, self._error, dialect=self.engine.dialect)

    def insert(self, conn: Connection | Any, sql: str, params: dict[str, Any]) -> int:
        """Run an INSERT of one row and return its id: SQLite's last row id (the statement runs in one step, with
        no row to fetch back), PostgreSQL's RETURNING id."""
        if self.postgres:
            return self.one(self.run(conn, sql + " RETURNING id", params))
        return self.run(conn, sql, params).lastrowid

    @staticmethod
    def one(cursor):
        """The first column of the one row a statement returned (an id from RETURNING, a count)."""
        return cursor.fetchone()[0]

    def when(self, value: datetime | None):
        """A naive UTC datetime as the column stores it (SQLite: SQLAlchemy's text form)."""
        if value is None or self.postgres:
            return value
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")

    def json(self, value: Any):
        return self._json(value)

    def read_when(self, value) -> datetime | None:
        """A datetime column as the driver returns it (SQLite: text) read back as a naive UTC datetime."""
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    def read_json(self, value) -> Any:
        """A JSON column as the driver returns it (SQLite: text; psycopg: already loaded)."""
        return json.loads(value) if isinstance(value, (str, bytes)) else value

    def for_update(self) -> str:
        return " FOR UPDATE" if self.postgres else ""

    def lock_writes(self, conn: Connection, key: str) -> None:
        """At the start of `conn`'s transaction: wait until no other transaction can write for `key`.

        SQLite: the database's write lock now (BEGIN IMMEDIATE) rather than at the first write, so what
        is read next cannot change before this transaction commits. PostgreSQL: a lock on `key` only."""
        if self.postgres:
            self.run(conn, "SELECT pg_advisory_xact_lock(hashtext(:key))", {"key": key})
        else:
            self.run(conn, "BEGIN IMMEDIATE", {})


class _Turn:
    """A lock with a bounded wait: when the database is locked, the threads queued behind one stuck in
    SQLite's own wait give up after `timeout` s (the message is spooled) instead of queueing past 5 s."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._lock = threading.Lock()

    def __enter__(self):
        if not self._lock.acquire(timeout=self.timeout):
            raise SQLAlchemyTimeout(f"the database stayed busy for {self.timeout} s")
        return self

    def __exit__(self, *exc):
        self._lock.release()


class Batches:
    """On SQLite, one thread of the process writes what the request threads hand it, many per transaction.

    (Under gunicorn's gevent workers, the writer and the requests are greenlets of one thread: the hand-over
    is a switch between them, and the writer's waits for SQLite's lock let the requests run, see
    bot/sqlnative.py.)

    SQLite takes one writer at a time, and each transaction pays for its commit and its turn at the
    lock (and, between its statements, for the GIL). Under a burst, the neighbours' reports that
    arrive while one transaction runs wait for the next, which writes them all and commits once.
    `write(conn, item)` runs one item inside the batch's transaction and returns (result, jobs); it
    must leave the transaction usable when it handles an error itself (on SQLite a failed statement
    undoes only itself). Any other error fails the whole batch, and each of its items raises it. `conn`
    is the driver's own connection (for `HotSQL.run`), not an SQLAlchemy one.
    """

    def __init__(self, hot: HotSQL, write: Callable[[Connection, Any], tuple[Any, list]],
                 after_commit: Callable[[list], object], wait: float = 1.5, size: int = 64):
        self.hot, self.write, self.after_commit, self.wait, self.size = hot, write, after_commit, wait, size
        self._pid: int | None = None
        self._starting = threading.Lock()

    def submit(self, item: Any) -> Any:
        """Write `item` in the next batch and return its result once that batch has committed."""
        slot = _Slot()
        if self._pid != os.getpid():  # first use in this process (gunicorn forks workers): start the writer
            with self._starting:
                if self._pid != os.getpid():
                    self._start()
        self._queue.put((item, slot))
        if not slot.ready.acquire(timeout=self.wait):
            # Still queued or still being written: a spooled message replayed later finds it written (a
            # follower already following) or writes it then.
            raise SQLAlchemyTimeout(f"the database stayed busy for {self.wait} s")
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _start(self) -> None:
        # A C queue: handing over and taking items runs no Python-level locking (a Condition's wait and
        # notify did, on every message's hand-over).
        self._queue: queue.SimpleQueue[tuple[Any, _Slot]] = queue.SimpleQueue()
        self._pid = os.getpid()
        threading.Thread(target=self._run, name="minhu-db-writer", daemon=True).start()

    def _run(self) -> None:
        # The writer keeps one connection for good and drives its transaction itself: checking a
        # connection out and beginning and committing through SQLAlchemy, for every batch, cost a third of
        # the writing itself. Its connection is bot/sqlnative.py's where it can be used (the statements of a
        # batch then run without letting go of the GIL, so the write lock is held no longer than the
        # writing takes), else one of the pool's.
        writer = None
        while True:
            batch = [self._queue.get()]  # wait for the first item, then take what else is already there
            while len(batch) < self.size:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                with self.hot.turn:
                    if writer is None:
                        writer = _Writer(self.hot, self.wait)
                    try:
                        writer.begin()
                        done = [self.write(writer.dbapi, item) for item, _ in batch]
                        writer.commit()
                    except BaseException:
                        writer = writer.rolled_back()
                        raise
            except Exception as exc:  # the database failed (locked, gone, full): every item of the batch is told
                for _, slot in batch:
                    slot.error = exc
                    slot.ready.release()
                continue
            jobs = [job for _, item_jobs in done for job in item_jobs]
            for (_, slot), (result, _) in zip(batch, done):
                slot.result = result
                slot.ready.release()
            if jobs:
                try:
                    self.after_commit(jobs)
                except Exception:  # never the writer's end: the relay enqueues what was not
                    log.exception("jobs of a committed batch not handed on; the relay will send them")


class _Writer:
    """The writer's connection: bot/sqlnative.py's (BEGIN IMMEDIATE, then the batch holding the GIL) or, where
    that cannot be used, one of the pool's (like SQLAlchemy's pysqlite dialect, it leaves BEGIN to the
    driver, before the first write)."""

    def __init__(self, hot: HotSQL, wait: float):
        self.hot = hot
        self.pooled = None
        try:
            self.native = sqlnative.connect(hot.engine.url.database or "", wait)
        except hot._error as exc:
            raise hot.error(exc, "connect") from exc
        if self.native is None:
            self.pooled = hot.engine.raw_connection()
        self.dbapi = self.native or self.pooled.driver_connection

    def begin(self) -> None:
        if self.native is not None:
            try:
                self.native.begin()
            except self.hot._error as exc:
                raise self.hot.error(exc, "BEGIN IMMEDIATE") from exc

    def commit(self) -> None:
        try:
            self.dbapi.commit()
        except self.hot._error as exc:
            raise self.hot.error(exc, "COMMIT") from exc

    def rolled_back(self) -> _Writer | None:
        """Undo a failed batch; a connection that cannot even roll back is dropped (the next batch opens one)."""
        try:
            self.dbapi.rollback()
            return self
        except Exception:  # noqa: BLE001
            log.warning("database connection dropped after a failed batch")
            try:
                if self.native is not None:
                    self.native.close()
                else:
                    self.pooled.invalidate()
            except Exception:  # noqa: BLE001
                pass
            return None


class _Slot:
    """One item's result, handed from the writer thread to the request thread waiting for it."""

    __slots__ = ("ready", "result", "error")

    def __init__(self):
        self.ready = threading.Lock()
        self.ready.acquire()
        self.result: Any = None
        self.error: Exception | None = None
