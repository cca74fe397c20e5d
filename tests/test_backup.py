"""`minhu backup` and `minhu restore`: a database with tickets, events and media goes into one archive and comes
back the same after the data is wiped; a damaged archive is caught by `--check`."""
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from bot.store import db
from bot.cli.main import main
from bot.store.dumps import BackupError, find_client
from bot.store.models import Attachment, Ticket, TicketEvent
from tests.conftest import REPO


def minhu(env: dict, *args: str):
    """Run a `minhu` command in this process, as an operator's shell with that environment would."""
    result = CliRunner().invoke(main, list(args), env=env | {"MINHU_CONFIG": str(REPO / "config.yaml")})
    assert "Traceback" not in result.output, result.output
    return result


def rows(url: str) -> dict[str, list[tuple]]:
    """Every ticket, event and attachment, column by column."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return {model.__tablename__: [tuple(row) for row in conn.execute(select(model).order_by(model.id))]
                    for model in (Ticket, TicketEvent, Attachment)}
    finally:
        engine.dispose()


def media_bytes(folder) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def filled(wechat, runtime, settings):
    """Two tickets with events and a photo, one accepted, and media files as the data folder stores them."""
    assert "工单号" in wechat.say("3号楼2单元楼顶漏水了", sender="o_backup_a")
    wechat.image(sender="o_backup_a", media_id="MEDIA_ROOF")
    assert "工单号" in wechat.say("5号楼楼道灯坏了", sender="o_backup_b")
    wechat.run_jobs()
    wechat.say("接单 100001", sender="o_demo_grid1_li")
    wechat.run_jobs()
    media = settings.secrets.data_dir / "media"
    (media / "2026" / "12").mkdir(parents=True)
    (media / "2026" / "12" / "roof.jpg").write_bytes(os.urandom(300_000))
    (media / "voice.amr").write_bytes(b"#!AMR\n" + bytes(range(256)) * 40)
    runtime.engine.dispose()
    return settings


def wipe(settings, url: str) -> None:
    """Lose everything: the database and the data folder's media."""
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            (settings.secrets.data_dir / f"minhu.db{suffix}").unlink(missing_ok=True)
    else:
        from bench.stack import reset_postgres

        reset_postgres(url)
    shutil.rmtree(settings.secrets.data_dir / "media")


def test_backup_wipe_restore_gives_back_the_same_tickets_events_and_media(filled, env, database_url, tmp_path):
    settings = filled
    before, media_before = rows(database_url), media_bytes(settings.secrets.data_dir / "media")
    assert len(before["tickets"]) == 2 and len(before["ticket_events"]) >= 4 and before["attachments"]

    made = minhu(env, "backup", "--to", str(tmp_path / "backups"))
    assert made.exit_code == 0, made.output
    (archive,) = (tmp_path / "backups").glob("minhu-backup-*Z.tar.gz")
    assert str(archive) in made.output and oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert hashlib.sha256(tar.extractfile("media/2026/12/roof.jpg").read()).hexdigest() == \
            manifest["files"]["media/2026/12/roof.jpg"]["sha256"]
    assert manifest["database"]["kind"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    assert manifest["database"]["tables"]["tickets"] == 2 and manifest["media"]["files"] == 2
    assert manifest["versions"]["minhu"] == "0.1.0" and manifest["database"]["schema"]

    wipe(settings, database_url)
    assert minhu(env, "db", "upgrade").exit_code == 0  # a new machine: its services have made empty tables
    restored = minhu(env, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.output and "tickets 2" in restored.output

    assert rows(database_url) == before
    assert media_bytes(settings.secrets.data_dir / "media") == media_before
    (config_at,) = settings.secrets.data_dir.glob("config.restored-*.yaml")
    assert str(config_at) in restored.output
    assert config_at.read_bytes() == (REPO / "config.yaml").read_bytes()


def test_restore_refuses_a_database_with_data_unless_forced(filled, env, database_url, tmp_path, wechat):
    settings = filled
    minhu(env, "backup", "--to", str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("*.tar.gz")
    before = rows(database_url)
    assert "工单号" in wechat.say("7号楼电梯坏了", sender="o_backup_c")  # the database moves on after the backup
    (settings.secrets.data_dir / "media" / "new.jpg").write_bytes(b"after the backup")
    wechat.runtime.engine.dispose()

    refused = minhu(env, "restore", str(archive))
    assert refused.exit_code == 1 and "is not empty" in refused.output and "--force" in refused.output
    assert len(rows(database_url)["tickets"]) == 3  # nothing touched

    forced = minhu(env, "restore", str(archive), "--force")
    assert forced.exit_code == 0, forced.output
    assert rows(database_url) == before
    (aside,) = settings.secrets.data_dir.glob("media.before-restore-*")  # what was there is kept, not deleted
    assert (aside / "new.jpg").read_bytes() == b"after the backup" and str(aside) in forced.output
    assert not (settings.secrets.data_dir / "media" / "new.jpg").exists()


def rewrite(archive, changed: dict[str, bytes]) -> None:
    """Repack the archive with some members' bytes changed, the manifest left as it was."""
    with tarfile.open(archive) as tar:
        members = [(member, tar.extractfile(member).read()) for member in tar]
    with tarfile.open(archive, "w:gz") as tar:
        for member, body in members:
            body = changed.get(member.name, body)
            member.size = len(body)
            tar.addfile(member, io.BytesIO(body))


def test_backup_check_restores_into_a_scratch_database_and_catches_a_damaged_archive(filled, env, tmp_path):
    minhu(env, "backup", "--to", str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("*.tar.gz")
    good = minhu(env, "backup", "--check", str(archive))
    assert good.exit_code == 0 and "ok" in good.output and "tickets 2" in good.output, good.output

    photo = bytearray(tarfile.open(archive).extractfile("media/2026/12/roof.jpg").read())
    photo[1000] ^= 0xFF
    rewrite(archive, {"media/2026/12/roof.jpg": bytes(photo)})
    bad = minhu(env, "backup", "--check", str(archive))
    assert bad.exit_code == 1 and "media/2026/12/roof.jpg: checksum differs" in bad.output, bad.output
    assert minhu(env, "restore", str(archive), "--force").exit_code == 1  # a damaged archive is never restored

    archive.write_bytes(gzip.compress(b"not a tar")[:20])
    cut = minhu(env, "backup", "--check", str(archive))
    assert cut.exit_code == 1 and "damaged or incomplete" in cut.output


def test_backup_keeps_the_newest_archives_it_is_told_to(filled, env, tmp_path):
    out = tmp_path / "backups"
    out.mkdir()
    (out / "minhu-backup-20200101-000000Z.tar.gz").write_bytes(b"old")
    (out / "notes.txt").write_text("not ours")
    made = minhu(env, "backup", "--to", str(out), "--keep", "1")
    assert made.exit_code == 0 and "deleted the older minhu-backup-20200101-000000Z.tar.gz" in made.output
    assert sorted(p.name for p in out.iterdir())[1] == "notes.txt" and len(list(out.iterdir())) == 2


def fake_client(folder, name: str, version: str):
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    program.chmod(0o755)
    return str(program)


def test_pg_dump_is_one_at_least_as_new_as_the_server_and_a_mismatch_is_said_plainly(tmp_path):
    old = fake_client(tmp_path / "13" / "bin", "pg_dump", "13.4")
    new = fake_client(tmp_path / "16" / "bin", "pg_dump", "16.1 (Debian 16.1-1)")
    same = fake_client(tmp_path / "15" / "bin", "pg_dump", "15.18")
    assert find_client("pg_dump", 15, search=(str(tmp_path / "*" / "bin"),)) == (same, 15)
    assert find_client("pg_dump", 14, search=(str(tmp_path / "*" / "bin"),)) == (new, 16)
    assert find_client("pg_dump", 12, search=(str(tmp_path / "*" / "bin"),)) == (new, 16)
    assert old  # a pg_dump older than the server is never chosen
    with pytest.raises(BackupError, match=r"pg_dump 16 .* is older than PostgreSQL 17.*postgresql-client-17"):
        find_client("pg_dump", 17, search=(str(tmp_path / "*" / "bin"),))
    with pytest.raises(BackupError, match="pg_restore not found: install"):
        find_client("pg_restore", 15, search=(str(tmp_path / "*" / "bin"),))


def test_the_postgresql_check_drops_its_scratch_database(filled, env, database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    minhu(env, "backup", "--to", str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("*.tar.gz")
    assert minhu(env, "backup", "--check", str(archive)).exit_code == 0
    engine = db.make_engine(database_url)
    with engine.connect() as conn:
        left = conn.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE 'minhu_check_%'")).all()
    engine.dispose()
    assert left == []
