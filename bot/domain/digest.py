"""The secretary's daily digest: yesterday in one WeChat message, with the three rates and what to raise at 议事会."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain import clock
from bot.domain.intake_desk import count_by_source, sources_line
from bot.domain.reports import RECURRING_DAYS, RECURRING_MIN, Figures, figures, rates
from bot.domain.reports import since as overdue_since
from bot.domain.routing import Directory
from bot.settings import Community, Person
from bot.domain.worktime import span

MAX_BYTES = 1800  # WeChat caps a customer-service text at 2048 bytes
WEEKDAYS = "一二三四五六日"
RATE_NAMES = {"response": ("响应率", "按时接单"), "resolution": ("解决率", "到期已办结"),
              "satisfaction": ("满意率", "满意及基本满意")}


@dataclass(frozen=True)
class Recipient:
    """A secretary and the communities whose digest they get (tickets with no community go to the fallback)."""

    person: Person
    communities: list[Community]
    unplaced: bool


def recipients(directory: Directory, staff=None) -> list[Recipient]:
    """One entry per secretary, however many communities they lead: config.yaml's, then those bound by invite
    (`staff`, a bot.domain.staff.StaffDirectory), each for their community or, bound to none, for every community."""
    fallback = directory.fallback(None).openid
    by_openid: dict[str, Recipient] = {}
    for community in directory.config.communities:
        openid = community.secretary.openid
        known = by_openid.get(openid)
        by_openid[openid] = Recipient(community.secretary, (known.communities if known else []) + [community],
                                      openid == fallback)
    for member, community_id in (staff.bound_secretaries() if staff is not None else []):
        communities = [c for c in directory.config.communities if community_id in (c.id, None)]
        if member.openid not in by_openid and communities:
            by_openid[member.openid] = Recipient(Person(name=member.name, openid=member.openid), communities,
                                                 community_id is None)
    return list(by_openid.values())


def day_range(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The local day as a naive UTC [start, end)."""
    start = datetime.combine(day, time(0), zone).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC).replace(tzinfo=None)
    return start, end


def today(zone: ZoneInfo, now: datetime | None = None) -> date:
    """The local date now (`now` is naive UTC, as the store keeps it)."""
    return (now or clock.utcnow()).replace(tzinfo=UTC).astimezone(zone).date()


def yesterday(zone: ZoneInfo, now: datetime | None = None) -> date:
    return today(zone, now) - timedelta(days=1)


def _pct(pair: tuple[int, int]) -> str:
    done, due = pair
    return f"{round(100 * done / due)}%（{done}/{due}）" if due else "—（无）"


def _top(counts: dict, names, measure: str, limit: int) -> str:
    ranked = sorted(((c[measure], key) for key, c in counts.items() if c[measure]), key=lambda x: (-x[0], str(x[1])))
    shown = "、".join(f"{names(key)}{n}" for n, key in ranked[:limit])
    return shown + (f"等{len(ranked)}项" if len(ranked) > limit else "") if shown else "无"


def compose_section(directory: Directory, community: Community, day: date, fig: Figures,
                    now: datetime | None = None) -> list[str]:
    """The lines about one community's day (yesterday's, an earlier one's, or today's so far)."""
    config = directory.config
    total: Counter = fig.total()
    cat_name = lambda code: config.category(code).name  # noqa: E731
    grid_name = lambda gid: directory.grids[gid].name if gid in directory.grids else "未分网格"  # noqa: E731
    zone = ZoneInfo(config.timezone)
    counts = f"新报{total['new']}件，接单{total['accepted']}件，办结{total['resolved']}件"
    weekday = f"周{WEEKDAYS[day.weekday()]}"
    if fig.until < fig.end:  # today: the figures so far, and said to be so
        hm = f"{fig.until.replace(tzinfo=UTC).astimezone(zone):%H:%M}"
        weekday += f"，截至{hm}，当天还没过完"
        counts = f"今日截至{hm}{counts}；目前超期{total['overdue']}件"
    elif day == yesterday(zone, now):
        counts = f"昨日{counts}；截至昨晚超期{total['overdue']}件"
    else:
        counts = f"当日{counts}；截至当晚超期{total['overdue']}件"
    lines = [f"【{community.name}·每日简报】{day.month}月{day.day}日（{weekday}）", counts]
    lines.append("三率：" + "｜".join(f"{RATE_NAMES[k][0]}{_pct(v)}" for k, v in rates(total).items()))
    lines.append(f"分类新报：{_top(fig.by(0), cat_name, 'new', 5)}")
    lines.append(f"网格新报：{_top(fig.by(1), grid_name, 'new', 5)}；超期：{_top(fig.by(1), grid_name, 'overdue', 5)}")
    if fig.buildings:
        lines.append("报事最多：" + "、".join(f"{directory.place(e, b)}{n}件" for e, b, n in fig.buildings))
    if fig.overdue_longest:
        lines.append("超期最久：")
        for t in fig.overdue_longest:
            lines.append(f"· {t.number} {cat_name(t.category)}·{directory.place(t.estate_id, t.building)}"
                         f" 超期{span(fig.until - overdue_since(t, fig.until))}（{t.assignee_name or '未派'}）")
    if fig.recurring:
        lines.append(f"建议提交议事会（近{RECURRING_DAYS}天同楼同类≥{RECURRING_MIN}次）：")
        lines += [f"· {directory.place(e, b)} {cat_name(c)} {n}次" for e, b, c, n in fig.recurring]
    return lines


def compose(session: Session, directory: Directory, recipient: Recipient, day: date,
            now: datetime | None = None) -> str:
    """The whole digest for one secretary, cut to fit one WeChat message (a day not over says so)."""
    config = directory.config
    start, end = day_range(day, ZoneInfo(config.timezone))
    now, blocks = now or clock.utcnow(), []
    for community in recipient.communities:
        fig = figures(session, start, end, [community.id], unplaced=recipient.unplaced, now=now)
        block = compose_section(directory, community, day, fig, now)
        # Where the day's tickets came from, when staff entered some (a call, a walk-in, a patrol, 12345).
        if line := sources_line(count_by_source(session, start, min(end, now), [community.id])):
            block.insert(4, line)
        blocks.append(block)
    lines = [line for block in blocks for line in block]
    footer = ["响应率：到期应接单中按时接单的比例；解决率：到期应办结中已办结的比例；满意率：评价过的工单中满意及基本满意的比例（每件工单计一次）。"]
    if config.digest.url:
        url = config.digest.url.replace("{community}", recipient.communities[0].id).replace("{day}", day.isoformat())
        footer.append(f"详情：{url}")
    while len("\n".join(lines + footer).encode("utf-8")) > MAX_BYTES and len(lines) > 3:
        lines.pop()  # the lists at the end give way first; the totals and rates stay
    return "\n".join(lines + footer)

