"""Deadlines in the community's time: wall-clock time, or working hours only when config.yaml says so."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.settings import Config, WorkingHours


def deadline(config: Config, start: datetime, within: timedelta, urgent: bool = False) -> datetime:
    """When a limit of `within`, counted from `start` (naive UTC), passes; urgent tickets never wait for office hours."""
    hours = config.followup.working_hours
    if hours is None or urgent:
        return start + within
    return add_working(hours, ZoneInfo(config.timezone), start, within)


def add_working(hours: WorkingHours, zone: ZoneInfo, start: datetime, within: timedelta) -> datetime:
    """Whole days count as working days (same clock time), the rest as working hours and minutes."""
    local = _next_open(hours, start.replace(tzinfo=UTC).astimezone(zone))
    for _ in range(within.days):
        local = _next_open(hours, local + timedelta(days=1), keep_time=True)
    left = timedelta(seconds=within.seconds, microseconds=within.microseconds)
    while True:
        closing = local.replace(hour=hours.end.hour, minute=hours.end.minute, second=0, microsecond=0)
        if local + left <= closing:
            local += left
            break
        left -= closing - local
        local = _next_open(hours, closing + timedelta(seconds=1))
    return local.astimezone(UTC).replace(tzinfo=None)


def _next_open(hours: WorkingHours, local: datetime, keep_time: bool = False) -> datetime:
    """`local` if it is within working hours, else the next opening (a whole working day on, with keep_time)."""
    for _ in range(40):  # the longest run of closed days: a week's holiday between two weekends, and more
        opening = local.replace(hour=hours.start.hour, minute=hours.start.minute, second=0, microsecond=0)
        closing = local.replace(hour=hours.end.hour, minute=hours.end.minute, second=0, microsecond=0)
        works = hours.works_on(local.date())
        if works:
            if local < opening:
                return opening
            if local <= closing:
                return local
        if keep_time and not works:
            local += timedelta(days=1)  # skip a closed day, keeping the clock time
            continue
        local = (local + timedelta(days=1)).replace(hour=hours.start.hour, minute=hours.start.minute,
                                                    second=0, microsecond=0)
    raise ValueError("working_hours has no working day in 40 days")


def when(moment: datetime, zone: ZoneInfo) -> str:
    """5月14日 10:30, in the community's time zone."""
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def span(delta: timedelta) -> str:
    """1天3小时, 2小时, 35分钟: how long, as staff say it."""
    minutes = max(1, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "",
             f"{minutes}分钟" if minutes and not days else ""]
    return "".join(parts) or "1分钟"
