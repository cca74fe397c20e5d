"""A running `minhu serve` tells the commands run beside it what it set up (its Redis, its WeChat stand-in)."""
from __future__ import annotations

import json
import os
from pathlib import Path

SERVE_FILE = "serve.json"  # under the data folder while `minhu serve` runs: what it set up for its children
# What `minhu serve` makes when the environment does not say: an embedded Redis, and a WeChat stand-in.
SERVED_REDIS = ("MINHU_REDIS_URL",)
SERVED_WECHAT = ("MINHU_WECHAT_APPID", "MINHU_WECHAT_SECRET", "MINHU_WECHAT_API_BASE")


def _alive(pid: object) -> bool:
    try:
        os.kill(int(pid), 0)
    except PermissionError:
        return True  # someone else's process, but a live one
    except (OSError, TypeError, ValueError):
        return False
    return True


def served(data_dir: Path) -> dict | None:
    """What the `minhu serve` running on this data folder set up, or None when none runs."""
    try:
        found = json.loads((data_dir / SERVE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # A file whose process is gone was left by a `minhu serve` that was killed.
    return found if isinstance(found, dict) and _alive(found.get("pid")) else None


def beside_serve(env: dict[str, str]) -> dict[str, str]:
    """The environment, completed with the Redis and WeChat stand-in of a `minhu serve` running on the same data
    folder, where the environment names none: commands run next to it (`minhu staff invite`) reach what it runs."""
    serve = served(Path(env.get("MINHU_DATA_DIR") or "var"))
    if serve is None:
        return env
    added = {}
    for group in (SERVED_REDIS, SERVED_WECHAT):  # all of a group or none: a stand-in's secret is no real account's
        if not any(env.get(key) for key in group):
            added |= {key: str(serve[key]) for key in group if serve.get(key)}
    return {**env, **added}


def write_serve_file(data_dir: Path, env: dict[str, str]) -> Path:
    """Say, for commands run beside it, what this `minhu serve` set up (see beside_serve)."""
    path = data_dir / SERVE_FILE
    served = {key: env[key] for key in SERVED_REDIS + SERVED_WECHAT if env.get(key)}
    path.write_text(json.dumps({"pid": os.getpid(), **served}), encoding="utf-8")
    return path
