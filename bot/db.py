"""The database: engine and sessions, SQLite under the data folder or PostgreSQL by URL."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

# Every SQLite connection's settings: the WAL lets readers go on while one connection writes.
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")


def make_engine(url: str, wait: float = 15) -> Engine:
    """Create an engine tuned for the backend; `wait` bounds how long a statement waits for a lock or a server.

    The webhook passes a short wait: a database that is locked or down must not hold a resident's
    answer past WeChat's 5 s (the message is spooled instead, see bot/spool.py)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": wait, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            from bot import sqlnative  # it imports this module

            cursor = dbapi_conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()
            sqlnative.cooperate(dbapi_conn, path, wait)  # under gevent: wait for locks letting others run
            sqlnative.checkpoint_aside(dbapi_conn, path)  # under gevent: checkpoints in a thread of their own

        return engine
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    connect_args = {"connect_timeout": max(1, int(wait))}
    if wait < 15:  # only the webhook's short wait caps statements; reports may rightly run longer
        connect_args["options"] = f"-c statement_timeout={int(wait * 1000)} -c lock_timeout={int(wait * 1000)}"
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=wait,
                         connect_args=connect_args)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "bot:migrations")
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
