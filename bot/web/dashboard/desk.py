"""The desk's day work beyond the list: enter a ticket, dispose of one with a reason, merge, correct the category,
bulk assign and close, and the kept photos themselves."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for

from bot.domain import disposal, replies
from bot.domain import actions
from bot.web.dashboard import queries
from bot.web.dashboard.auth import login_required, secretaries_only
from bot.web.dashboard.views import _actor, _name, _people, _visible
from bot.domain.intake_desk import SOURCES, Entry, enter
from bot.errors import StorageUnavailable
from bot.store.models import Attachment, Ticket
from bot.store.tickets import OPEN

bp = Blueprint("desk", __name__)
BULK_MAX = 200


def _runtime():
    return current_app.extensions["minhu"]


def _estates() -> list:
    """The estates the user may enter tickets for: their community's, or all for an admin."""
    directory = _runtime().directory
    return [estate for community in directory.config.communities
            if g.user.role == "admin" or community.id == g.user.community_id or g.user.role == "grid_worker"
            for estate in community.estates]


@bp.route("/tickets/new", methods=["GET", "POST"])
@login_required
def new():
    """A ticket taken down by staff: a phone call, a walk-in, a patrol, a case handed down by 12345."""
    estates = _estates()
    if request.method == "GET":
        return render_template("new_ticket.html", sources=SOURCES, estates=estates, form={})
    form = {key: request.form.get(key, "").strip() for key in ("text", "source", "category", "estate", "building",
                                                                "unit", "room", "contact", "urgent")}
    problems = []
    if len(form["text"]) < 2:
        problems.append("请写上反映的问题。")
    if form["source"] not in SOURCES:
        problems.append("请选择来源。")
    if form["category"] and form["category"] not in _runtime().settings.config.categories:
        problems.append("类别不对，请重新选择。")
    if form["estate"] and form["estate"] not in {e.id for e in estates}:
        problems.append("小区不对，请重新选择。")
    building = form["building"].removesuffix("号楼").removesuffix("栋") or None
    estate = form["estate"] or (estates[0].id if len(estates) == 1 else "")
    if building and estate and not _runtime().directory.knows_building(estate, building):
        problems.append(f"这个小区没有{building}号楼，请核对。")
    if problems:
        for problem in problems:
            flash(problem)
        return render_template("new_ticket.html", sources=SOURCES, estates=estates, form=form), 400
    entry = Entry(text=form["text"][:2000], source=form["source"], category=form["category"] or None,
                  estate_id=form["estate"] or None, building=building,
                  unit=form["unit"].removesuffix("单元") or None, room=form["room"].removesuffix("室") or None,
                  contact=form["contact"], urgent=bool(form["urgent"]))
    ticket = enter(_runtime().tickets, _runtime().analyzer, entry, _actor(), _name())
    flash(f"已登记工单{ticket.number}，已派给{ticket.assignee_name}。")
    return redirect(url_for("views.ticket", number=ticket.number))


@bp.post("/tickets/<number>/dispose")
@login_required
def dispose(number: str):
    """Close without a fix: invalid, a duplicate of another ticket, or referred to a department."""
    secretaries_only()
    t = _visible(number)
    reason, note = request.form.get("reason", ""), _reply("close", request.form.get("note", "").strip())
    if note is None:
        return redirect(url_for("views.ticket", number=number))
    rt = _runtime()
    if reason == "duplicate":
        return _merge_into(t, request.form.get("of", "").strip(), "duplicate")
    if reason == "referred":
        department = request.form.get("department", "").strip()
        known = rt.settings.config.departments.get(department)
        if not department:
            flash("请写上转给哪个部门。")
            return redirect(url_for("views.ticket", number=number))
        done = disposal.dispose(rt.tickets, t.id, _actor(), _name(), "referred", note,
                                known.name if known else department[:32])
    elif reason == "invalid":
        done = disposal.dispose(rt.tickets, t.id, _actor(), _name(), "invalid", note)
    else:
        abort(400, description="请选择关闭的原因。")
    flash("工单已关闭，已告知居民原因，不再请居民评价。" if done else "这张工单已经办结或关闭了。")
    return redirect(url_for("views.ticket", number=number))


@bp.post("/tickets/<number>/merge")
@login_required
def merge(number: str):
    """Merge this ticket into another one: its residents, photos and timeline move there."""
    secretaries_only()
    return _merge_into(_visible(number), request.form.get("into", "").strip(), "merged")


def _merge_into(t: Ticket, into_number: str, reason: str):
    into = _visible_or_none(into_number)
    if into is None:
        flash(f"没有找到工单{into_number}。" if into_number else "请写上要并入的工单号。")
        return redirect(url_for("views.ticket", number=t.number))
    try:
        movers = disposal.merge(_runtime().tickets, t.id, into.id, _actor(), _name(), reason)
    except disposal.MergeRefused as exc:
        flash(str(exc))
        return redirect(url_for("views.ticket", number=t.number))
    flash(f"工单{t.number}已并入{into.number}" + (f"，已告知{len(movers)}户居民。" if movers else "。"))
    return redirect(url_for("views.ticket", number=into.number))


def _visible_or_none(number: str) -> Ticket | None:
    if not number.isdigit():
        return None
    with _runtime().sessions() as db:
        return db.scalar(queries.scoped(g.user).where(Ticket.number == number))


@bp.post("/tickets/<number>/category")
@login_required
def category(number: str):
    """Correct the category; kept as an event, exported by `minhu corrections` for retraining the reader."""
    t = _visible(number)
    chosen = request.form.get("category", "")
    if chosen not in _runtime().settings.config.categories:
        abort(400, description="请选择类别。")
    if disposal.recategorize(_runtime().tickets, t.id, _actor(), _name(), chosen):
        flash(f"类别已改为{_runtime().settings.config.category_name(chosen)}。")
    return redirect(url_for("views.ticket", number=number))


def _reply(kind: str, note: str) -> str | None:
    """The note, or the common reply chosen ("#2", or the form's reply field); None (flashed) for a wrong number."""
    chosen = request.form.get("reply", "")
    choices = getattr(_runtime().settings.config.replies, kind)
    if chosen.isdigit() and not note.startswith(("#", "＃")):
        note = f"#{chosen} {note}".strip()
    try:
        return replies.fill(choices, note)[:1000]
    except replies.NoSuchReply:
        flash("没有这条常用回复。")
        return None


@bp.post("/tickets/bulk")
@login_required
def bulk():
    """The same step for many tickets of the list: assign to one person, resolve with one reply, close as invalid."""
    secretaries_only()
    numbers = [n for n in request.form.getlist("number") if n.isdigit()][:BULK_MAX]
    action, rt = request.form.get("action", ""), _runtime()
    back = redirect(request.form.get("back") if (request.form.get("back") or "").startswith("/tickets")
                    else url_for("views.tickets"))
    if not numbers:
        flash("请先勾选工单。")
        return back
    note = _reply("resolve" if action == "resolve" else "close", request.form.get("note", "").strip())
    if note is None:
        return back
    done = 0
    for number in numbers:
        t = _visible_or_none(number)
        if t is None:
            continue
        if action.startswith("assign:"):
            chosen = {p.openid: (p, grid) for p, _, grid in _people(t)}.get(action.removeprefix("assign:"))
            if chosen and actions.reassign(rt.tickets, t.id, _actor(), chosen[0], chosen[1], note, _name()):
                done += 1
        elif action == "resolve" and t.status in OPEN:
            if not note:
                flash("批量办结请写上处理说明，或选一条常用回复。")
                return back
            done += actions.close(rt.tickets, t, _actor(), _name(), note) is not None
        elif action == "invalid":
            done += disposal.dispose(rt.tickets, t.id, _actor(), _name(), "invalid", note)
    flash(f"已处理{done}张工单（共勾选{len(numbers)}张）。")
    return back


@bp.get("/media/<attachment_id>")
@bp.get("/media/<attachment_id>/<variant>")
@login_required
def media_file(attachment_id: str, variant: str = "full"):
    """A kept photo (or its thumbnail), voice or video, to those who may see its ticket."""
    if not attachment_id.isdigit() or len(attachment_id) > 12:
        abort(404)
    rt = _runtime()
    with rt.sessions() as db:
        attachment = db.get(Attachment, int(attachment_id))
        ticket = db.get(Ticket, attachment.ticket_id) if attachment else None
    if ticket is None or _visible_or_none(ticket.number) is None:
        abort(404)
    key = attachment.thumbnail if variant == "thumb" else attachment.stored
    try:
        blob = rt.blobs.open(key) if key else None
    except StorageUnavailable:
        abort(503, description="照片和录音暂时取不出来，请稍后再试。")
    if blob is None:
        abort(404)
    # Streamed through the app from the folder or the bucket: the desk's login stays the only way in.
    response = send_file(blob.source, mimetype="image/jpeg" if key.endswith(".jpg") else attachment.content_type,
                         etag=blob.etag or True, last_modified=blob.modified, max_age=3600, conditional=True)
    if blob.size is not None and response.status_code == 200:
        response.content_length = blob.size  # a stream has no length of its own; the bucket said it
    response.cache_control.public, response.cache_control.private = None, True  # evidence is for this browser only
    return response
