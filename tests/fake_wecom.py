"""WeCom's gettoken, media/upload and message/send on loopback, recording app messages and uploads."""
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeWeCom:
    """A real HTTP server on 127.0.0.1 answering as WeCom's API does (the parts minhu uses)."""

    def __init__(self):
        self.sent, self.uploads, fake = [], {}, self
        ids = itertools.count(1)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._answer({"errcode": 0, "access_token": "WECOM_TOKEN", "expires_in": 7200})

            def do_POST(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if query.get("access_token") != "WECOM_TOKEN":
                    return self._answer({"errcode": 40014, "errmsg": "invalid access_token"})
                if url.path.endswith("/media/upload"):
                    if query.get("type") != "image" or b'name="media"' not in raw:
                        return self._answer({"errcode": 40004, "errmsg": "invalid media type"})
                    media_id = f"WECOM_MEDIA_{next(ids)}"
                    fake.uploads[media_id] = raw
                    return self._answer({"errcode": 0, "errmsg": "ok", "type": "image", "media_id": media_id,
                                         "created_at": "1700000000"})
                body = json.loads(raw)
                image = body.get("image", {}).get("media_id") if body.get("msgtype") == "image" else None
                if image is not None and image not in fake.uploads:
                    return self._answer({"errcode": 40007, "errmsg": "invalid media_id"})
                fake.sent.append((query["access_token"], body))
                self._answer({"errcode": 0, "errmsg": "ok"})

            def _answer(self, data):
                out = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
