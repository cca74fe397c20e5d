"""Where the evidence is kept: the data folder's media/, or an S3-compatible bucket when MINHU_MEDIA_S3_BUCKET is set.

Both keep bytes under a key such as "100001/7.jpg" (the ticket's id, the attachment's id), the key recorded on the
attachment; no key may lead outside the folder or the bucket's prefix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol

from bot.errors import ConfigError, StorageUnavailable
from bot.settings import Secrets

KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
KEY_MAX = 512


class BadKey(ValueError):
    """A key that could lead outside the store (.., an absolute path, a backslash) or is no key minhu makes."""


def checked(key: str) -> str:
    """The key when it is one minhu makes (ASCII names under folders, no "..", no leading "/"), else BadKey."""
    if not isinstance(key, str) or len(key) > KEY_MAX or not KEY.fullmatch(key) or ".." in key.split("/") \
            or any(part.startswith(".") for part in key.split("/")):
        raise BadKey(f"not a media key: {key!r}"[:200])
    return key


@dataclass(frozen=True)
class Blob:
    """A kept file to send: a path (the folder) or an open stream (a bucket), with what HTTP caching needs."""

    source: Path | IO[bytes]
    size: int | None = None
    etag: str | None = None
    modified: datetime | None = None


class Blobs(Protocol):
    """Put bytes under a key, get them back, open them to stream, ask whether they are there (or the store works)."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def open(self, key: str) -> Blob | None: ...
    def exists(self, key: str) -> bool: ...
    def problem(self) -> str | None: ...
    def close(self) -> None: ...


class FolderBlobs:
    """The data folder's media/: each file written beside itself and renamed, so no reader sees half of it."""

    def __init__(self, root: Path):
        self.root = root
        self.where = str(root)

    def path(self, key: str) -> Path | None:
        """The file a key names, None when the key is bad or its path (through a symlink) leads outside."""
        try:
            checked(key)
        except BadKey:
            return None
        root = self.root.resolve()
        path = (root / key).resolve()
        return path if path.is_relative_to(root) else None

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        if path is None:
            raise BadKey(f"not a media key: {key!r}"[:200])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(data)
            partial.replace(path)
        except OSError as exc:
            raise StorageUnavailable(f"media folder: {exc}") from None

    def get(self, key: str) -> bytes | None:
        path = self.path(key)
        return path.read_bytes() if path is not None and path.is_file() else None

    def open(self, key: str) -> Blob | None:
        path = self.path(key)
        return Blob(path) if path is not None and path.is_file() else None

    def exists(self, key: str) -> bool:
        path = self.path(key)
        return path is not None and path.is_file()

    def problem(self) -> str | None:
        """Nothing to ask: the folder is made with the first file."""
        return None

    def close(self) -> None:
        """Nothing held open."""


# The variables that choose a bucket (Secrets' media_s3_* fields); the standard AWS names stand in for the two keys
# when the MINHU_ ones are unset.
S3_VARIABLES = tuple(f"MINHU_{name.upper()}" for name in Secrets.model_fields if name.startswith("media_s3_"))
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
STYLES = ("auto", "path", "virtual")


@dataclass(frozen=True)
class S3Place:
    """A bucket and how to reach it, checked: every problem names its variable, never its value."""

    bucket: str
    endpoint: str
    region: str
    prefix: str
    addressing_style: str
    access_key_id: str
    secret_access_key: str


def s3_place(secrets) -> S3Place | None:
    """The bucket the environment names, None for the data folder; ConfigError naming each variable that is wrong."""
    given = {name: getattr(secrets, name.removeprefix("MINHU_").lower(), "") for name in S3_VARIABLES}
    if not given["MINHU_MEDIA_S3_BUCKET"]:
        stray = [name for name, value in given.items() if value and "KEY" not in name]
        if stray:
            raise ConfigError(f"MINHU_MEDIA_S3_BUCKET: not set, but {', '.join(stray)} is: set the bucket to keep "
                              f"media in S3-compatible storage, or unset the others to keep it in the data folder")
        return None
    problems = []
    if not BUCKET.fullmatch(given["MINHU_MEDIA_S3_BUCKET"]):
        problems.append("MINHU_MEDIA_S3_BUCKET: expected a bucket name, 3-63 lowercase letters, digits, dots or dashes")
    endpoint = given["MINHU_MEDIA_S3_ENDPOINT"]
    if endpoint and not re.fullmatch(r"https?://[^/\s]+/?", endpoint):
        problems.append("MINHU_MEDIA_S3_ENDPOINT: expected the service's address, scheme and host without a path, "
                        "e.g. https://oss-cn-hangzhou.aliyuncs.com or http://127.0.0.1:9000")
    if not endpoint and not given["MINHU_MEDIA_S3_REGION"]:
        problems.append("MINHU_MEDIA_S3_REGION: not set; AWS needs the bucket's region (e.g. ap-east-1), or set "
                        "MINHU_MEDIA_S3_ENDPOINT for another S3-compatible service")
    style = given["MINHU_MEDIA_S3_ADDRESSING_STYLE"] or "auto"
    if style not in STYLES:
        problems.append(f"MINHU_MEDIA_S3_ADDRESSING_STYLE: expected one of {', '.join(STYLES)}")
    prefix = given["MINHU_MEDIA_S3_PREFIX"].strip("/")
    if prefix:
        try:
            checked(prefix)
        except BadKey:
            problems.append("MINHU_MEDIA_S3_PREFIX: expected folder names of letters, digits, . _ - and /, without ..")
    for name, standard in (("MINHU_MEDIA_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
                           ("MINHU_MEDIA_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY")):
        if not given[name]:
            problems.append(f"{name}: not set (nor {standard})")
    if problems:
        raise ConfigError("\n".join(problems))
    return S3Place(bucket=given["MINHU_MEDIA_S3_BUCKET"], endpoint=endpoint.rstrip("/"),
                   region=given["MINHU_MEDIA_S3_REGION"] or "us-east-1", prefix=prefix + "/" if prefix else "",
                   addressing_style=style, access_key_id=given["MINHU_MEDIA_S3_ACCESS_KEY_ID"],
                   secret_access_key=given["MINHU_MEDIA_S3_SECRET_ACCESS_KEY"])
