"""The database: engine and sessions, SQLite under the data folder or PostgreSQL by URL."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

# Every SQLite connection's settings: the WAL lets readers go on while one connection writes.
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")


def make_engine(url: str, wait: float = 15, lock_wait: float | None = None, ping: bool = True) -> Engine:
    """Create an engine tuned for the backend; `wait` bounds how long a statement waits for a server, `lock_wait`
    (`wait` unless given) how long it waits for a lock.

    The webhook passes short waits: a database that is locked or down must not hold a resident's answer past
    WeChat's 5 s (the message is spooled instead, see bot/store/spool.py), and a web process's threads that all wait
    for a lock at once hold up the messages queued behind them. It also passes `ping=False`:
    PostgreSQL's connections are not pinged at every checkout (a round trip per transaction); one the server
    dropped fails its first statement, SQLAlchemy then lets the pool's older connections go too, and the
    webhook answers the message once more (`Runtime.answer`)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        lock_wait = wait if lock_wait is None else lock_wait
        engine = create_engine(url, connect_args={"timeout": lock_wait, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            for pragma in SQLITE_PRAGMAS:
                dbapi_conn.execute(pragma)

        return engine
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    connect_args = {"connect_timeout": max(1, int(wait))}
    if wait < 15:  # only the webhook's short wait caps statements; reports may rightly run longer
        lock_wait = wait if lock_wait is None else lock_wait
        connect_args["options"] = f"-c statement_timeout={int(wait * 1000)} -c lock_timeout={int(lock_wait * 1000)}"
    return create_engine(url, pool_pre_ping=ping, pool_size=5, max_overflow=10, pool_timeout=wait,
                         connect_args=connect_args)


def begin_writing(conn: Connection) -> None:
    """Make the transaction just begun on `conn` one that writes: SQLite's write lock is taken now (BEGIN IMMEDIATE)
    rather than at the first write, so what it reads next cannot change before it commits. (The sqlite3 module
    begins a transaction only before a write of its own accord.) PostgreSQL needs nothing."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def dropped(exc: BaseException) -> bool:
    """The database error came from a connection the server had dropped (SQLAlchemy has already let it go)."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    # Imported here: alembic costs every process (web, worker, each CLI command) ~0.3 s at start, and only
    # `minhu db upgrade` and `minhu serve`'s start need it.
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "bot.store:migrations")
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
