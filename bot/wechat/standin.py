"""A stand-in for the WeChat API on loopback: the demo's and the tests' WeChat, recording what it is sent."""
import logging
import itertools
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


log = logging.getLogger("minhu.standin")
# The stand-in's AppID. WeChat's own are "wx" and 16 hex digits, so no real account can have this one: the
# simulator keys on it (bot/web/dashboard/simulator.py), not on where API calls go, which a proxy could change.
DEMO_APPID = "wx_minhu_standin"


class StandIn:
    """Serve token, custom/template message, media and menu endpoints, with failures on demand."""

    def __init__(self, appid=DEMO_APPID, secret="testsecret", log_pushes=False):
        self.appid = appid
        self.secret = secret
        self.log_pushes = log_pushes
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server = None
        self._thread = None
        self.reset()

    def start(self):
        """Listen on 127.0.0.1 with a port the OS picks, in a daemon thread."""
        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.api_base = f"http://127.0.0.1:{self.port}/cgi-bin/"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    def stop(self):
        """Stop serving, waking any request held by an injected delay."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def reset(self):
        """Forget all records, tokens, closed windows and pending failures."""
        with self._lock:
            self.messages = []
            self.menus = []
            self.media = {}  # media_id -> (bytes, content type): what residents "sent", for media/get
            self.uploads = {}  # media_id -> (bytes, type): what the bot uploaded with media/upload
            self.requests = []
            self.token_requests = 0
            self._valid_token = None
            self._failures = []
            self._closed = set()
            self._ids = itertools.count(1)
            self._seq = itertools.count(1)
            self._changed.notify_all()

    def fail_next(self, path_suffix, times=1, status=None, errcode=None, delay=None):
        """Make the next `times` requests whose path ends with path_suffix fail or stall."""
        with self._lock:
            self._failures.append({"suffix": path_suffix, "times": times, "status": status,
                                   "errcode": errcode, "delay": delay})

    def put_media(self, media_id, data, content_type="image/jpeg"):
        """Hold a file as WeChat holds a resident's photo or voice, for media/get to serve."""
        with self._lock:
            self.media[media_id] = (data, content_type)

    def expire_tokens(self):
        """Invalidate every access token issued so far."""
        with self._lock:
            self._valid_token = None

    def close_window(self, openid):
        """Answer 45015 to customer-service messages for openid until reopen_window."""
        with self._lock:
            self._closed.add(openid)

    def reopen_window(self, openid):
        """Let customer-service messages reach openid again."""
        with self._lock:
            self._closed.discard(openid)

    def texts_to(self, openid):
        """Return the text contents delivered to openid, in order."""
        with self._lock:
            return [m["content"] for m in self.messages
                    if m["kind"] == "text" and m["touser"] == openid]

    def wait_for(self, predicate_or_count, timeout=5):
        """Wait until a zero-argument predicate holds or that many messages arrived."""
        if callable(predicate_or_count):
            check = predicate_or_count
        else:
            def check():
                return len(self.messages) >= predicate_or_count
        deadline = time.monotonic() + timeout
        with self._changed:
            while not check():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake WeChat: condition not met in {timeout}s; "
                                         f"messages={self.messages!r}")
                self._changed.wait(left)
        return True

    def handle(self, method, path, query, body):
        """Answer one request as WeChat would; return (status, body bytes)."""
        with self._lock:
            self.requests.append({"method": method, "path": path})
            self._changed.notify_all()
            failure = self._take_failure(path)
        if failure and failure["delay"]:
            self._stopping.wait(failure["delay"])
        if failure and failure["status"]:
            return failure["status"], b"<html>Internal Server Error</html>"
        if failure and failure["errcode"]:
            return 200, _json({"errcode": failure["errcode"], "errmsg": "injected failure"})
        with self._lock:
            answer = self._answer(method, path, query, body)
            self._changed.notify_all()
        if answer is None:
            return 404, b"not found"
        if isinstance(answer, tuple):  # a file: (bytes, content type)
            return 200, answer
        return 200, _json(answer)

    def _take_failure(self, path):
        """Pop one use of the first pending failure matching path."""
        for failure in self._failures:
            if path.endswith(failure["suffix"]):
                failure["times"] -= 1
                if failure["times"] <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _answer(self, method, path, query, body):
        """Route a request to its endpoint; the caller holds the lock."""
        if path == "/cgi-bin/token" and method == "GET":
            return self._issue_token(query)
        if path == "/_standin/messages" and method == "GET":
            return self._pushes(query)
        if path == "/cgi-bin/media/get" and method == "GET":
            return self._media_get(query)
        if path == "/cgi-bin/media/upload" and method == "POST":
            return self._media_upload(query, body)
        endpoints = {"/cgi-bin/message/custom/send": self._custom_send,
                     "/cgi-bin/message/template/send": self._template_send,
                     "/cgi-bin/menu/create": self._menu_create}
        if path not in endpoints or method != "POST":
            return None
        token = query.get("access_token")
        if not token:
            return {"errcode": 41001, "errmsg": "access_token missing"}
        if token != self._valid_token:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid "
                                                "or not latest"}
        raw = body.decode("utf-8")
        try:
            data = json.loads(raw)
        except ValueError:
            return {"errcode": 47001, "errmsg": "data format error"}
        return endpoints[path](data, raw)

    def _issue_token(self, query):
        """Issue a new token; like WeChat, this invalidates the older ones."""
        self.token_requests += 1
        if query.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if query.get("appid") != self.appid:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        self._valid_token = f"TOKEN{self.token_requests}-{secrets.token_hex(16)}"
        return {"access_token": self._valid_token, "expires_in": 7200}

    def _custom_send(self, data, raw):
        """Deliver a customer-service text or image message unless the user's window is closed."""
        image = data.get("msgtype") == "image" and data.get("image", {}).get("media_id")
        if not image and (data.get("msgtype") != "text" or "content" not in data.get("text", {})):
            return {"errcode": 44002, "errmsg": "empty post data"}
        if data.get("touser") in self._closed:
            return {"errcode": 45015, "errmsg": "response out of time limit or subscription "
                                                "is canceled"}
        if image:
            if image not in self.uploads:
                return {"errcode": 40007, "errmsg": "invalid media_id"}
            self._record({"kind": "image", "touser": data.get("touser"), "media_id": image, "raw": raw})
            return {"errcode": 0, "errmsg": "ok"}
        self._record({"kind": "text", "touser": data.get("touser"),
                      "content": data["text"]["content"], "raw": raw})
        return {"errcode": 0, "errmsg": "ok"}

    def _authorized(self, query):
        """None when the access token is good, else WeChat's error answer."""
        if query.get("access_token") != self._valid_token or not self._valid_token:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        return None

    def _media_get(self, query):
        """A temporary media file by media_id, as WeChat serves it for three days (JSON errcode once gone)."""
        refused = self._authorized(query)
        if refused:
            return refused
        if query.get("media_id") not in self.media:
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        return self.media[query["media_id"]]

    def _media_upload(self, query, body):
        """Take a multipart upload (field "media") and answer with a new temporary media_id."""
        refused = self._authorized(query)
        if refused:
            return refused
        if query.get("type") not in ("image", "voice", "video", "thumb") or b'name="media"' not in body:
            return {"errcode": 40004, "errmsg": "invalid media type"}
        media_id = f"UPLOADED_{len(self.uploads) + 1}_{secrets.token_hex(4)}"
        self.uploads[media_id] = (body, query["type"])
        return {"type": query["type"], "media_id": media_id, "created_at": int(time.time())}

    def _record(self, message):
        """Keep a push (the newest 10,000 in a long-running demo) and print it when asked to."""
        message["seq"] = next(self._seq)
        self.messages.append(message)
        del self.messages[:-10000]
        if self.log_pushes:
            shown = message.get("content") or json.dumps(message.get("data"), ensure_ascii=False)
            log.info("WeChat push to %s:\n%s", message["touser"], shown)

    def _template_send(self, data, raw):
        """Deliver a template message."""
        if not data.get("template_id"):
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        msgid = next(self._ids)
        self._record({"kind": "template", "touser": data.get("touser"),
                      "template_id": data["template_id"], "data": data.get("data"),
                      "url": data.get("url"), "msgid": msgid, "raw": raw})
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def _pushes(self, query):
        """What was pushed to ?touser= after push number ?after= (the simulator polls this)."""
        after = int(query["after"]) if query.get("after", "").isdigit() else 0
        return {"messages": [{key: m.get(key) for key in ("seq", "kind", "touser", "content", "data")}
                             for m in self.messages
                             if m["seq"] > after and m["touser"] == query.get("touser")][-100:]}

    def _menu_create(self, data, raw):
        """Record a menu."""
        if not data.get("button"):
            return {"errcode": 40016, "errmsg": "invalid button size"}
        self.menus.append(data)
        return {"errcode": 0, "errmsg": "ok"}


def _json(answer):
    """Encode an answer the way WeChat does: UTF-8 JSON."""
    return json.dumps(answer, ensure_ascii=False).encode("utf-8")


def _handler_for(fake):
    """Build a request handler class bound to one FakeWeChat."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The headers and the body go out in two writes: with Nagle's algorithm the body waited for the client's
        # delayed ACK, 40 ms on each push, which WeChat's servers do not add.
        disable_nagle_algorithm = True

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def _serve(self, method):
            url = urlsplit(self.path)
            query = {key: values[-1] for key, values in parse_qs(url.query).items()}
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, answer = fake.handle(method, url.path, query, body)
            kind = "application/json; charset=utf-8"
            if isinstance(answer, tuple):
                answer, kind = answer
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (timeout) before the answer: WeChat would not notice either.
                self.close_connection = True

        def log_message(self, format, *args):
            """Keep test output quiet."""

    return Handler
