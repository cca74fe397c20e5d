"""The /wechat endpoint: verify, decrypt, parse, answer once per message, reply within WeChat's 5 s.

It is a plain WSGI app in front of Flask (`Webhook.wrap`): WeChat's requests need none of what Flask
does for the dashboard on every request (a session read from the cookie, the signed-in user, the CSRF
check, URL matching, request hooks), and that machinery cost about a fifth of the webhook's CPU per
message under a burst (docs/PERFORMANCE.md). Every other path goes on to Flask unchanged.
"""
from __future__ import annotations

import logging
import time
from urllib.parse import parse_qsl

from prometheus_client import Counter, Histogram
from werkzeug.wsgi import get_content_length, get_input_stream

from bot.errors import Replayed
from bot.wechat.inbound import BadMessage, BadSignature, Inbound
from handlers.base import SORRY

log = logging.getLogger("minhu.webhook")
PATH = "/wechat"
# Per process; under `minhu serve` gunicorn's processes add theirs up in PROMETHEUS_MULTIPROC_DIR.
MESSAGES = Counter("minhu_webhook_messages", "Requests WeChat posted to the webhook, by how they were answered",
                   ["outcome"])
LATENCY = Histogram("minhu_webhook_seconds", "Time the webhook took to answer WeChat (its limit is 5 s)",
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 10))
_OUTCOMES = {outcome: MESSAGES.labels(outcome) for outcome in ("reply", "success", "refused")}

_XML = [("Content-Type", "application/xml; charset=utf-8")]
_TEXT = [("Content-Type", "text/plain; charset=utf-8")]
_STATUS = {200: "200 OK", 403: "403 Forbidden", 405: "405 Method Not Allowed"}


class Webhook:
    """WeChat's side of the web app, for one account; `wrap` mounts it in front of a WSGI app."""

    def __init__(self, runtime, inbound: Inbound, max_body: int):
        self.runtime, self.inbound, self.max_body = runtime, inbound, max_body

    def wrap(self, app):
        """A WSGI app that serves /wechat here and hands every other path to `app`."""
        def dispatch(environ, start_response):
            if environ.get("PATH_INFO") == PATH:
                return self(environ, start_response)
            return app(environ, start_response)

        return dispatch

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        args = _args(environ.get("QUERY_STRING", ""))
        if method == "POST":
            started = time.perf_counter()
            status, body, headers = self.receive(environ, args)
            LATENCY.observe(time.perf_counter() - started)
            _OUTCOMES["refused" if status == 403 else "reply" if headers is _XML else "success"].inc()
        elif method in ("GET", "HEAD"):
            status, body, headers = self.verify(args)
        else:
            status, body, headers = 405, b"", [*_TEXT, ("Allow", "GET, HEAD, POST")]
        start_response(_STATUS[status], [*headers, ("Content-Length", str(len(body)))])
        return [b"" if method == "HEAD" else body]

    def verify(self, args: dict[str, str]):
        """WeChat checks the server URL: echo `echostr` when the signature is ours."""
        try:
            self.inbound.verify(args)
        except BadSignature:
            return _refused()
        return 200, args.get("echostr", "").encode("utf-8"), _TEXT

    def receive(self, environ, args: dict[str, str]):
        """A message or event from WeChat; anything odd after verification answers `success`, never a 5xx."""
        inbound = self.inbound
        try:
            inbound.verify(args)
        except BadSignature:
            return _refused()
        if inbound.refuses(args):
            log.warning("plaintext message refused: MINHU_WECHAT_AES_KEY is set, so only encrypted messages are taken "
                        "(set the account to safe mode, or webhook.accept_plaintext: true in config.yaml)")
            return _refused()
        length = get_content_length(environ)
        if length is not None and length > self.max_body:
            log.warning("body of %s bytes refused", length)
            return _success()
        message = None
        try:
            body = get_input_stream(environ).read(self.max_body + 1)
            if len(body) > self.max_body:
                return _success()
            message, encrypted = inbound.read(body, args)
            reply = self.runtime.answer(message, inbound.query(args))
            if not reply:
                return _success()
            return 200, inbound.render_text(reply, message, encrypted, args).encode("utf-8"), _XML
        except BadSignature:
            return _refused()
        except Replayed as exc:
            log.warning("refused: %s", exc)
            return _refused()
        except BadMessage as exc:
            log.info("unreadable message: %s", exc)
            return _success()
        except Exception:  # never WeChat's "该公众号暂时无法提供服务"
            log.exception("webhook failed")
            if message is None:
                return _success()
            try:
                return 200, inbound.render_text(SORRY, message, encrypted, args).encode("utf-8"), _XML
            except Exception:
                return _success()


def _args(query: str) -> dict[str, str]:
    """The query string's parameters, the first of each name (as Flask's `request.args.get`)."""
    args: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        args.setdefault(name, value)
    return args


def _success():
    return 200, b"success", _TEXT


def _refused():
    return 403, b"forbidden", _TEXT
