"""Time the daily digest and the period report on a year of tickets, on SQLite and (optionally) PostgreSQL.

    python bench/digest.py [--tickets 1000000] [--path /tmp/minhu-bench.db]
    MINHU_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/scratch python bench/digest.py

Generates the tickets (50 grids in 10 estates of one community, so one secretary's digest covers all
of them) over the year before 2030-01-01, loads them in one transaction (executemany on SQLite, COPY
on PostgreSQL, into its own schema `minhu_bench`, dropped first), then times what the 08:00 job does
for one secretary (`bot.domain.digest.compose`) and the report for the last 30 days and the whole year.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text  # noqa: E402

from bot.store import db  # noqa: E402
from bot.domain.digest import compose, day_range, recipients  # noqa: E402
from bot.domain.reports import figures  # noqa: E402
from bot.domain.routing import Directory  # noqa: E402
from bot.settings import Config, limits_for, load_config  # noqa: E402

END = datetime(2030, 1, 1)  # naive UTC: the digest is for the local day before
COLUMNS = ("id", "number", "resident_openid", "text", "intent", "category", "urgent", "community_id", "estate_id",
           "building", "grid_id", "assignee_openid", "assignee_name", "status", "created_at", "dispatched_at",
           "accepted_at", "resolved_at", "closed_at", "updated_at", "cancelled_at", "accept_due_at",
           "resolve_due_at", "escalation_level", "satisfaction", "rated_at", "reopened_count")
ESTATES = ("幸福苑", "和平里", "光明园", "阳光苑", "长青园", "金桥苑", "东风里", "育才园", "春晖苑", "惠民里")
WEIGHTS = {"leak": 14, "drainage": 7, "water_supply": 4, "parking": 16, "lighting": 9, "elevator": 6,
           "sanitation": 12, "gas": 2, "ebike": 5, "noise": 6, "facilities": 7, "greenery": 3, "property": 12,
           "safety": 2, "other": 5}


def bench_config() -> Config:
    """config.yaml's categories and limits, with one community of 10 estates and 50 grids."""
    raw = load_config(REPO / "config.yaml").model_dump(mode="python")
    estates = []
    for e in range(10):
        grids = [{"id": f"e{e}-g{g}", "name": f"第{e * 5 + g + 1}网格", "buildings": [str(g * 4 + b + 1) for b in range(4)],
                  "worker": {"name": f"网格员{e}{g}", "openid": f"o_w_{e}_{g}"},
                  "backup": {"name": f"后备{e}{g}", "openid": f"o_b_{e}_{g}"}} for g in range(5)]
        estates.append({"id": f"estate{e}", "name": ESTATES[e], "buildings": [str(b + 1) for b in range(20)],
                        "grids": grids})
    raw["communities"] = [{"id": "bench", "name": "基准社区", "secretary": {"name": "书记", "openid": "o_sec"},
                           "estates": estates}]
    raw["duty"] = None
    return Config.model_validate(raw)


def generate(config: Config, count: int, seed: int = 5):
    """Yield ticket rows over the year before END: most accepted and fixed in time, some late, a few open."""
    rng = random.Random(seed)
    codes, weights = list(WEIGHTS), list(WEIGHTS.values())
    grids = [(e.id, g) for c in config.communities for e in c.estates for g in e.grids]
    limits = {(code, urgent): limits_for(config, code, urgent) for code in codes for urgent in (False, True)}
    span = 365 * 24 * 3600
    moments = sorted(rng.random() * span for _ in range(count))
    start = END - timedelta(days=365)
    for i, offset in enumerate(moments, start=1):
        created = start + timedelta(seconds=offset)
        category = rng.choices(codes, weights)[0]
        urgent = rng.random() < 0.02
        estate_id, grid = grids[rng.randrange(len(grids))]
        accept_within, resolve_within = limits[(category, urgent)]
        accept_due, resolve_due = created + accept_within, created + resolve_within
        accepted = resolved = closed = cancelled = rated = satisfaction = None
        status, roll = "dispatched", rng.random()
        if roll < 0.03:
            cancelled, status = created + timedelta(minutes=rng.randrange(1, 120)), "cancelled"
        else:
            late = rng.random() < 0.12
            accepted = created + accept_within * (rng.uniform(1.0, 3.0) if late else rng.uniform(0.05, 1.0))
            status = "accepted"
            if rng.random() > 0.003:  # a few are forgotten for good
                fix = resolve_within * (rng.uniform(1.0, 2.5) if rng.random() < 0.15 else rng.uniform(0.1, 1.0))
                if accepted + fix < END:
                    resolved, status = accepted + fix, "resolved"
                    if rng.random() < 0.6 and resolved + timedelta(days=1) < END:
                        rated = closed = resolved + timedelta(hours=rng.randrange(1, 24))
                        status = "closed"
                        satisfaction = rng.choices(("satisfied", "basically", "unsatisfied"), (75, 17, 8))[0]
            if accepted >= END:
                accepted, status = None, "dispatched"
        yield (i, str(100000 + i), f"o_r_{rng.randrange(200000)}", "报事", "complaint", category, urgent, "bench",
               estate_id, rng.choice(grid.buildings), grid.id, grid.worker.openid, grid.worker.name, status, created,
               created, accepted, resolved, closed, resolved or accepted or created, cancelled, accept_due,
               resolve_due, 0, satisfaction, rated, 0)


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")  # SQLAlchemy's SQLite DATETIME format
    return int(value) if isinstance(value, bool) else value


def load_sqlite(engine, rows) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        sql = f"INSERT INTO tickets ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        cursor.executemany(sql, ([_sqlite_value(v) for v in row] for row in rows))
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
    finally:
        raw.close()


def load_postgres(engine, rows) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY tickets ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute("SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))")
        raw.commit()
        with raw.cursor() as cursor:
            cursor.execute("ANALYZE tickets")
        raw.commit()
    finally:
        raw.close()


def timed(fn, repeat: int = 3) -> tuple[float, float]:
    """(first run, median of the rest) in seconds."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return times[0], statistics.median(times[1:] or times)


def run(name: str, engine, config: Config, count: int, load) -> None:
    db.upgrade(engine)
    began = time.perf_counter()
    load(engine, generate(config, count))
    print(f"{name}: loaded {count:,} tickets in {time.perf_counter() - began:.1f} s")
    sessions, directory = db.make_sessions(engine), Directory(config)
    (recipient,) = recipients(directory)
    day = date(2029, 12, 31)
    body = []

    def digest():
        with sessions() as session:
            body[:] = [compose(session, directory, recipient, day, now=END)]

    def report(days: int):
        zone = ZoneInfo(config.timezone)
        start, end = day_range(day - timedelta(days=days - 1), zone)[0], day_range(day, zone)[1]

        def go():
            with sessions() as session:
                figures(session, start, end, None, lists=False, now=END)
        return go

    for label, fn in (("digest (one secretary, one day)", digest), ("report, last 30 days", report(30)),
                      ("report, whole year", report(365))):
        first, warm = timed(fn)
        print(f"{name}: {label}: first {first * 1000:.0f} ms, then {warm * 1000:.0f} ms")
    print(f"{name}: digest is {len(body[0])} characters:\n" + "\n".join("    " + line for line in body[0].splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--path", default="/tmp/minhu-bench-digest.db", help="the SQLite file (replaced)")
    args = parser.parse_args()
    config = bench_config()
    path = Path(args.path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    engine = db.make_engine(f"sqlite:///{path}")
    run("sqlite", engine, config, args.tickets, load_sqlite)
    engine.dispose()
    url = os.environ.get("MINHU_BENCH_POSTGRES_URL")
    if url:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        with create_engine(url).begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS minhu_bench CASCADE"))
            conn.execute(text("CREATE SCHEMA minhu_bench"))
        engine = create_engine(url, connect_args={"options": "-c search_path=minhu_bench"})
        run("postgresql", engine, config, args.tickets, load_postgres)
        engine.dispose()


if __name__ == "__main__":
    main()
