"""Follow-through with a controllable clock: remind before a limit, escalate in order after it, page for urgent."""
from datetime import date, datetime, timedelta

import pytest
import yaml
from sqlalchemy import select, update

from bot.store.models import FollowUpStep, Ticket, TicketEvent
from bot.store.tickets import Report
from tests.fakeclock import FakeClock, install, run_due

T0 = datetime(2030, 3, 4, 1, 0)  # Monday 09:00 in Shanghai
WORKER, BACKUP, SECRETARY, GAS_COMPANY = "o_demo_grid1_li", "o_demo_grid1_zhao", "o_demo_secretary_wang", "o_dept_gas"


@pytest.fixture
def settings(env, tmp_path):
    """The repository's config.yaml, with the gas company reachable on WeChat."""
    from tests.conftest import settings_for

    return settings_for(env, {"departments": {"gas": {"openid": GAS_COMPANY}}}, tmp_path / "config.yaml")


@pytest.fixture
def clock(monkeypatch):
    return install(monkeypatch, FakeClock(T0))


def open_ticket(runtime, category="leak", urgent=False, building="3"):
    ticket, _ = runtime.tickets.open(Report(resident="o_resident_1", text="3号楼楼顶漏水，家里天花板在滴水",
                                            category=category, urgent=urgent, estate_id="xingfuyuan",
                                            building=building))
    return ticket


def step_names(runtime, ticket_id):
    with runtime.sessions() as session:
        return [e.detail["step"] for e in session.scalars(select(TicketEvent).where(
            TicketEvent.ticket_id == ticket_id, TicketEvent.kind.in_(("reminded", "escalated", "paged")))
            .order_by(TicketEvent.id))]


def set_status(runtime, ticket_id, status, **values):
    """What the grid worker's 接单 / 办结 does to the row (the transitions themselves are tested elsewhere)."""
    with runtime.sessions() as session:
        session.execute(update(Ticket).where(Ticket.id == ticket_id).values(status=status, **values))
        session.commit()


def test_grid_worker_is_reminded_before_the_accept_limit(runtime, fake_wechat, clock):
    ticket = open_ticket(runtime)  # leak: accept within 2h, remind 25% before
    run_due(runtime)
    assert len(fake_wechat.texts_to(WORKER)) == 1  # the task itself
    clock.advance(hours=1, minutes=29)
    run_due(runtime)
    assert len(fake_wechat.texts_to(WORKER)) == 1
    clock.advance(minutes=1)
    run_due(runtime)
    reminder = fake_wechat.texts_to(WORKER)[-1]
    assert "温馨提醒" in reminder and ticket.number in reminder and f"接单 {ticket.number}" in reminder
    assert "3月4日 11:00" in reminder and "30分钟" in reminder
    assert step_names(runtime, ticket.id) == ["remind:accept"]
    assert fake_wechat.texts_to(BACKUP) == [] and fake_wechat.texts_to(SECRETARY) == []


def test_escalation_goes_backup_then_secretary_then_department(runtime, fake_wechat, clock):
    ticket = open_ticket(runtime, category="gas")  # accept within 30m; every 50% = 15m between levels
    run_due(runtime)
    clock.advance(minutes=30)
    run_due(runtime)
    assert step_names(runtime, ticket.id) == ["remind:accept", "escalate:accept:1"]
    (to_backup,) = fake_wechat.texts_to(BACKUP)
    assert "请协助" in to_backup and "李建国还没有接单" in to_backup and ticket.number in to_backup
    assert fake_wechat.texts_to(SECRETARY) == []
    clock.advance(minutes=15)
    run_due(runtime)
    (to_secretary,) = fake_wechat.texts_to(SECRETARY)
    assert "【超时】" in to_secretary and "已超过接单时限15分钟" in to_secretary and "李建国和赵秀英" in to_secretary
    assert fake_wechat.texts_to(GAS_COMPANY) == []
    clock.advance(minutes=15)
    run_due(runtime)
    (to_department,) = fake_wechat.texts_to(GAS_COMPANY)
    assert "吹哨报到" in to_department and "王书记请燃气公司协助" in to_department
    assert "已通知燃气公司" in fake_wechat.texts_to(SECRETARY)[-1]
    assert step_names(runtime, ticket.id) == ["remind:accept", "escalate:accept:1", "escalate:accept:2",
                                              "escalate:accept:3"]
    with runtime.sessions() as session:
        assert session.get(Ticket, ticket.id).escalation_level == 3
    clock.advance(hours=3)
    run_due(runtime)  # nothing more until the resolution limit draws near
    assert len(fake_wechat.texts_to(SECRETARY)) == 2


def next_step(runtime, ticket_id):
    with runtime.sessions() as session:
        return session.scalar(select(Ticket.next_step_at).where(Ticket.id == ticket_id))


def test_nothing_happens_when_the_ticket_is_accepted_in_time(runtime, fake_wechat, clock):
    from bot.domain import steps

    ticket = open_ticket(runtime)
    run_due(runtime)
    assert next_step(runtime, ticket.id) == T0 + timedelta(hours=1, minutes=30)  # the acceptance reminder
    clock.advance(hours=1)
    steps.accept(runtime.tickets, ticket.id, WORKER, "李建国")
    run_due(runtime)  # the event's job plans the next look: the resolution reminder
    assert next_step(runtime, ticket.id) == datetime(2030, 3, 6, 7, 0)  # 25% before the 3 working days to resolve
    clock.advance(hours=5)
    run_due(runtime)
    assert len(fake_wechat.texts_to(WORKER)) == 1
    assert fake_wechat.texts_to(BACKUP) == [] and fake_wechat.texts_to(SECRETARY) == []
    assert step_names(runtime, ticket.id) == []


def test_a_new_ticket_puts_no_timer_in_redis(runtime, fake_wechat, clock):
    """Its deadlines live in the database: one indexed column, not a scheduled job per step."""
    ticket = open_ticket(runtime, category="gas")
    run_due(runtime)
    assert len(runtime.queue.scheduled_job_registry) == 0
    assert next_step(runtime, ticket.id) == T0 + timedelta(minutes=22, seconds=30)  # gas: remind 25% before its 30 min


def test_reminders_and_escalation_survive_a_lost_redis(runtime, fake_wechat, clock):
    ticket = open_ticket(runtime, category="gas")
    run_due(runtime)
    runtime.redis.flushdb()  # Redis came back empty
    clock.advance(minutes=30)
    run_due(runtime)
    assert step_names(runtime, ticket.id) == ["remind:accept", "escalate:accept:1"]
    assert len(fake_wechat.texts_to(BACKUP)) == 1
    clock.advance(minutes=1)
    run_due(runtime)
    runtime.redis.flushdb()  # and again, with the job of the next step queued
    run_due(runtime)
    clock.advance(minutes=15)
    run_due(runtime)
    assert step_names(runtime, ticket.id) == ["remind:accept", "escalate:accept:1", "escalate:accept:2"]
    assert len(fake_wechat.texts_to(BACKUP)) == 1 and len(fake_wechat.texts_to(SECRETARY)) == 1


def test_two_sweepers_at_once_escalate_once(runtime, fake_wechat, clock):
    from concurrent.futures import ThreadPoolExecutor

    from tests.helpers import work_off
    from workers.ledger import InFlight
    from workers.timers import follow_up, sweep

    ticket = open_ticket(runtime, category="gas")
    run_due(runtime)
    clock.advance(minutes=31)
    with ThreadPoolExecutor(2) as pool:  # two `minhu scheduler` passes at the same moment
        assert sorted(pool.map(lambda _: sweep(runtime), range(2))) == [0, 1]
    with ThreadPoolExecutor(2) as pool:  # and, should a copy slip through, two workers running it together
        runs = [pool.submit(follow_up, ticket.id) for _ in range(2)]
    # One may find the other mid-push (InFlight): its job is retried later, as RQ would.
    assert all(run.exception() is None or isinstance(run.exception(), InFlight) for run in runs)
    work_off(runtime)
    run_due(runtime)
    assert step_names(runtime, ticket.id) == ["remind:accept", "escalate:accept:1"]
    assert len(fake_wechat.texts_to(BACKUP)) == 1 and len(fake_wechat.texts_to(WORKER)) == 2


def test_a_timer_left_in_place_finds_the_ticket_moved_on(runtime, fake_wechat, clock):
    ticket = open_ticket(runtime)
    run_due(runtime)
    clock.advance(hours=1)
    set_status(runtime, ticket.id, "resolved", accepted_at=clock.now, resolved_at=clock.now)
    clock.advance(days=10)
    run_due(runtime)  # the look it had planned finds the ticket moved on, and nothing after it
    assert next_step(runtime, ticket.id) is None
    assert step_names(runtime, ticket.id) == []
    assert len(fake_wechat.texts_to(WORKER)) == 1 and fake_wechat.texts_to(SECRETARY) == []


def test_resolution_is_followed_through_after_acceptance(runtime, fake_wechat, clock):
    ticket = open_ticket(runtime, category="sanitation")  # resolve within 1d
    run_due(runtime)
    clock.advance(minutes=20)
    set_status(runtime, ticket.id, "accepted", accepted_at=clock.now)
    clock.advance(hours=18)  # 1d minus 25% is 18h after opening
    run_due(runtime)
    assert "办好后回复“办结" in fake_wechat.texts_to(WORKER)[-1]
    clock.advance(hours=6)
    run_due(runtime)
    assert "已超过办结时限" in fake_wechat.texts_to(BACKUP)[-1]
    assert step_names(runtime, ticket.id) == ["remind:resolve", "escalate:resolve:1"]


def test_urgent_ticket_pages_the_secretary_at_once(runtime, fake_wechat, clock):
    ticket = open_ticket(runtime, category="gas", urgent=True)  # opened by Open311 or the dashboard, say
    run_due(runtime)
    assert "【紧急】" in fake_wechat.texts_to(WORKER)[0]
    clock.advance(minutes=1)  # the chat's own page (bot.domain.steps.alert) would have gone by now
    run_due(runtime)
    (page,) = fake_wechat.texts_to(SECRETARY)
    assert page.startswith("【紧急】") and ticket.number in page and "3月4日 09:15前接单" in page
    clock.advance(minutes=14)  # the urgent limit
    run_due(runtime)
    assert step_names(runtime, ticket.id)[:3] == ["page:urgent", "remind:accept", "escalate:accept:1"]
    reminder = fake_wechat.texts_to(WORKER)[1]  # an emergency's reminder is direct, not a gentle one
    assert reminder.startswith("【紧急】") and "温馨" not in reminder and f"接单 {ticket.number}" in reminder


def test_urgent_ticket_paged_by_the_chat_is_not_paged_twice(runtime, fake_wechat, clock):
    from bot.domain import steps

    ticket = open_ticket(runtime, category="gas", urgent=True)
    steps.alert(runtime.tickets, ticket.id)  # what the chat does right after opening an urgent ticket
    clock.advance(minutes=1)
    run_due(runtime)
    assert len(fake_wechat.texts_to(SECRETARY)) == 1
    assert "page:urgent" not in step_names(runtime, ticket.id)


def test_reopened_ticket_is_followed_through_again(runtime, fake_wechat, clock):
    from bot.domain import steps

    ticket = open_ticket(runtime)
    run_due(runtime)
    clock.advance(hours=2)
    run_due(runtime)
    assert len(fake_wechat.texts_to(BACKUP)) == 1  # round one: not accepted in time
    steps.accept(runtime.tickets, ticket.id, WORKER, "李建国")
    steps.resolve(runtime.tickets, ticket.id, WORKER, "李建国", "已修好")
    run_due(runtime)
    assert next_step(runtime, ticket.id) is None
    clock.advance(hours=1)
    _, reopened = steps.rate(runtime.tickets, ticket.id, "o_resident_1", "unsatisfied", "还在漏")
    assert reopened.kind == "reopened"
    run_due(runtime)
    clock.advance(hours=2)
    run_due(runtime)
    assert len(fake_wechat.texts_to(BACKUP)) == 2
    assert step_names(runtime, ticket.id)[-2:] == ["remind:accept@1", "escalate:accept:1@1"]


def test_a_step_run_twice_escalates_once(runtime, fake_wechat, clock):
    from workers.timers import run_step

    ticket = open_ticket(runtime, category="gas")
    run_due(runtime)
    clock.advance(minutes=31)
    assert run_step(ticket.id, "escalate:accept:1") == "done"
    assert run_step(ticket.id, "escalate:accept:1") == "done"
    run_due(runtime)  # the scheduled copy runs as well
    assert len(fake_wechat.texts_to(BACKUP)) == 1
    assert step_names(runtime, ticket.id).count("escalate:accept:1") == 1
    with runtime.sessions() as session:
        assert session.scalar(select(Ticket.escalation_level).where(Ticket.id == ticket.id)) == 1


def test_follow_through_survives_a_worker_restart_in_the_middle(settings, runtime, fake_wechat, clock):
    from bot.runtime import Runtime
    from bot import runtime as worker_runtime
    ticket = open_ticket(runtime, category="gas")
    run_due(runtime)
    clock.advance(minutes=30)
    # The backup's push fails half-way: the step is recorded, the job fails and waits for its retry.
    fake_wechat.fail_next("message/custom/send", times=2, status=500)
    run_due(runtime, rounds=1)
    assert fake_wechat.texts_to(BACKUP) == []
    assert step_names(runtime, ticket.id) == ["remind:accept", "escalate:accept:1"]
    # The worker process goes away; a new one starts with nothing but Redis and the database.
    runtime.close()
    fresh = Runtime(settings, web=False)
    worker_runtime.install(fresh)
    try:
        fresh.redis.flushdb()  # and Redis lost the job's retry: the next sweep enqueues the step again
        clock.advance(minutes=1)
        run_due(fresh)
        assert len(fake_wechat.texts_to(BACKUP)) == 1
        clock.advance(minutes=15)
        run_due(fresh)
        assert len(fake_wechat.texts_to(SECRETARY)) == 1
        assert step_names(fresh, ticket.id) == ["remind:accept", "escalate:accept:1", "escalate:accept:2"]
        with fresh.sessions() as session:
            assert session.scalar(select(FollowUpStep.id).where(FollowUpStep.step == "escalate:accept:1"))
    finally:
        worker_runtime.install(runtime)
        fresh.close()


def test_working_hours_move_limits_past_the_weekend():
    from zoneinfo import ZoneInfo

    from bot.settings import WorkingHours
    from bot.domain.worktime import add_working

    hours, zone = WorkingHours(), ZoneInfo("Asia/Shanghai")
    friday_5pm = datetime(2030, 3, 8, 9, 0)  # 17:00 local
    assert add_working(hours, zone, friday_5pm, timedelta(hours=2)) == datetime(2030, 3, 11, 2, 0)  # Mon 10:00
    assert add_working(hours, zone, friday_5pm, timedelta(days=1)) == datetime(2030, 3, 11, 9, 0)  # Mon 17:00
    saturday = datetime(2030, 3, 9, 2, 0)
    assert add_working(hours, zone, saturday, timedelta(minutes=30)) == datetime(2030, 3, 11, 1, 0)  # Mon 09:00
    monday_9am = datetime(2030, 3, 11, 1, 0)
    assert add_working(hours, zone, monday_9am, timedelta(hours=2)) == datetime(2030, 3, 11, 3, 0)


def test_public_holidays_and_made_up_workdays_move_limits():
    """国庆: a weekday holiday does not count, a weekend made up for it (调休) does."""
    from zoneinfo import ZoneInfo

    from bot.settings import WorkingHours
    from bot.domain.worktime import add_working

    hours = WorkingHours(holidays=[date(2030, 10, d) for d in (1, 2, 3, 4, 7)], workdays=[date(2030, 10, 12)])
    zone = ZoneInfo("Asia/Shanghai")
    monday_5pm = datetime(2030, 9, 30, 9, 0)  # 17:00 local, the eve of the holiday
    assert add_working(hours, zone, monday_5pm, timedelta(hours=2)) == datetime(2030, 10, 8, 2, 0)  # Tue 8th 10:00
    assert add_working(WorkingHours(), zone, monday_5pm, timedelta(hours=2)) == datetime(2030, 10, 1, 2, 0)
    friday_5pm = datetime(2030, 10, 11, 9, 0)
    assert add_working(hours, zone, friday_5pm, timedelta(hours=2)) == datetime(2030, 10, 12, 2, 0)  # Sat 12th


def test_a_day_both_holiday_and_workday_stops_start_up_naming_the_key(tmp_path, env):
    from bot.errors import ConfigError
    from bot.settings import load_settings
    from tests.conftest import REPO

    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw["followup"]["working_hours"] = {"holidays": ["2030-10-01"], "workdays": ["2030-10-01"]}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"followup\.working_hours.*2030-10-01 listed both"):
        load_settings(path, env)


@pytest.mark.parametrize("counts", [[], [1, 5], [5, 3]])
def test_bad_join_push_counts_stop_start_up_naming_the_key(tmp_path, env, counts):
    from bot.errors import ConfigError
    from bot.settings import load_settings
    from tests.conftest import REPO

    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw["followup"]["tell_joined_at"] = counts
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"followup\.tell_joined_at"):
        load_settings(path, env)


def test_join_pushes_go_on_at_multiples_of_the_last_count():
    from bot.settings import FollowUp

    followup = FollowUp(tell_joined_at=[2, 5, 20])
    assert [n for n in range(1, 101) if followup.tells_joined(n)] == [2, 5, 20, 40, 60, 80, 100]


def test_an_emergency_escalates_as_an_emergency_at_every_level(runtime, fake_wechat, clock):
    ticket = open_ticket(runtime, category="gas", urgent=True)  # accept within 15m, levels 7.5m apart
    run_due(runtime)
    clock.advance(minutes=15)
    run_due(runtime)
    (to_backup,) = fake_wechat.texts_to(BACKUP)
    assert to_backup.startswith(f"【紧急】请协助：工单{ticket.number}") and "李建国还没有接单" in to_backup
    clock.advance(minutes=8)
    run_due(runtime)
    assert fake_wechat.texts_to(SECRETARY)[-1].startswith(f"【紧急】【超时】工单{ticket.number}")
    clock.advance(minutes=8)
    run_due(runtime)
    assert fake_wechat.texts_to(GAS_COMPANY)[-1].startswith("【紧急】【吹哨报到】王书记请燃气公司协助")


def test_a_follow_up_waiting_for_its_retry_hides_no_other_ticket_from_the_sweep(runtime, fake_wechat, clock):
    from tests.helpers import work_off
    from workers.timers import FOLLOW_UP, follow_up_id, sweep

    first = open_ticket(runtime, category="gas")
    second = open_ticket(runtime, category="gas", building="5")
    run_due(runtime)
    clock.advance(minutes=23)  # both reminders are due
    # The first ticket's job is still in Redis, waiting for its retry: a sweep a ticket at a time must look past it.
    runtime.queue.enqueue_in(timedelta(hours=1), FOLLOW_UP, first.id,
                             job_id=follow_up_id(first.id, next_step(runtime, first.id)))
    assert sweep(runtime, batch=1) == 1
    work_off(runtime)
    assert step_names(runtime, second.id) == ["remind:accept"] and step_names(runtime, first.id) == []
