"""/healthz for load balancers and /metrics for Prometheus, plus the webhook's timing."""
from __future__ import annotations

import hmac
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot import metrics

bp = Blueprint("health", __name__)
LOOPBACK = {"127.0.0.1", "::1"}
# Per process; under `minhu serve` gunicorn's processes add theirs up in PROMETHEUS_MULTIPROC_DIR.
MESSAGES = Counter("minhu_webhook_messages", "Requests WeChat posted to the webhook, by how they were answered",
                   ["outcome"])
LATENCY = Histogram("minhu_webhook_seconds", "Time the webhook took to answer WeChat (its limit is 5 s)",
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 10))


def init_app(app: Flask) -> None:
    """Time every webhook request and count its outcome."""
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.register_blueprint(bp)


def _start_timer():
    if request.endpoint == "wechat.receive":
        g.webhook_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("webhook_started", None)
    if started is not None:
        LATENCY.observe(time.perf_counter() - started)
        if response.status_code != 200:
            outcome = "refused" if response.status_code == 403 else str(response.status_code)
        else:
            outcome = "reply" if response.mimetype == "application/xml" else "success"
        MESSAGES.labels(outcome).inc()
    return response


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
