"""A controllable clock for minhu and for RQ's scheduler, and a helper that runs what has come due."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from datetime import UTC, datetime, timedelta

import rq.scheduler
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer

from tests.helpers import work_off

import bot.domain.clock

# Not imported: bot.web.wsgi builds an app at import, migrations run only under Alembic.
SKIP = ("bot.web.wsgi", "bot.store.migrations")


def _import_all() -> None:
    """Import every module of minhu before patching, so none imported mid-test keeps the fake clock for good."""
    for package in ("bot", "handlers", "workers"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if not info.name.startswith(SKIP):
                importlib.import_module(info.name)


class FakeClock:
    """Naive UTC time that moves only when the test says so."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def install(monkeypatch, clock: FakeClock) -> FakeClock:
    """Point every `utcnow` minhu looks up, and RQ's scheduler, at the fake clock."""
    _import_all()
    real = bot.domain.clock.utcnow
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ("bot", "workers", "handlers") and getattr(module, "utcnow", None) is real:
            monkeypatch.setattr(module, "utcnow", clock)
    # The one thing RQ's scheduler asks: what time is it? A step is due when the fake clock says so.
    monkeypatch.setattr(rq.scheduler, "current_timestamp", lambda: int(clock.now.replace(tzinfo=UTC).timestamp()))
    return clock


def run_due(runtime, rounds: int = 4) -> None:
    """What `minhu scheduler` and `minhu worker` do: the follow-up sweep and RQ's scheduler move due jobs to the
    queue, the worker runs them."""
    from workers.timers import sweep

    scheduler = RQScheduler([runtime.queue], connection=runtime.redis, serializer=JSONSerializer)
    scheduler.prepare_registries([runtime.queue.name])
    for _ in range(rounds):  # a job may schedule more (a retry): run those that are due as well
        sweep(runtime)
        scheduler.enqueue_scheduled_jobs()
        if not work_off(runtime):
            return
