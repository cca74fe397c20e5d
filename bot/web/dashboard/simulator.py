"""The demo's WeChat simulator: talk to the bot as a resident or staff member, through the real signed webhook."""
from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import urlsplit

import requests
from flask import Blueprint, abort, current_app, jsonify, render_template, request

from bot.wechat.say import reply_text, sealed, text_xml
from bot.wechat.standin import DEMO_APPID
from bot.web.webhook import PATH as WEBHOOK_PATH

log = logging.getLogger("minhu.simulator")
bp = Blueprint("simulator", __name__)
RESIDENTS = [("o_sim_resident_1", "张阿姨", "居民"), ("o_sim_resident_2", "刘先生", "居民"),
             ("o_sim_resident_3", "小陈", "居民")]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _runtime():
    return current_app.extensions["minhu"]


def enabled() -> bool:
    """On only when config.yaml says so and the account is the stand-in's on this machine.

    Keyed on the credentials: a real account (its own AppID) never opens it, even when its API calls go
    through a proxy on loopback."""
    settings = _runtime().settings
    host = urlsplit(settings.secrets.wechat_api_base).hostname or ""
    return settings.config.simulator.enabled and settings.secrets.wechat_appid == DEMO_APPID and host in LOOPBACK


@bp.app_context_processor
def _flag():
    return {"simulator_on": enabled()} if "minhu" in current_app.extensions else {}


@bp.before_request
def _only_in_demo():
    if not enabled():
        abort(404)


def people() -> list[dict]:
    """Whom one can be: a few residents, then every grid worker, backup and secretary of config.yaml."""
    found = [{"openid": o, "name": n, "role": r} for o, n, r in RESIDENTS]
    for community in _runtime().settings.config.communities:
        for estate in community.estates:
            for grid in estate.grids:
                found.append({"openid": grid.worker.openid, "name": grid.worker.name, "role": f"{grid.name}网格员"})
                if grid.backup:
                    found.append({"openid": grid.backup.openid, "name": grid.backup.name, "role": f"{grid.name}后备"})
        found.append({"openid": community.secretary.openid, "name": community.secretary.name,
                      "role": f"{community.name}书记"})
    return found


def _known(openid: str) -> bool:
    return any(person["openid"] == openid for person in people())


def webhook_url() -> str:
    """This server's own /wechat, by the address it listens on (never the Host header a browser sent)."""
    host = request.environ.get("SERVER_NAME", "")
    host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{request.environ.get('SERVER_PORT', '80')}{request.script_root}{WEBHOOK_PATH}"


def _standin_base() -> str:
    base = _runtime().settings.secrets.wechat_api_base
    return base.split("/cgi-bin", 1)[0].rstrip("/")


@bp.get("/simulator")
def page():
    """Two phones side by side: a resident on the left, the grid worker on the right."""
    everyone = people()
    right = next((p for p in everyone if p["role"].endswith("网格员")), everyone[-1])
    return render_template("simulator.html", people=everyone, left=everyone[0]["openid"], right=right["openid"])


@bp.post("/simulator/say")
def say():
    """Send what was typed to the webhook as WeChat would (signed XML over HTTP); return the bot's reply."""
    data = request.get_json(silent=True) or {}
    openid, text = str(data.get("openid", "")), str(data.get("text", "")).strip()[:600]
    if not _known(openid) or not text:
        abort(400, description="请选择身份并输入内容。")
    inbound = current_app.extensions["minhu.webhook"].inbound
    msg_id = str(int(time.time() * 1000) * 1000 + secrets.randbelow(1000))
    params, body = sealed(inbound.token, text_xml(openid, text, msg_id), inbound.crypto)  # safe mode when keyed
    try:
        response = requests.post(webhook_url(), params=params, data=body, headers={"Content-Type": "text/xml"},
                                 timeout=10)
        response.raise_for_status()
    except requests.RequestException as exc:
        log.warning("simulator could not reach the webhook: %s", exc)
        return jsonify({"error": "机器人暂时没有回应，请稍后再试。"}), 502
    return jsonify({"reply": reply_text(response.content.decode("utf-8"), inbound.crypto)})


@bp.get("/simulator/pushes")
def pushes():
    """What the WeChat stand-in delivered to one person after push number `after`."""
    openid = request.args.get("openid", "")
    if not _known(openid):
        abort(400, description="请选择要查看的身份。")
    try:
        response = requests.get(f"{_standin_base()}/_standin/messages",
                                params={"touser": openid, "after": request.args.get("after", "0")}, timeout=5)
        response.raise_for_status()
        messages = response.json()["messages"]
    except (requests.RequestException, ValueError, KeyError) as exc:
        log.warning("simulator could not read the stand-in's pushes: %s", exc)
        return jsonify({"messages": [], "error": "暂时读不到推送"}), 502
    for message in messages:
        if message.get("content") is None and message.get("data"):
            message["content"] = "\n".join(str(v.get("value", v) if isinstance(v, dict) else v)
                                           for v in message["data"].values())
    return jsonify({"messages": messages})
