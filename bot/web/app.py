"""The app factory: the webhook in front of the Flask app, and the resources they need, built once."""
from __future__ import annotations

import logging

from flask import Flask

from bot.runtime import Runtime
from bot.settings import Settings, config_warnings, load_settings
from bot.web import dashboard
from bot.web.webhook import Webhook
from bot.wechat.inbound import Inbound

log = logging.getLogger("minhu")


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the web app; settings load and validate here, not at import."""
    settings = settings or load_settings()
    runtime = runtime or Runtime(settings, web=True)
    app = Flask(__name__)
    secrets = settings.secrets
    if not secrets.wechat_token:
        log.warning("MINHU_WECHAT_TOKEN is not set: every request will be refused as unsigned")
    for warning in config_warnings(settings.config):
        log.warning("%s: %s", settings.config_path, warning)
    app.extensions["minhu"] = runtime
    inbound = Inbound(secrets.wechat_token, secrets.wechat_appid, secrets.wechat_aes_key,
                      max_skew=settings.config.webhook.max_clock_skew.total_seconds(),
                      accept_plaintext=settings.config.webhook.accept_plaintext)
    # Past the body limit WeChat gets `success` (not the 413 of Flask's MAX_CONTENT_LENGTH).
    webhook = app.extensions["minhu.webhook"] = Webhook(runtime, inbound, settings.config.webhook.max_body_bytes)
    app.wsgi_app = webhook.wrap(app.wsgi_app)  # /wechat is served before Flask's per-request work (bot/web/webhook.py)
    dashboard.init_app(app)  # login, ticket list and page, stats, Open311, simulator, /healthz, /metrics
    runtime.analyzer  # load the dictionaries and model now, not on the first resident's message
    return app
