"""The desk's notices (通知公告): write one for an estate, some buildings or everyone, and see how many it reached."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from bot.domain import notices
from bot.web.dashboard.auth import login_required, secretaries_only
from bot.store.models import Notice

bp = Blueprint("notices", __name__)
SHOWN = 30


def _runtime():
    return current_app.extensions["minhu"]


def _estates(user) -> list:
    rt = _runtime()
    return [e for e in rt.directory.estates.values()
            if user.role == "admin" or rt.directory.community_of[e.id].id == user.community_id]


@bp.get("/notices")
@login_required
def page():
    """The notices sent lately with their delivery counts, and the form for a new one."""
    secretaries_only()
    rt = _runtime()
    query = select(Notice).order_by(Notice.id.desc()).limit(SHOWN)
    if g.user.role != "admin":
        query = query.where(Notice.community_id == g.user.community_id)
    with rt.sessions() as db:
        rows = list(db.scalars(query))
        tally = notices.counts(db, [n.id for n in rows])
    return render_template("notices.html", rows=rows, tally=tally, estates=_estates(g.user),
                           place=lambda n: notices.place(n, rt.directory), everyone=g.user.role == "admin")


@bp.post("/notices")
@login_required
def send():
    """Keep the notice and queue its send (an RQ job, in batches); the list shows it reaching residents."""
    secretaries_only()
    rt = _runtime()
    estate_id = request.form.get("estate") or None
    buildings = request.form.get("buildings", "").replace("，", ",").replace("、", ",").split(",")
    community_id = None if g.user.role == "admin" else g.user.community_id
    try:
        notice = notices.write(rt.sessions, rt.directory, community_id, estate_id,
                               [b.strip().removesuffix("号楼").removesuffix("栋") for b in buildings],
                               request.form.get("title", ""), request.form.get("body", ""), g.user.username)
    except notices.NoticeRefused as exc:
        flash(str(exc))
        return redirect(url_for("notices.page"))
    queued = notices.enqueue(rt.queue, notice.id, tag="first")
    flash(f"通知已开始发送给{notices.place(notice, rt.directory)}的居民。" if queued
          else "通知已保存，系统稍后会自动发送。")
    return redirect(url_for("notices.page"))
