"""Dashboard accounts: login with hashed passwords, sessions, CSRF tokens, roles, login rate limiting."""
from __future__ import annotations

import functools
import hmac
import logging
import re
import secrets
from datetime import timedelta
from pathlib import Path

from flask import (Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask.sessions import SecureCookieSessionInterface
from redis.exceptions import RedisError
from sqlalchemy import select, update
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import check_password_hash, generate_password_hash

from bot.domain.clock import utcnow
from bot.store.keptsecret import kept_secret
from bot.store.models import User

log = logging.getLogger("minhu.dashboard")
bp = Blueprint("auth", __name__)
ROLES = ("secretary", "grid_worker", "admin")
ROLE_NAMES = {"secretary": "书记", "grid_worker": "网格员", "admin": "管理员"}
# Login attempts, each counted before its password is checked, in a window of 15 minutes from the first: 5 per
# account from one address, 20 per address over all accounts (one address guessing many names), 30 per account
# over all addresses it has not signed in from in the last month (many addresses guessing one name). So many
# addresses together get 30 guesses at an account per window, and may lock it for new addresses, but its
# secretary still gets in from a computer they signed in from: no attacker locks them out for good.
PAIR_LIMIT, ADDRESS_LIMIT, ACCOUNT_LIMIT, FAILURE_WINDOW = 5, 20, 30, 15 * 60
KNOWN_FOR = 30 * 24 * 3600
# One script, so counting and deciding are one step however many attempts arrive at once. It answers which
# limit refused the attempt, or 0. An attempt refused for its address is not counted against the account, so
# one address cannot lock an account out; nor is one from an address the account signed in from.
_COUNT_ATTEMPT = """
local function count(key)
  local n = redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[4]) end
  return n
end
if count(KEYS[1]) > tonumber(ARGV[1]) then return 'address' end
if count(KEYS[2]) > tonumber(ARGV[2]) then return 'pair' end
if redis.call('SISMEMBER', KEYS[4], ARGV[5]) == 1 then return 0 end
if count(KEYS[3]) > tonumber(ARGV[3]) then return 'account' end
return 0
"""
# What a browser drops from a URL, or would let split a header: controls, spaces, any other whitespace.
_UNSEEN = re.compile(r"[\x00-\x20\x7f-\x9f\s]")


def _runtime():
    return current_app.extensions["minhu"]


def secret_key(data_dir: Path, configured: str) -> str:
    """MINHU_SECRET_KEY, else a random key kept under the data folder (demo mode); never a fixed default."""
    return configured or kept_secret(data_dir, "secret_key")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


class _Sessions(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is Secure whenever the browser came over HTTPS (or the proxy says so)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def init_app(app: Flask) -> None:
    """Session cookie settings, the trusted proxy, the CSRF check before every POST, the signed-in user."""
    settings = app.extensions["minhu"].settings
    app.secret_key = secret_key(settings.secrets.data_dir, settings.secrets.secret_key)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="minhu_session", PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
    app.session_interface = _Sessions()
    hops = settings.config.dashboard.trusted_proxies
    if hops:  # the client's own address and scheme, as the proxies in front of us saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.before_request(_load_user)
    app.before_request(_check_csrf)
    app.after_request(_no_framing)
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
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, so a 500).
    if not session.get("csrf") or not hmac.compare_digest(sent.encode("utf-8"), session["csrf"].encode("utf-8")):
        abort(400, description="表单已过期，请刷新页面后再试。")
    return None


def _no_framing(response):
    """No other site may show our pages in a frame (clickjacking), nor a browser guess a type we did not send."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def _load_user():
    g.user = None
    if request.blueprint in ("open311", "health", "dashboard"):
        return  # before the session is opened: these requests carry no cookie to read
    user_id = session.get("user_id")
    if user_id is None:
        return
    with _runtime().sessions() as db:
        user = db.get(User, user_id)
    if user is None or session.get("pw") != user.password_hash[-12:] or session.get("epoch") != user.session_epoch:
        session.clear()  # deleted, the password changed, or the account signed out since this session signed in
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


def secretaries_only() -> None:
    """Refuse (403) a signed-in grid worker what only a secretary or an admin may do."""
    if g.user.role not in ("secretary", "admin"):
        abort(403)


def _address() -> str:
    """The client's address: the socket's, or the one the trusted proxies give (dashboard.trusted_proxies)."""
    if request.headers.get("X-Forwarded-For") and not _runtime().settings.config.dashboard.trusted_proxies:
        _warn_untrusted_proxy(request.remote_addr)
    return request.remote_addr or "-"


@functools.cache
def _warn_untrusted_proxy(address: str) -> None:
    """Once a process: behind a proxy minhu was not told of, every client shares the proxy's address."""
    log.warning("a login came through a proxy at %s (X-Forwarded-For) but dashboard.trusted_proxies is 0: "
                "every client behind it is counted as one address", address)


def _attempt_keys(username: str, address: str) -> list[str]:
    """The counters an attempt goes into, and the account's known addresses (an address has no "/")."""
    name = username.lower()
    return [f"minhu:login:address:{address}", f"minhu:login:pair:{address}/{name}", f"minhu:login:account:{name}",
            f"minhu:login:known:{name}"]


def _may_try(username: str) -> bool:
    """Count this attempt, then say whether it may be checked: counted first, so parallel guesses cannot slip past."""
    address = _address()
    try:
        refused = _runtime().redis.eval(_COUNT_ATTEMPT, 4, *_attempt_keys(username, address),
                                        ADDRESS_LIMIT, PAIR_LIMIT, ACCOUNT_LIMIT, FAILURE_WINDOW, address)
    except RedisError as exc:
        log.warning("login rate limit unavailable (Redis: %s)", exc)
        return True
    if refused:
        log.warning("login as %r from %s refused: too many attempts (%s)", username, address,
                    refused.decode() if isinstance(refused, bytes) else refused)
    return not refused


def _signed_in(username: str) -> None:
    """This address's own count starts again, and the account remembers the address for a month."""
    address = _address()
    _, pair, _, known = _attempt_keys(username, address)
    try:
        pipe = _runtime().redis.pipeline()
        pipe.delete(pair)
        pipe.sadd(known, address)
        pipe.expire(known, KNOWN_FOR)
        pipe.execute()
    except RedisError as exc:
        log.warning("login not remembered (Redis: %s)", exc)


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host: control characters and spaces, which browsers drop, go first."""
    target = _UNSEEN.sub("", target or "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("views.tickets")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with a username and password made by `minhu user add`."""
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")
    if not _may_try(username):
        flash("尝试次数过多，请15分钟后再试。")
        return render_template("login.html", next=request.form.get("next", "")), 429
    with _runtime().sessions() as db:
        user = db.scalar(select(User).where(User.username == username))
        if user is None or not check_password_hash(user.password_hash, password):
            flash("用户名或密码不对，请再试一次。")
            return render_template("login.html", next=request.form.get("next", "")), 401
        user.last_login_at = utcnow()
        db.commit()
        session.clear()
        session.permanent = True
        session.update(user_id=user.id, pw=user.password_hash[-12:], epoch=user.session_epoch)
    _signed_in(username)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    """Sign out here and everywhere: the account's other session cookies stop working too."""
    if g.get("user") is not None:
        with _runtime().sessions() as db:
            db.execute(update(User).where(User.id == g.user.id).values(session_epoch=User.session_epoch + 1))
            db.commit()
    session.clear()
    return redirect(url_for("auth.login"))
