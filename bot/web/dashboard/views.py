"""The ticket list with its filters and CSV export, and one ticket's page with reassign, close and note."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from bot.domain import disposal, replies, status
from bot.domain.clock import utcnow
from bot.domain import actions
from bot.web.dashboard import queries
from bot.domain.intake_desk import SOURCE_NAMES
from bot.web.dashboard.auth import login_required
from bot.store.models import Attachment, Ticket, TicketEvent
from bot.store.tickets import OPEN

bp = Blueprint("views", __name__)
NEWEST_FIRST = (Ticket.created_at.desc(), Ticket.id.desc())
CLOSED = {"resolved": "工单已处理，居民会收到处理结果并被邀请评价。", "closed": "工单已办结。"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection
NEED_NOTE = "请写上怎么解决的：居民会收到这段说明，并被邀请评价。"
EVENT_NAMES = {"created": "居民反映", "dispatched": "已派发", "accepted": "已接单", "resolved": "已处理",
               "closed": "已办结", "cancelled": "已取消", "transferred": "改派", "note": "备注", "rated": "居民评价",
               "attached": "补充照片", "added": "居民补充", "joined": "邻居附议", "urgent": "紧急上报",
               "located": "补充楼号", "rating_note": "评价说明",
               "escalated": "升级", "reminded": "提醒", "chased": "居民催办", "reopened": "重新打开", "followed": "居民附议",
               "handed_down": "上级转办", "entered": "工作人员代报", "disposed": "关闭", "merged": "合并工单",
               "recategorized": "更正类别"}
VERDICTS = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}


def _runtime():
    return current_app.extensions["minhu"]


def helpers() -> dict:
    """Names and formatting the templates share."""
    rt = _runtime()
    zone = rt.settings.zone
    categories = {code: c.name for code, c in rt.settings.config.categories.items()}
    return {"categories": categories, "status_names": queries.STATUS_NAMES, "is_overdue": queries.is_overdue,
            "place": lambda t: rt.directory.place(t.estate_id, t.building, t.unit, t.room),
            "grid_name": lambda gid: rt.directory.grids[gid].name if gid in rt.directory.grids else "—",
            "local": lambda dt, fmt="%m-%d %H:%M": local(dt, zone, fmt), "state": state,
            "source_names": SOURCE_NAMES, "verdicts": VERDICTS, "nearly_late": queries.nearly_late}


def state(ticket: Ticket) -> str:
    """The status as the desk shows it: reopened and waiting-for-verdict said plainly, a disposal with its reason."""
    if ticket.status == "closed" and ticket.disposal:
        return f"已关闭（{disposal.REASONS.get(ticket.disposal, ticket.disposal)}）"
    return status.status_name(ticket.status, ticket.reopened_count)


def local(dt: datetime | None, zone, fmt: str = "%m-%d %H:%M") -> str:
    """A stored UTC time as the community's local time."""
    return dt.replace(tzinfo=timezone.utc).astimezone(zone).strftime(fmt) if dt else "—"


@bp.app_context_processor
def _shared():
    return helpers() if "minhu" in current_app.extensions else {}


def _grids_for(user) -> list:
    grids = _runtime().directory.grids.values()
    if user.role == "grid_worker":
        return [grid for grid in grids if grid.id == user.grid_id]
    return list(grids) + [queries.NO_GRID]


@bp.get("/")
@login_required
def index():
    return redirect(url_for("views.tickets"))


@bp.get("/tickets")
@login_required
def tickets():
    """The list: newest first, filtered, 50 a page."""
    filters = queries.Filters.from_args(request.args)
    page = max(1, request.args.get("page", 1, type=int))
    query = queries.apply(queries.scoped(g.user), filters)
    with _runtime().sessions() as db:
        total = db.scalar(select(func.count()).select_from(query.subquery()))
        rows = list(db.scalars(query.order_by(*queries.pinned_first(utcnow(), _nearly()), *NEWEST_FIRST)
                               .offset((page - 1) * queries.PAGE_SIZE)
                               .limit(queries.PAGE_SIZE)))
        overdue = db.scalar(select(func.count()).select_from(
            queries.scoped(g.user).where(queries.overdue_clause(utcnow())).subquery()))
    pages = max(1, -(-total // queries.PAGE_SIZE))
    return render_template("tickets.html", rows=rows, filters=filters, total=total, page=page, pages=pages,
                           overdue=overdue, grids=_grids_for(g.user), args=filters.as_args(),
                           people=_people(None) if g.user.role in ("secretary", "admin") else [],
                           replies=_runtime().settings.config.replies, nearly=_nearly())


def _nearly():
    return _runtime().settings.config.dashboard.nearly_late


@bp.get("/tickets.csv")
@login_required
def export():
    """The filtered list as CSV (with a BOM, so Excel reads the Chinese right)."""
    filters = queries.Filters.from_args(request.args)
    names = helpers()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["工单号", "反映时间", "类别", "紧急", "状态", "超时", "位置", "网格", "处理人", "内容",
                     "接单时间", "办结时间", "满意度"])
    with _runtime().sessions() as db:
        for t in db.scalars(queries.apply(queries.scoped(g.user), filters).order_by(*NEWEST_FIRST).limit(50000)):
            writer.writerow([spreadsheet_safe(cell) for cell in (
                t.number, names["local"](t.created_at, "%Y-%m-%d %H:%M"),
                names["categories"].get(t.category, t.category), "是" if t.urgent else "",
                queries.STATUS_NAMES.get(t.status, t.status), "是" if queries.is_overdue(t) else "",
                names["place"](t), names["grid_name"](t.grid_id), t.assignee_name or "",
                t.text, names["local"](t.accepted_at, "%Y-%m-%d %H:%M") if t.accepted_at else "",
                names["local"](t.resolved_at, "%Y-%m-%d %H:%M") if t.resolved_at else "",
                t.satisfaction or "")])
    stamp = local(utcnow(), _runtime().settings.zone, "%Y%m%d-%H%M")
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=minhu-tickets-{stamp}.csv"})


def spreadsheet_safe(cell):
    """A text cell no spreadsheet runs as a formula: one starting with = + - @, tab or CR gets a leading '."""
    if isinstance(cell, str) and cell[:1] in FORMULA_STARTS:
        return "'" + cell
    return cell


def _visible(number: str) -> Ticket:
    with _runtime().sessions() as db:
        ticket = db.scalar(queries.scoped(g.user).where(Ticket.number == number))
    if ticket is None:
        abort(404)
    return ticket


def _people(ticket: Ticket | None) -> list[tuple]:
    """Who a ticket can go to: the community's grid workers and their backups (with their grid), and the secretary."""
    directory = _runtime().directory
    community = directory.community_of.get(ticket.estate_id) if ticket is not None and ticket.estate_id else None
    if ticket is None and g.user.community_id:  # the list's bulk assign: the user's own community
        community = next((c for c in directory.config.communities if c.id == g.user.community_id), None)
    people = []
    for c in [community] if community else directory.config.communities:
        for estate in c.estates:
            for grid in estate.grids:
                people.append((grid.worker, f"{grid.name}网格员", grid.id))
                if grid.backup:
                    people.append((grid.backup, f"{grid.name}后备", grid.id))
        people.append((c.secretary, "书记", None))
    return people


@bp.get("/tickets/<number>")
@login_required
def ticket(number: str):
    """One ticket: what was said, where, who has it, its timeline and photos."""
    t = _visible(number)
    with _runtime().sessions() as db:
        events = list(db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id)))
        attachments = list(db.scalars(select(Attachment).where(Attachment.ticket_id == t.id).order_by(Attachment.id)))
    people = _people(t) if g.user.role in ("secretary", "admin") else []
    config = _runtime().settings.config
    before = [a for a in attachments if a.added_by is None or _runtime().staff.member(a.added_by) is None]
    after = [a for a in attachments if a not in before]
    return render_template("ticket.html", t=t, events=events, before=before, after=after, people=people,
                           event_name=_event_name, actor_name=_actor_name, replies=config.replies,
                           departments=config.departments, merged_into=_number_of(t.merged_into))


def _number_of(ticket_id: int | None) -> str | None:
    if ticket_id is None:
        return None
    with _runtime().sessions() as db:
        return db.scalar(select(Ticket.number).where(Ticket.id == ticket_id))


def _event_name(event: TicketEvent) -> str:
    """What the timeline calls an event; a resident naming the building moves the ticket, but is no 改派."""
    if event.kind == "transferred" and ("building" in (event.detail or {}) or _actor_name(event.actor) == "居民"):
        return EVENT_NAMES["located"]
    return EVENT_NAMES.get(event.kind, event.kind)


def _actor_name(actor: str) -> str:
    """Who did it: 系统, a desk user, a member of staff (config.yaml's or bound by invite), else 居民."""
    if actor == "system":
        return "系统"
    if actor.startswith("user:"):
        return actor.split(":", 2)[-1]
    member = _runtime().staff.member(actor)
    return member.name if member else "居民"


def _actor() -> str:
    return f"user:{g.user.username}:{_name()}"


def _name() -> str:
    return g.user.display_name or g.user.username


@bp.post("/tickets/<number>/note")
@login_required
def note(number: str):
    text = request.form.get("text", "").strip()[:2000]
    if text:
        actions.add_note(_runtime().tickets, _visible(number).id, _actor(), text)
        flash("备注已添加。")
    return redirect(url_for("views.ticket", number=number))


@bp.post("/tickets/<number>/close")
@login_required
def close(number: str):
    """Close a ticket from the desk, with a note saying how it ended (the residents read it when it was open)."""
    t, note = _visible(number), request.form.get("note", "").strip()
    chosen = request.form.get("reply", "")
    if chosen.isdigit() and not note.startswith(("#", "＃")):
        note = f"#{chosen} {note}".strip()
    try:
        note = replies.fill(_runtime().settings.config.replies.resolve, note)[:1000]
    except replies.NoSuchReply:
        flash("没有这条常用回复。")
        return redirect(url_for("views.ticket", number=number))
    if t.status in OPEN and not note:
        flash(NEED_NOTE)
        return redirect(url_for("views.ticket", number=number))
    done = actions.close(_runtime().tickets, t, _actor(), _name(), note)
    flash(CLOSED.get(done, "这张工单已经办结或关闭了。"))
    return redirect(url_for("views.ticket", number=number))


@bp.post("/tickets/<number>/reassign")
@login_required
def reassign(number: str):
    """Give a ticket to someone else; they get it as a new task."""
    if g.user.role not in ("secretary", "admin"):
        abort(403)
    t = _visible(number)
    chosen = {person.openid: (person, grid_id) for person, _, grid_id in _people(t)}.get(request.form.get("to", ""))
    if chosen is None:
        abort(400, description="请选择改派给谁。")
    person, grid_id = chosen
    if actions.reassign(_runtime().tickets, t.id, _actor(), person, grid_id, request.form.get("note", "").strip(),
                        _name()):
        flash(f"已改派给{person.name}，对方会收到任务推送。")
    else:
        flash(f"没有改派：工单已处理完，或本来就在{person.name}手上。")
    return redirect(url_for("views.ticket", number=number))
