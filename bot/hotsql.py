"""The few statements every complaint runs, handed to the database driver as written.

For these, SQLAlchemy's work per statement (finding the compiled form, converting each value on the
way in and out, describing the result) cost more than the database itself: a neighbour joining a
ticket took 0.52 ms of CPU through Core and 0.15 ms through the driver's own cursor. They still run
in SQLAlchemy's connections and transactions, and a failure is still raised as an SQLAlchemyError
(IntegrityError, OperationalError...), so a database outage is handled as anywhere else. Written once, with :name parameters, for SQLite and
PostgreSQL; values are stored the way SQLAlchemy stores them, so the ORM reads them back unchanged.
"""
from __future__ import annotations

import json
import re
import threading
from contextlib import nullcontext
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout

_PARAM = re.compile(r"(?<![:\w]):(\w+)")


class HotSQL:
    """Statement texts and value conversions for one engine's dialect."""

    def __init__(self, engine: Engine, turn_timeout: float = 1.5):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
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

    def run(self, conn: Connection, sql: str, params: dict[str, Any]):
        """Execute `sql` (":name" parameters) in `conn`'s transaction; return the driver's cursor.

        `conn` must be in a transaction (`engine.begin()`), so that SQLAlchemy commits it."""
        text = self._texts.get(sql)
        if text is None:
            text = self._texts[sql] = _PARAM.sub(r"%(\1)s", sql) if self.postgres else sql
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(text, params)
        except self._error as exc:
            raise DBAPIError.instance(text, params, exc, self._error,
                                      dialect=self.engine.dialect) from exc
        return cursor

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

    def for_update(self) -> str:
        return " FOR UPDATE" if self.postgres else ""


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
