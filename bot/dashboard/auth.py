"""Dashboard accounts: login with hashed passwords, sessions, CSRF tokens, roles, login rate limiting."""
from __future__ import annotations

import functools
import hmac
import logging
import secrets
from datetime import timedelta
from pathlib import Path

from flask import (Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from redis.exceptions import RedisError
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from bot.clock import utcnow
from bot.keptsecret import kept_secret
from bot.models import User

log = logging.getLogger("minhu.dashboard")
bp = Blueprint("auth", __name__)
ROLES = ("secretary", "grid_worker", "admin")
ROLE_NAMES = {"secretary": "书记", "grid_worker": "网格员", "admin": "管理员"}
MAX_FAILURES, FAILURE_WINDOW = 5, 15 * 60  # per username and address


def _runtime():
    return current_app.extensions["minhu"]


def secret_key(data_dir: Path, configured: str) -> str:
    """MINHU_SECRET_KEY, else a random key kept under the data folder (demo mode); never a fixed default."""
    return configured or kept_secret(data_dir, "secret_key")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def init_app(app: Flask) -> None:
    """Session cookie settings, the CSRF check before every POST, the signed-in user for templates."""
    secrets_ = app.extensions["minhu"].settings.secrets
    app.secret_key = secret_key(secrets_.data_dir, secrets_.secret_key)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="minhu_session", PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
    app.before_request(_load_user)
    app.before_request(_check_csrf)
    app.context_processor(lambda: {"csrf_token": csrf_token, "user": g.get("user"), "role_names": ROLE_NAMES})
    app.register_blueprint(bp)


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _check_csrf():
    if request.method != "POST" or request.blueprint == "open311":
        return None
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not session.get("csrf") or not hmac.compare_digest(sent, session["csrf"]):
        abort(400, description="表单已过期，请刷新页面后再试。")
    return None


def _load_user():
    g.user = None
    if request.blueprint in ("open311", "health", "dashboard"):
        return  # before the session is opened: these requests carry no cookie to read
    user_id = session.get("user_id")
    if user_id is None:
        return
    with _runtime().sessions() as db:
        user = db.get(User, user_id)
    if user is None or session.get("pw") != user.password_hash[-12:]:
        session.clear()  # deleted, or the password changed since this session signed in
        return
    g.user = user


def login_required(view):
    """Send anyone not signed in to the login page."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
        return view(*args, **kwargs)

    return wrapped


def _limit_key(username: str) -> str:
    return f"minhu:login-failures:{username.lower()}:{request.remote_addr}"


def _too_many(username: str) -> bool:
    try:
        return int(_runtime().redis.get(_limit_key(username)) or 0) >= MAX_FAILURES
    except RedisError as exc:
        log.warning("login rate limit unavailable (Redis: %s)", exc)
        return False


def _failed(username: str) -> None:
    try:
        pipe = _runtime().redis.pipeline()
        pipe.incr(_limit_key(username))
        pipe.expire(_limit_key(username), FAILURE_WINDOW)
        pipe.execute()
    except RedisError as exc:
        log.warning("login failure not counted (Redis: %s)", exc)


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("views.tickets")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with a username and password made by `minhu user add`."""
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")
    if _too_many(username):
        flash("尝试次数过多，请15分钟后再试。")
        return render_template("login.html", next=request.form.get("next", "")), 429
    with _runtime().sessions() as db:
        user = db.scalar(select(User).where(User.username == username))
        if user is None or not check_password_hash(user.password_hash, password):
            _failed(username)
            flash("用户名或密码不对，请再试一次。")
            return render_template("login.html", next=request.form.get("next", "")), 401
        user.last_login_at = utcnow()
        db.commit()
        session.clear()
        session.permanent = True
        session.update(user_id=user.id, pw=user.password_hash[-12:])
    try:
        _runtime().redis.delete(_limit_key(username))
    except RedisError:
        pass
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
