"""A database to one file and back: SQLite through its online backup API, PostgreSQL through pg_dump and pg_restore."""
from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import MetaData, func, inspect, select, text
from sqlalchemy.engine import URL, Engine, make_url

from bot.errors import MinhuError

# Alembic's own table says which migration the schema is at; it holds no one's data.
SCHEMA_TABLE = "alembic_version"
# Where Debian and Red Hat put each PostgreSQL release's client programs, besides PATH.
PG_BIN_DIRS = ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin")


class BackupError(MinhuError):
    """A backup cannot be made, checked or restored; the message says why and what to do."""


def kind_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table (Alembic's own left out), the fingerprint a restored database must match."""
    names = sorted(name for name in inspect(engine).get_table_names() if name != SCHEMA_TABLE)
    meta = MetaData()
    meta.reflect(engine, only=names)
    with engine.connect() as conn:
        return {name: conn.scalar(select(func.count()).select_from(meta.tables[name])) for name in names}


def schema_revision(engine: Engine) -> str | None:
    if SCHEMA_TABLE not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return conn.scalar(text(f"SELECT version_num FROM {SCHEMA_TABLE}"))


def drop_tables(engine: Engine) -> None:
    """Drop every table of the database's schema, so a dump can be loaded into it."""
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)


# --- SQLite ---------------------------------------------------------------------------------------------------

def sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page, consistent even while others write to it (the online backup API)."""
    if not source.exists():
        raise BackupError(f"no database at {source}: nothing to back up (is MINHU_DATA_DIR right?)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as src, \
            closing(sqlite3.connect(target, timeout=30)) as dst:
        src.backup(dst)


def sqlite_intact(path: Path) -> None:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise BackupError(f"the archive's SQLite database is damaged: {verdict}")


# --- PostgreSQL -----------------------------------------------------------------------------------------------

def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq takes it, with the password moved to PGPASSWORD: never on a command line `ps` shows."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def client_major(program: str) -> int | None:
    """The major version a PostgreSQL client program reports (`pg_dump (PostgreSQL) 15.18` → 15)."""
    try:
        out = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    found = re.search(r"\)\s*(\d+)", out)
    return int(found.group(1)) if found else None


def find_client(name: str, at_least: int, search: tuple[str, ...] | None = None) -> tuple[str, int]:
    """The pg_dump or pg_restore to use: one of the server's major version, else the newest that is newer.

    pg_dump refuses a server newer than itself, and pg_restore may not read a dump of a newer pg_dump."""
    paths = [shutil.which(name)] if search is None else []
    for pattern in (PG_BIN_DIRS if search is None else search):
        paths += sorted(glob.glob(os.path.join(pattern, name)))
    found = {}
    for path in filter(None, paths):
        major = client_major(path)
        if major is not None:
            found.setdefault(os.path.realpath(path), (path, major))
    if not found:
        raise BackupError(f"{name} not found: install PostgreSQL's client programs, version {at_least} or newer "
                          f"(Debian: apt-get install postgresql-client-{at_least})")
    usable = sorted(((major != at_least, -major), path, major) for path, major in found.values() if major >= at_least)
    if not usable:
        path, major = max(found.values(), key=lambda item: item[1])
        raise BackupError(f"{name} {major} ({path}) is older than PostgreSQL {at_least}, which it must be at least: "
                          f"install postgresql-client-{at_least} (Debian: apt-get install postgresql-client-{at_least})")
    _, path, major = usable[0]
    return path, major


def server_major(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SHOW server_version_num"))) // 10000


def pg_dump(engine: Engine, url: str, target: Path) -> dict:
    """Dump the database in pg_dump's custom format; the rows are counted in the very snapshot pg_dump reads."""
    major = server_major(engine)
    program, program_major = find_client("pg_dump", major)
    libpq_url, env = _libpq(url)
    # One snapshot for the counts and the dump: a busy database is dumped as the counts say, however it moves on.
    with engine.connect() as conn, conn.execution_options(isolation_level="REPEATABLE READ").begin():
        snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
        names = [row[0] for row in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"))]
        counts = {name: conn.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in names if name != SCHEMA_TABLE}
        revision = conn.scalar(text(f"SELECT version_num FROM {SCHEMA_TABLE}")) if SCHEMA_TABLE in names else None
        version = conn.scalar(text("SHOW server_version"))
        done = subprocess.run([program, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                               f"--file={target}", f"--dbname={libpq_url}"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip() or done.returncode}")
    return {"server": version, "pg_dump": f"{program_major} ({program})", "tables": counts, "schema": revision}


def pg_restore(engine: Engine, url: str, dump: Path, dump_major: int) -> None:
    """Load a custom-format dump into an empty database, all or nothing."""
    program, _ = find_client("pg_restore", max(server_major(engine), dump_major))
    libpq_url, env = _libpq(url)
    done = subprocess.run([program, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                           f"--dbname={libpq_url}", str(dump)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip() or done.returncode}")
