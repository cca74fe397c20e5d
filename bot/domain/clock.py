"""The one clock: naive UTC datetimes everywhere in the store; tests move it with monkeypatch."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (the same on SQLite and PostgreSQL)."""
    return datetime.now(UTC).replace(tzinfo=None)
