"""The Flask app factory: the webhook and the resources it needs, built once."""
from __future__ import annotations

import logging

from flask import Flask

from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from bot.wechat.inbound import Inbound

log = logging.getLogger("minhu")


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the web app; settings load and validate here, not at import."""
    settings = settings or load_settings()
    runtime = runtime or Runtime(settings, web=True)
    app = Flask(__name__)
    # Not Flask's MAX_CONTENT_LENGTH, which answers 413: past our limit WeChat gets `success` (see webhook).
    app.config["MINHU_MAX_BODY"] = settings.config.webhook.max_body_bytes
    secrets = settings.secrets
    if not secrets.wechat_token:
        log.warning("MINHU_WECHAT_TOKEN is not set: every request will be refused as unsigned")
    app.extensions["minhu"] = runtime
    app.extensions["minhu.inbound"] = Inbound(secrets.wechat_token, secrets.wechat_appid, secrets.wechat_aes_key,
                                                max_skew=settings.config.webhook.max_clock_skew.total_seconds())
    from bot.webhook import bp

    app.register_blueprint(bp)
    from bot import dashboard

    dashboard.init_app(app)  # login, ticket list and page, stats, Open311, simulator, /healthz, /metrics
    runtime.analyzer  # load the dictionaries and model now, not on the first resident's message
    return app
