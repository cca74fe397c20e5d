"""The worker process's resources, built once from the environment on the first job."""
from __future__ import annotations

from bot.runtime import Runtime
from bot.settings import load_settings

_current: Runtime | None = None


def get() -> Runtime:
    """This process's runtime (settings from config.yaml and MINHU_* variables)."""
    global _current
    if _current is None:
        _current = Runtime(load_settings())
    return _current


def install(runtime: Runtime | None) -> None:
    """Use this runtime for the jobs run in this process (tests, `minhu serve`)."""
    global _current
    _current = runtime
