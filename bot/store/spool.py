"""Messages the database could not take: kept in Redis, or a file when Redis is down too, and replayed later."""
from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from bot.domain.privacy import mask_key
from bot.domain.message import Message

log = logging.getLogger("minhu.spool")
KEY, WORKING = "minhu:spool", "minhu:spool:working"
# Entries that cannot be read are kept for a person to look at, never dropped.
UNREADABLE = "minhu:spool:unreadable"


def encode(message: Message) -> str:
    fields = dataclasses.asdict(message)
    fields["created_at"] = message.created_at.isoformat() if message.created_at else None
    return json.dumps(fields, ensure_ascii=False)


def decode(raw: str | bytes) -> Message:
    fields = json.loads(raw)
    fields["created_at"] = datetime.fromisoformat(fields["created_at"]) if fields.get("created_at") else None
    return Message(**fields)


class Spool:
    """A durable queue of messages to answer again once the database is back."""

    def __init__(self, redis: Redis, folder: Path):
        self.redis, self.path = redis, folder / "spool.jsonl"
        self.unreadable = folder / "spool.unreadable.jsonl"

    def put(self, message: Message) -> str:
        """Keep the message; return where ("redis" or "file"). Raises only if both are unwritable."""
        line = encode(message)
        try:
            self.redis.rpush(KEY, line)
            return "redis"
        except RedisError as exc:
            log.warning("spooling message %s to a file (Redis: %s)", mask_key(message.key), exc)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_EX)  # several web processes append to the same file
            file.write(line + "\n")
            file.flush()
            os.fsync(file.fileno())
        return "file"

    def drain(self, replay: Callable[[Message], None], limit: int = 200) -> int:
        """Replay spooled messages, oldest first; stop at the first that fails again (the database is still down)."""
        done = self._drain_file(replay)
        # A replay interrupted by a crash left its message in the working list: it goes first.
        while self.redis.lmove(WORKING, KEY, "RIGHT", "LEFT"):
            pass
        for _ in range(limit):
            raw = self.redis.lmove(KEY, WORKING, "LEFT", "RIGHT")
            if raw is None:
                break
            try:
                message = decode(raw)
            except (ValueError, TypeError):
                # Not shown: an entry holds an openid and what the resident wrote.
                log.error("unreadable spool entry of %s bytes set aside in %s", len(raw), UNREADABLE)
                self.redis.rpush(UNREADABLE, raw)
                self.redis.lrem(WORKING, 1, raw)
                continue
            try:
                replay(message)
            except Exception:
                self.redis.lmove(WORKING, KEY, "RIGHT", "LEFT")
                raise
            self.redis.lrem(WORKING, 1, raw)
            done += 1
        return done

    def _drain_file(self, replay: Callable[[Message], None]) -> int:
        """Replay the file spool (and any a crashed drain left behind); what fails again goes back to the file."""
        taken = [path for path in self.path.parent.glob(self.path.stem + ".draining-*") if not _alive(path)]
        if self.path.exists():
            mine = self.path.with_suffix(f".draining-{os.getpid()}")
            os.replace(self.path, mine)
            taken.append(mine)
        done = 0
        for path in taken:
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            for i, line in enumerate(lines):
                try:
                    message = decode(line)
                except (ValueError, TypeError):
                    log.error("unreadable spool line of %s characters set aside in %s", len(line), self.unreadable)
                    with open(self.unreadable, "a", encoding="utf-8") as file:
                        file.write(line + "\n")
                    continue
                try:
                    replay(message)
                except Exception:
                    with open(self.path, "a", encoding="utf-8") as file:
                        fcntl.flock(file, fcntl.LOCK_EX)
                        file.write("".join(rest + "\n" for rest in lines[i:]))
                    path.unlink()
                    raise
                done += 1
            path.unlink()
        return done


def _alive(path: Path) -> bool:
    """Whether the process that is draining this file still runs (the file is then its, not ours)."""
    try:
        pid = int(path.suffix.rsplit("-", 1)[-1])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return pid != os.getpid()
