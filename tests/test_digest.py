"""The secretary's daily digest and the period report, on a known set of tickets (SQLite and PostgreSQL)."""
import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select

from bot.store.models import Digest, Ticket
from tests.conftest import REPO
from tests.fakeclock import FakeClock, install, run_due

DAY = date(2030, 3, 4)  # a Monday; the digest goes out on Tuesday morning
SECRETARY = "o_demo_secretary_wang"
ZONE = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A local Shanghai time in 2030, as the store keeps it (naive UTC)."""
    return datetime(2030, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)


def ticket(n, category, building, grid, created, **values):
    accept_due = values.pop("accept_due", created + timedelta(hours=2))
    resolve_due = values.pop("resolve_due", created + timedelta(days=3))
    return dict(id=n, number=str(100000 + n), text=f"第{n}件", category=category, estate_id="xingfuyuan",
                building=building, grid_id=grid, community_id="xingfu", created_at=created, updated_at=created,
                accept_due_at=accept_due, resolve_due_at=resolve_due, assignee_name="李建国",
                status=values.pop("status", "dispatched"), **values)


KNOWN = [
    # Reported on the day, accepted in time.
    ticket(1, "leak", "3", "grid-1", at(4, 9), accepted_at=at(4, 10), status="accepted"),
    # Reported on the day, never accepted: overdue since 12:00.
    ticket(2, "leak", "3", "grid-1", at(4, 10)),
    # Reported, accepted and fixed the same evening.
    ticket(3, "lighting", "7", "grid-2", at(4, 20), accepted_at=at(4, 21), resolved_at=at(4, 23), status="resolved"),
    # Due for a fix on the day and fixed; the resident was satisfied.
    ticket(4, "leak", "3", "grid-1", at(1, 9), accepted_at=at(1, 10), resolve_due=at(4, 9), resolved_at=at(4, 15),
           rated_at=at(4, 16), satisfaction="satisfied", status="closed"),
    # Due for a fix on the day and not fixed: overdue since 09:00.
    ticket(5, "parking", "7", "grid-2", at(2, 9), accepted_at=at(2, 9, 30), resolve_due=at(4, 9), status="accepted"),
    # Old, rated unsatisfied on the day.
    ticket(6, "sanitation", "9", "grid-3", at(20, 9, month=2), accepted_at=at(20, 10, month=2),
           resolved_at=at(21, 9, month=2), rated_at=at(4, 12), satisfaction="unsatisfied", status="closed"),
    # Older leak in building 3: the fourth in 30 days.
    ticket(7, "leak", "3", "grid-1", at(10, 9, month=2), accepted_at=at(10, 9, month=2),
           resolved_at=at(11, 9, month=2), status="resolved"),
    # Reported and cancelled before its deadline: counted as reported, judged for nothing.
    ticket(8, "gas", "5", "grid-2", at(4, 11), accept_due=at(4, 11, 30), cancelled_at=at(4, 11, 10),
           status="cancelled"),
    # Old, rated basically satisfied on the day.
    ticket(9, "lighting", "7", "grid-2", at(25, 9, month=2), accepted_at=at(25, 10, month=2),
           resolved_at=at(26, 9, month=2), rated_at=at(4, 8), satisfaction="basically", status="closed"),
    # The next morning: not part of the day.
    ticket(10, "leak", "3", "grid-1", at(5, 1)),
]


@pytest.fixture
def known(runtime):
    with runtime.sessions() as session:
        session.execute(insert(Ticket), KNOWN)
        session.commit()
    return runtime


@pytest.fixture
def clock(monkeypatch):
    return install(monkeypatch, FakeClock(at(5, 8, 30)))


def test_figures_for_a_known_day(known, clock):
    from bot.domain.digest import day_range
    from bot.domain.reports import figures, rates

    start, end = day_range(DAY, ZONE)
    with known.sessions() as session:
        fig = figures(session, start, end, ["xingfu"])
    total = fig.total()
    assert (total["new"], total["accepted"], total["resolved"], total["overdue"]) == (4, 2, 2, 2)
    assert rates(total) == {"response": (2, 3), "resolution": (1, 2), "satisfaction": (2, 3)}
    assert fig.by(0)["leak"]["new"] == 2 and fig.by(1)["grid-2"]["new"] == 2
    assert fig.buildings == [("xingfuyuan", "3", 2), ("xingfuyuan", "5", 1), ("xingfuyuan", "7", 1)]
    assert [t.number for t in fig.overdue_longest] == ["100005", "100002"]
    assert fig.recurring == [("xingfuyuan", "3", "leak", 4)]


def test_digest_reads_like_the_day(known, clock):
    from bot.domain.digest import compose, recipients

    (recipient,) = recipients(known.directory)
    with known.sessions() as session:
        text = compose(session, known.directory, recipient, DAY)
    assert text.startswith("【幸福里社区·每日简报】3月4日（周一）")
    assert "昨日新报4件，接单2件，办结2件；截至昨晚超期2件" in text
    assert "响应率67%（2/3）｜解决率50%（1/2）｜满意率67%（2/3）" in text
    assert "分类新报：漏水渗水2、燃气1、照明1" in text
    assert "报事最多：3号楼2件、5号楼1件、7号楼1件" in text
    assert "· 100005 停车·7号楼 超期15小时（李建国）" in text
    assert "建议提交议事会" in text and "· 3号楼 漏水渗水 4次" in text
    assert len(text.encode("utf-8")) < 2048


def test_one_digest_per_secretary_per_day_with_two_schedulers(known, settings, fake_wechat, clock):
    from bot.runtime import Runtime
    from workers import schedule
    from workers.daily import send_digests

    clock.now = at(5, 7, 59)
    assert schedule.tick(known) is None  # before 08:00 local
    clock.now = at(5, 8, 0)
    other = Runtime(settings)  # a second scheduler, on another machine
    try:
        assert schedule.tick(known) == "digest-2030-03-04"
        assert schedule.tick(other) is None  # the day's job is already queued
        known.queue.enqueue("workers.daily.send_digests", "2030-03-04")  # and a stray copy, as `rq cron` might
        run_due(known)
        assert schedule.tick(other) is None  # every secretary has it
    finally:
        other.close()
    assert send_digests("2030-03-04") == {SECRETARY: "already sent"}
    (digest,) = fake_wechat.texts_to(SECRETARY)
    assert "响应率67%（2/3）" in digest
    with known.sessions() as session:
        (row,) = session.scalars(select(Digest))
        assert (row.day, row.status, row.body) == (DAY, "sent", digest)


def test_a_digest_claimed_by_a_dead_worker_is_sent_once_later(known, fake_wechat, clock):
    from workers.daily import send_digests
    from workers.ledger import InFlight

    with known.sessions() as session:  # a worker claimed the row and died before sending
        session.add(Digest(recipient=SECRETARY, community_id="xingfu", day=DAY, status="sending",
                           created_at=clock.now, claimed_at=clock.now))
        session.commit()
    with pytest.raises(InFlight):
        send_digests("2030-03-04")
    clock.advance(minutes=3)
    assert send_digests("2030-03-04") == {SECRETARY: "sent"}
    assert send_digests("2030-03-04") == {SECRETARY: "already sent"}
    assert len(fake_wechat.texts_to(SECRETARY)) == 1


def test_report_and_digest_commands(known, env, clock):
    from bot.cli.main import main

    cli_env = env | {"MINHU_CONFIG": str(REPO / "config.yaml")}
    result = CliRunner().invoke(main, ["report", "--from", "2030-03-04", "--to", "2030-03-04", "--csv"], env=cli_env)
    assert result.exit_code == 0, result.output
    rows = {(r["scope"], r["key"]): r for r in csv.DictReader(io.StringIO(result.output))}
    total = rows[("total", "")]
    assert (total["new"], total["overdue"], total["response_rate"], total["satisfaction_rate"]) == \
        ("4", "2", "66.7%", "66.7%")
    assert rows[("grid", "grid-1")]["new"] == "2" and rows[("category", "leak")]["name"] == "漏水渗水"
    result = CliRunner().invoke(main, ["report", "--from", "2030-03-01", "--to", "2030-03-04"], env=cli_env)
    assert result.exit_code == 0 and "合计" in result.output
    result = CliRunner().invoke(main, ["digest", "--date", "2030-03-04"], env=cli_env)
    assert result.exit_code == 0 and "解决率50%（1/2）" in result.output


TODAY = [
    # Reported ten minutes ago: due for acceptance at 12:20, not late yet.
    ticket(1, "leak", "3", "grid-1", at(4, 10, 20)),
    # Due for a fix at 09:00 today and not fixed: late by 1 hour 30 minutes at 10:30.
    ticket(2, "parking", "7", "grid-2", at(2, 9), accepted_at=at(2, 9, 30), resolve_due=at(4, 9), status="accepted"),
    # Accepted in time, due for a fix at 18:00: not yet judged.
    ticket(3, "lighting", "7", "grid-2", at(4, 9), accepted_at=at(4, 9, 10), accept_due=at(4, 9, 30),
           resolve_due=at(4, 18), status="accepted"),
]


@pytest.fixture
def today(runtime, monkeypatch):
    clock = install(monkeypatch, FakeClock(at(4, 10, 30)))
    with runtime.sessions() as session:
        session.execute(insert(Ticket), TODAY)
        session.commit()
    return clock


def test_a_day_not_over_is_judged_until_now_and_says_so(runtime, today):
    from bot.domain.digest import compose, day_range, recipients
    from bot.domain.reports import figures, rates

    start, end = day_range(DAY, ZONE)
    with runtime.sessions() as session:
        total = figures(session, start, end, ["xingfu"]).total()
        (recipient,) = recipients(runtime.directory)
        text = compose(session, runtime.directory, recipient, DAY)
    assert total["overdue"] == 1
    assert rates(total) == {"response": (1, 1), "resolution": (0, 1), "satisfaction": (0, 0)}
    assert text.startswith("【幸福里社区·每日简报】3月4日（周一，截至10:30，当天还没过完）")
    assert "今日截至10:30新报2件，接单1件，办结0件；目前超期1件" in text
    assert "· 100002 停车·7号楼 超期1小时30分钟（李建国）" in text


def test_digest_and_report_commands_refuse_what_they_cannot_know(runtime, env, today):
    from bot.cli.main import main

    cli_env = env | {"MINHU_CONFIG": str(REPO / "config.yaml")}
    result = CliRunner().invoke(main, ["digest", "--date", "2030-03-05"], env=cli_env)
    assert result.exit_code != 0 and "2030-03-05 has not begun" in result.output
    result = CliRunner().invoke(main, ["digest", "--date", "2030-03-04", "--send"], env=cli_env)
    assert result.exit_code != 0 and "not over" in result.output
    result = CliRunner().invoke(main, ["digest", "--date", "2030-03-04"], env=cli_env)
    assert result.exit_code == 0 and "当天还没过完" in result.output
    with runtime.sessions() as session:
        assert session.scalars(select(Digest)).all() == []  # nothing marked sent for a day not over
    result = CliRunner().invoke(main, ["report", "--from", "2030-01-01", "--to", "2030-12-31", "--community", "nope"],
                                env=cli_env)
    assert result.exit_code != 0 and "unknown community 'nope'" in result.output and "xingfu" in result.output
    result = CliRunner().invoke(main, ["report", "--from", "2030-01-01", "--to", "2030-12-31", "--csv"], env=cli_env)
    total = next(csv.DictReader(io.StringIO(result.output)))
    assert (total["overdue"], total["due_resolve"], total["resolution_rate"]) == ("1", "1", "0.0%")
    result = CliRunner().invoke(main, ["report", "--from", "2030-01-01", "--to", "2030-12-31"], env=cli_env)
    assert "截至2030-03-04 10:30" in result.output.splitlines()[0]


def test_report_columns_line_up_with_chinese_names(known, env, clock):
    from unicodedata import east_asian_width

    from bot.cli.main import main

    result = CliRunner().invoke(main, ["report", "--from", "2030-03-01", "--to", "2030-03-04"],
                                env=env | {"MINHU_CONFIG": str(REPO / "config.yaml")})
    width = lambda line: sum(2 if east_asian_width(c) in "WF" else 1 for c in line)  # noqa: E731
    table = result.output.splitlines()[1:]
    assert len(table) > 3 and len({width(line) for line in table}) == 1, result.output


def test_benchmark_runs_small(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(REPO / "bench" / "digest.py"), "--tickets", "3000",
                          "--path", str(tmp_path / "bench.db")], capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert "digest" in out.stdout and "sqlite" in out.stdout
