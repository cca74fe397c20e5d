"""/healthz for load balancers and /metrics for Prometheus (the webhook counts its own, in bot/web/webhook.py)."""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.store import metrics

bp = Blueprint("health", __name__)
LOOPBACK = {"127.0.0.1", "::1"}


@bp.get("/healthz")
def healthz():
    """200 when the database and Redis answer, else 503 naming what is down."""
    rt = current_app.extensions["minhu"]
    checks = {}
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as exc:
        checks["database"] = f"down: {type(exc).__name__}"
    try:
        rt.redis.ping()
        checks["redis"] = "ok"
    except RedisError as exc:
        checks["redis"] = f"down: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return jsonify({"ok": healthy, **checks}), 200 if healthy else 503


@bp.get("/metrics")
def scrape():
    """Prometheus's scrape: from this machine, or with `Authorization: Bearer $MINHU_METRICS_TOKEN`."""
    rt = current_app.extensions["minhu"]
    token = rt.settings.secrets.metrics_token
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    allowed = (token and hmac.compare_digest(sent, token)) or (not token and request.remote_addr in LOOPBACK)
    if not allowed:
        abort(403)
    return Response(metrics.exposition(rt), mimetype=CONTENT_TYPE_LATEST)
