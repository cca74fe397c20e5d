"""The desk side of minhu: dashboard, Open311 API, simulator, health and metrics, attached to the app."""
from __future__ import annotations

from flask import Blueprint, Flask

# open311_write adds the city's POST routes to open311's blueprint.
from bot.web.dashboard import (auth, desk, errors, health, notices, open311, open311_write, simulator,  # noqa: F401
                               stats, views)

# The templates and the stylesheet and script the pages use (served from this machine, no CDN).
assets = Blueprint("dashboard", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/assets")


def init_app(app: Flask) -> None:
    """Register the dashboard's blueprints, sessions, CSRF checks and error pages on the app."""
    app.register_blueprint(assets)
    auth.init_app(app)
    errors.init_app(app)
    for module in (health, views, desk, stats, open311, simulator, notices):
        app.register_blueprint(module.bp)
