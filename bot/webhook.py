"""The /wechat endpoint: verify, decrypt, parse, answer once per message, reply within WeChat's 5 s."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request

from bot.wechat.inbound import BadMessage, BadSignature

log = logging.getLogger("minhu.webhook")
bp = Blueprint("wechat", __name__)


def _runtime():
    return current_app.extensions["minhu"]


def _inbound():
    return current_app.extensions["minhu.inbound"]


@bp.get("/wechat")
def verify():
    """WeChat checks the server URL: echo `echostr` when the signature is ours."""
    try:
        _inbound().verify(request.args)
    except BadSignature:
        abort(403)
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@bp.post("/wechat")
def receive():
    """A message or event from WeChat; anything odd after verification answers `success`, never a 5xx."""
    inbound = _inbound()
    try:
        inbound.verify(request.args)
    except BadSignature:
        abort(403)
    limit = current_app.config["MINHU_MAX_BODY"]
    if request.content_length is not None and request.content_length > limit:
        log.warning("body of %s bytes refused", request.content_length)
        return _success()
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        return _success()
    try:
        message, encrypted = inbound.read(body, request.args)
    except BadSignature:
        abort(403)
    except BadMessage as exc:
        log.info("unreadable message: %s", exc)
        return _success()
    reply = _runtime().answer(message)
    if not reply:
        return _success()
    return Response(inbound.render_text(reply, message, encrypted, request.args), mimetype="application/xml")


def _success() -> Response:
    return Response("success", mimetype="text/plain")
