"""The numbers for a meeting: tickets per day by category, the three rates by week, a per-building heat table."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from flask import Blueprint, current_app, g, render_template

from bot.domain import reports
from bot.domain.clock import utcnow
from bot.web.dashboard import charts, queries
from bot.web.dashboard.auth import login_required
from bot.domain.intake_desk import SOURCE_NAMES
from bot.store.models import Ticket

bp = Blueprint("stats", __name__)
DAYS, WEEKS, HEAT_DAYS = 30, 12, 90
TOP_CATEGORIES = 6
# Why a rate shows "—": nothing it counts happened in the period (bot/domain/reports.py defines each rate).
WHY_NONE = {"response": "这段时间没有到接单时限的工单", "resolution": "这段时间没有到处理时限的工单",
            "satisfaction": "这段时间还没有居民评价"}


def _local_day(dt, zone) -> date:
    return dt.replace(tzinfo=timezone.utc).astimezone(zone).date()


def rates(db, user, start, end) -> dict[str, float | None]:
    """三率 for [start, end) as percentages (None when nothing was due), as bot/domain/reports.py defines them."""
    if user.role == "grid_worker":
        figures = reports.figures(db, start, end, None, lists=False)
        counts = figures.by(1).get(user.grid_id, Counter())
    else:
        communities = None if user.role == "admin" else [user.community_id]
        counts = reports.figures(db, start, end, communities, lists=False).total()
    return {key: round(100 * num / den, 1) if den else None for key, (num, den) in reports.rates(counts).items()}


def per_day(tickets: list[Ticket], zone, today: date, names: dict[str, str]):
    """Labels (MM-DD) and series (category name, counts per day), the biggest categories first."""
    days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    index = {day: i for i, day in enumerate(days)}
    totals = Counter(t.category for t in tickets)
    top = [code for code, _ in totals.most_common(TOP_CATEGORIES)]
    series = {code: [0] * DAYS for code in top}
    rest = [0] * DAYS
    for t in tickets:
        i = index.get(_local_day(t.created_at, zone))
        if i is not None:
            (series[t.category] if t.category in series else rest)[i] += 1
    named = [(names.get(code, code), series[code]) for code in top]
    if any(rest):
        named.append(("其余类别", rest))
    return [f"{d:%m-%d}" for d in days], named


def by_week(db, user, zone, today: date):
    """Labels (week starting MM-DD) and the three rates of each week, in local weeks."""
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]
    values = [rates(db, user, _utc(week, zone), _utc(week + timedelta(weeks=1), zone)) for week in weeks]
    series = [(name, [v[key] for v in values]) for key, name in
              (("response", "响应率"), ("resolution", "解决率"), ("satisfaction", "满意率"))]
    return [f"{w:%m-%d}" for w in weeks], series


def _utc(day: date, zone) -> datetime:
    """Local midnight of a day, as naive UTC."""
    return datetime.combine(day, time(), zone).astimezone(timezone.utc).replace(tzinfo=None)


def heat_table(tickets: list[Ticket], directory, names: dict[str, str]):
    """Rows of (place, counts per category, total) for the buildings with tickets, busiest first."""
    counts = Counter((t.estate_id, t.building, t.category) for t in tickets if t.building)
    places = Counter()
    for (estate, building, _), n in counts.items():
        places[(estate, building)] += n
    columns = [code for code, _ in Counter(t.category for t in tickets if t.building).most_common()]
    rows = [(directory.place(estate, building), [counts[(estate, building, c)] for c in columns], total)
            for (estate, building), total in places.most_common(30)]
    top = max((n for _, cells, _ in rows for n in cells), default=0)
    return [names.get(c, c) for c in columns], rows, top


@bp.get("/stats")
@login_required
def stats():
    """Charts and the heat table, for the signed-in user's community or grid."""
    rt = current_app.extensions["minhu"]
    zone, now = rt.settings.zone, utcnow()
    today = _local_day(now, zone)
    since = now - timedelta(days=max(DAYS, HEAT_DAYS) + 1)
    with rt.sessions() as db:
        tickets = list(db.scalars(queries.scoped(g.user).where(Ticket.created_at >= since)))
        week_labels, week_series = by_week(db, g.user, zone, today)
        month_rates = rates(db, g.user, now - timedelta(days=DAYS), now)
    names = {code: c.name for code, c in rt.settings.config.categories.items()}
    day_labels, day_series = per_day(tickets, zone, today, names)
    recent = [t for t in tickets if t.created_at >= now - timedelta(days=HEAT_DAYS)]
    heat_columns, heat_rows, heat_top = heat_table(recent, rt.directory, names)
    month = [t for t in tickets if t.created_at >= now - timedelta(days=DAYS)]
    return render_template(
        "stats.html", month_total=len(month), month_rates=month_rates,
        day_chart=charts.stacked_bars(day_labels, day_series), day_series=day_series,
        week_chart=charts.lines(week_labels, week_series), week_series=week_series,
        heat_columns=heat_columns, heat_rows=heat_rows, heat_top=heat_top, heat=charts.heat,
        palette=charts.PALETTE, days=DAYS, weeks=WEEKS, heat_days=HEAT_DAYS, why_none=WHY_NONE,
        sources=Counter(t.source for t in month).most_common(), source_names=SOURCE_NAMES)
