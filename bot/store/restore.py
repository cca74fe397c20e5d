"""Checking a backup archive in a scratch database, and restoring one: database, media, and the config put aside."""
from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.store import db, dumps
from bot.store.backup import CONFIG_FILE, MEDIA, Opened, open_archive
from bot.store.dumps import BackupError
from bot.settings import Settings


def _dump_major(database: dict) -> int:
    return int(str(database.get("pg_dump", "0")).split()[0])


def load_database(opened: Opened, url: str) -> dict[str, int]:
    """Load the archive's database into the database at url (its tables are replaced); return its rows per table."""
    kind = opened.database["kind"]
    if dumps.kind_of(url) != kind:
        where = "unset" if kind == "sqlite" else "postgresql://…"
        raise BackupError(f"the archive holds a {kind} database and the target is {dumps.kind_of(url)}: restore it "
                          f"where minhu uses {kind} (MINHU_DATABASE_URL {where})")
    if kind == "sqlite":
        dumps.sqlite_intact(opened.dump)
        dumps.sqlite_copy(opened.dump, dumps.sqlite_path(url))
    engine = db.make_engine(url)
    try:
        if kind == "postgresql":
            dumps.drop_tables(engine)
            dumps.pg_restore(engine, url, opened.dump, _dump_major(opened.database))
        return dumps.row_counts(engine)
    finally:
        engine.dispose()


def _same_rows(opened: Opened, got: dict[str, int]) -> None:
    expected = opened.database["tables"]
    problems = [f"{name}: {got.get(name)} rows, the manifest says {count}" for name, count in expected.items()
                if got.get(name) != count]
    if problems:
        raise BackupError("the restored database does not hold what the manifest lists: " + "; ".join(problems))


def _known_revision(revision: str | None) -> bool:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    if revision is None:
        return True
    cfg = Config()
    cfg.set_main_option("script_location", "bot.store:migrations")
    return revision in {script.revision for script in ScriptDirectory.from_config(cfg).walk_revisions()}


def _scratch_postgres(opened: Opened, server_url: str) -> dict[str, int]:
    """Restore into a database made for the check on server_url's server, and drop it after."""
    name = f"minhu_check_{secrets.token_hex(4)}"
    admin = db.make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as exc:
        admin.dispose()
        raise BackupError(f"cannot make a scratch database to check the dump in ({str(exc.orig or exc).strip()}): pass "
                          f"--scratch-url postgresql://…, a database whose tables the check may replace") from exc
    try:
        return load_database(opened, make_url(server_url).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def check_backup(archive: Path, scratch_url: str | None = None, server_url: str | None = None) -> dict:
    """Verify every checksum, then restore the database into a scratch one and compare its rows with the manifest.

    PostgreSQL dumps go into scratch_url (its tables replaced), else into a database made and dropped on
    server_url's server. Return the manifest."""
    with tempfile.TemporaryDirectory(prefix="minhu-check-") as folder:
        opened = open_archive(archive, Path(folder))
        if opened.database["kind"] == "sqlite":
            got = load_database(opened, f"sqlite:///{Path(folder) / 'scratch.sqlite3'}")
        elif scratch_url:
            got = load_database(opened, scratch_url)
        elif server_url and dumps.kind_of(server_url) == "postgresql":
            got = _scratch_postgres(opened, server_url)
        else:
            raise BackupError("the archive holds a PostgreSQL dump: to check it, set MINHU_DATABASE_URL to a PostgreSQL "
                              "server (a scratch database is made there and dropped), or pass --scratch-url")
        _same_rows(opened, got)
        return opened.manifest


@dataclass
class Restored:
    manifest: dict
    media_aside: Path | None
    config_at: Path


def restore_backup(archive: Path, settings: Settings, force: bool = False) -> Restored:
    """Restore the database and the media of an archive; its config file is put beside, never over, the one in use."""
    data_dir = settings.secrets.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%SZ")
    url = settings.database_url
    # Unpacked on the data folder's own disk: the media are then moved into place, not copied.
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as folder:
        opened = open_archive(archive, Path(folder))
        database = opened.database
        if dumps.kind_of(url) != database["kind"]:
            load_database(opened, url)  # raises, saying which kind goes where
        if not _known_revision(database.get("schema")):
            raise BackupError(f"the archive's schema ({database['schema']}) is newer than this minhu knows: restore it "
                              f"with the release that made it (minhu {opened.manifest['versions']['minhu']})")
        engine = db.make_engine(url)
        try:
            held = {name: count for name, count in dumps.row_counts(engine).items() if count}
        finally:
            engine.dispose()
        if held and not force:
            shown = ", ".join(f"{name} {count}" for name, count in
                              sorted(held.items(), key=lambda item: (item[0] != "tickets", item[0]))[:4])
            raise BackupError(f"the database at {make_url(url).render_as_string(hide_password=True)} is not empty "
                              f"({shown}…): stop minhu's services and restore with --force to replace it")
        got = load_database(opened, url)
        _same_rows(opened, got)
        aside = None
        if opened.media:
            media_dir = data_dir / MEDIA
            if media_dir.exists() and any(media_dir.iterdir()):
                aside = data_dir / f"{MEDIA}.before-restore-{stamp}"
                media_dir.rename(aside)
            elif media_dir.exists():
                media_dir.rmdir()
            (Path(folder) / MEDIA).rename(media_dir)
        config_at = data_dir / f"config.restored-{stamp}.yaml"
        shutil.move(Path(folder) / CONFIG_FILE, config_at)
    return Restored(opened.manifest, aside, config_at)
