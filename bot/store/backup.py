"""Backups: the database, the stored media and the config file in one dated archive, with a manifest of checksums."""
from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import socket
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

from bot.store import db, dumps
from bot.store.dumps import BackupError
from bot.settings import Settings

FORMAT = 1
PREFIX = "minhu-backup-"  # with --keep, only archives so named are ever deleted
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILE = {"sqlite": "database/minhu.sqlite3", "postgresql": "database/minhu.pgdump"}
CONFIG_FILE = "config/config.yaml"
CHUNK = 1 << 20


def _minhu_version() -> str:
    try:
        return version("minhu")
    except PackageNotFoundError:
        return "unknown"


class _Hashing:
    """A file read for the archive, hashed as it is read: the checksum is of the bytes the archive got."""

    def __init__(self, handle):
        self.handle, self.sha256 = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.sha256.update(chunk)
        return chunk


def _add(tar: tarfile.TarFile, path: Path, name: str, files: dict) -> None:
    info = tarfile.TarInfo(name)
    stat = path.stat()
    info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
    with open(path, "rb") as handle:
        hashing = _Hashing(handle)
        tar.addfile(info, hashing)
    files[name] = {"sha256": hashing.sha256.hexdigest(), "bytes": info.size}


def _media_files(media_dir: Path) -> list[tuple[Path, str]]:
    """Every regular file under the media folder, with its name in the archive (symlinks are not followed)."""
    found = []
    for folder, dirs, names in os.walk(media_dir):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append((path, f"{MEDIA}/{path.relative_to(media_dir).as_posix()}"))
    return found


def make_backup(settings: Settings, out_dir: Path, now: datetime | None = None) -> Path:
    """Write minhu-backup-<UTC time>.tar.gz into out_dir and return its path; a half-written one never has that name."""
    now = now or datetime.now(timezone.utc)
    url, kind = settings.database_url, dumps.kind_of(settings.database_url)
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{PREFIX}{now:%Y%m%d-%H%M%S}Z.tar.gz"
    if archive.exists():
        raise BackupError(f"{archive} exists already: a backup was made this very second; try again")
    partial = archive.with_name(archive.name + ".partial")
    engine = db.make_engine(url)
    files: dict[str, dict] = {}
    try:
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=".dump-") as scratch:
            dump = Path(scratch) / "dump"
            if kind == "sqlite":
                dumps.sqlite_copy(dumps.sqlite_path(url), dump)
                copied = db.make_engine(f"sqlite:///{dump}")
                try:
                    database = {"sqlite": sqlite3.sqlite_version, "tables": dumps.row_counts(copied),
                                "schema": dumps.schema_revision(copied)}
                finally:
                    copied.dispose()
            else:
                database = dumps.pg_dump(engine, url, dump)
            database = {"kind": kind, "file": DATABASE_FILE[kind], **database}
            media = _media_files(settings.secrets.data_dir / MEDIA)
            # Readable by its owner only: it holds residents' words and addresses.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                _add(tar, dump, DATABASE_FILE[kind], files)
                for path, name in media:
                    _add(tar, path, name, files)
                _add(tar, settings.config_path, CONFIG_FILE, files)
                manifest = {
                    "format": FORMAT, "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "host": socket.gethostname(),
                    "versions": {"minhu": _minhu_version(), "python": platform.python_version()},
                    "database": database,
                    "media": {"files": len(media), "bytes": sum(files[name]["bytes"] for _, name in media)},
                    "config": {"file": CONFIG_FILE, "from": str(settings.config_path.resolve())},
                    "files": files,
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(body))
        os.replace(partial, archive)
    finally:
        partial.unlink(missing_ok=True)
        engine.dispose()
    return archive


def prune(out_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives in out_dir (only files named as make_backup names them)."""
    archives = sorted(out_dir.glob(f"{PREFIX}*.tar.gz"))
    gone = archives[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink()
    return gone


@dataclass
class Opened:
    """An archive whose every file matched its manifest, unpacked into `folder`."""

    folder: Path
    manifest: dict
    media: list[str] = field(default_factory=list)

    @property
    def database(self) -> dict:
        return self.manifest["database"]

    @property
    def dump(self) -> Path:
        return self.folder / self.database["file"]


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and bool(path.parts)


def open_archive(archive: Path, folder: Path) -> Opened:
    """Unpack the archive into folder, checking every file against the manifest's checksums; BackupError if any
    file is missing, extra, altered or unreadable."""
    seen: dict[str, dict] = {}
    manifest = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(f"{archive}: unexpected entry {member.name!r}: not an archive minhu made")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(source.read().decode("utf-8"))
                    continue
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                sha256 = hashlib.sha256()
                with open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        sha256.update(chunk)
                        out.write(chunk)
                seen[member.name] = {"sha256": sha256.hexdigest(), "bytes": member.size}
    except FileNotFoundError:
        raise BackupError(f"{archive}: no such file") from None
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{archive}: cannot be read ({exc}): damaged or incomplete") from exc
    if manifest is None or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: no manifest of format {FORMAT}: not an archive this minhu made")
    listed = manifest["files"]
    problems = [f"{name}: checksum differs" for name in sorted(set(seen) & set(listed)) if seen[name] != listed[name]]
    problems += [f"{name}: missing" for name in sorted(set(listed) - set(seen))]
    problems += [f"{name}: not in the manifest" for name in sorted(set(seen) - set(listed))]
    if problems:
        raise BackupError(f"{archive}: does not match its manifest: " + "; ".join(problems[:5])
                          + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
    return Opened(folder, manifest, sorted(name for name in seen if name.startswith(MEDIA + "/")))
