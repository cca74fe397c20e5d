"""Outbound calls to the WeChat Official Account API, with the access token shared through Redis.

This speaks HTTP with plain requests rather than through wechatpy 1.8.18's WeChatClient: that
client retries a rejected token forever (each refresh invalidating other processes' tokens),
fetches tokens without any HTTP timeout and keeps token expiry in process memory, so with
auto_retry off and the token handled here, all that would remain of it is a JSON POST.
"""
import json
import logging
import os
import re

import requests
from redis.exceptions import LockError

log = logging.getLogger(__name__)

# Codes that mean "this access token is no longer good": invalid, expired, not the latest.
TOKEN_REJECTED = frozenset({40001, 40014, 42001})
WINDOW_CLOSED = frozenset({45015})
QUOTA = frozenset({45009, 45047})

_SECRETS_IN_URL = re.compile(r"(secret|access_token)=[^&\s'\"]+")

# Delete the cached token only if it is still the one that failed, so that a process holding a
# stale token does not throw away the token another process has just fetched.
_DELETE_IF_SAME = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class WeChatError(Exception):
    """WeChat answered with an errcode other than 0, or could not be reached."""

    def __init__(self, code, message):
        super().__init__(f"WeChat error {code}: {message}")
        self.code = code
        self.message = message


class TokenRejected(WeChatError):
    """WeChat refused the access token (40001, 40014, 42001)."""


class OutsideWindow(WeChatError):
    """A customer-service message was sent after the user's 48-hour window closed (45015)."""


class QuotaExceeded(WeChatError):
    """A sending quota is used up (45009 API quota, 45047 customer-service messages)."""


class WeChatUnavailable(WeChatError):
    """WeChat did not give a usable answer: timeout, connection error, HTTP 5xx, not JSON."""


def _error_for(code, message):
    """Return the exception class that fits a WeChat errcode."""
    if code in TOKEN_REJECTED:
        return TokenRejected(code, message)
    if code in WINDOW_CLOSED:
        return OutsideWindow(code, message)
    if code in QUOTA:
        return QuotaExceeded(code, message)
    return WeChatError(code, message)


def _redact(text):
    """Hide secrets and tokens that requests puts into its error messages along with the URL."""
    return _SECRETS_IN_URL.sub(r"\1=***", text)


def _text(value):
    """Return a Redis value as str."""
    return value.decode("utf-8") if isinstance(value, bytes) else value


class WeChatClient:
    """Send messages and menus to WeChat, refreshing the shared access token once when refused."""

    def __init__(self, redis, appid, secret, api_base="https://api.weixin.qq.com/cgi-bin/",
                 timeout=(3.05, 10)):
        self._redis = redis
        self.appid = appid
        self._secret = secret
        self.api_base = api_base if api_base.endswith("/") else api_base + "/"
        self.timeout = timeout
        self.token_key = f"minhu:wechat:token:{appid}"
        # Held longer than the slowest token request, so the lock never expires mid-refresh.
        slowest = sum(timeout) if isinstance(timeout, tuple) else timeout
        self._lock_timeout = slowest + 5
        self._delete_if_same = redis.register_script(_DELETE_IF_SAME)
        self._http = requests.Session()
        # The environment's proxy and CA bundle, read once: requests reads the environment again for every call
        # otherwise, about a millisecond of a worker's CPU per push.
        self._http.proxies = requests.utils.get_environ_proxies(self.api_base)
        self._http.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self._http.trust_env = False

    def close(self) -> None:
        """Close the kept-alive connections to WeChat."""
        self._http.close()

    def access_token(self) -> str:
        """Return the cached access token, fetching it under a Redis lock if none is cached."""
        token = self._redis.get(self.token_key)
        if token:
            return _text(token)
        lock = self._redis.lock(f"{self.token_key}:lock", timeout=self._lock_timeout,
                                blocking_timeout=self._lock_timeout)
        if not lock.acquire():
            raise WeChatUnavailable(None, "timed out waiting for another access token refresh")
        try:
            # Whoever held the lock before us has probably just stored a fresh token.
            token = self._redis.get(self.token_key)
            if token:
                return _text(token)
            return self._fetch_token()
        finally:
            try:
                lock.release()
            except LockError:
                log.warning("access token lock for %s expired before release", self.appid)

    def send_text(self, openid, text) -> None:
        """Send a customer-service text message; works only inside the user's window."""
        self._call("message/custom/send",
                   {"touser": openid, "msgtype": "text", "text": {"content": text}})

    def send_template(self, openid, template_id, data: dict, url=None) -> None:
        """Send a template message; plain data values are wrapped as {"value": ...}."""
        payload = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: value if isinstance(value, dict) else {"value": value}
                     for key, value in data.items()},
        }
        if url:
            payload["url"] = url
        self._call("message/template/send", payload)

    def send_image(self, openid, media_id) -> None:
        """Send a customer-service image message (a media_id from upload_media); only inside the user's window."""
        self._call("message/custom/send",
                   {"touser": openid, "msgtype": "image", "image": {"media_id": media_id}})

    def get_media(self, media_id) -> tuple[bytes, str]:
        """A resident's photo, voice or video (temporary media, kept by WeChat three days): bytes and content type.

        A video comes as JSON naming a download URL, which is fetched in turn."""
        token = self.access_token()
        try:
            return self._file(media_id, token)
        except TokenRejected:
            self._delete_if_same(keys=[self.token_key], args=[token])
        return self._file(media_id, self.access_token())

    def upload_media(self, kind, filename, data: bytes) -> str:
        """Upload a file as temporary media (image, voice, video) and return its media_id."""
        def upload(token):
            return self._request("POST", "media/upload", params={"access_token": token, "type": kind},
                                 files={"media": (filename, data)})
        token = self.access_token()
        try:
            answer = upload(token)
        except TokenRejected:
            self._delete_if_same(keys=[self.token_key], args=[token])
            answer = upload(self.access_token())
        if not answer.get("media_id"):
            raise WeChatError(None, "media/upload answer carries no media_id")
        return answer["media_id"]

    def _file(self, media_id, token) -> tuple[bytes, str]:
        """GET media/get: the file, or WeChat's JSON error (or a video's URL) when the answer is JSON."""
        response = self._raw("GET", "media/get", params={"access_token": token, "media_id": media_id})
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind in ("application/json", "text/plain") or response.content[:1] == b"{":
            answer = self._answer("media/get", response)
            if not answer.get("video_url"):
                raise WeChatError(None, "media/get answer carries neither a file nor a video_url")
            video = self._raw("GET", answer["video_url"], absolute=True)
            return video.content, video.headers.get("Content-Type", "video/mp4").split(";")[0]
        return response.content, kind or "application/octet-stream"

    def create_menu(self, menu: dict) -> None:
        """Replace the Official Account's custom menu."""
        self._call("menu/create", menu)

    def _fetch_token(self):
        """Ask WeChat for a new access token and cache it; the caller holds the lock."""
        answer = self._request("GET", "token", params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self._secret})
        token = answer.get("access_token")
        if not token:
            raise WeChatError(None, "token answer carries no access_token")
        expires_in = int(answer.get("expires_in", 7200))
        self._redis.set(self.token_key, token, ex=max(expires_in - 300, 1))
        log.info("fetched a WeChat access token for %s, valid %ss", self.appid, expires_in)
        return token

    def _call(self, endpoint, payload):
        """POST payload with the current token; on a refused token, refresh and retry once."""
        token = self.access_token()
        try:
            return self._post(endpoint, payload, token)
        except TokenRejected as error:
            log.info("WeChat refused the access token for %s (%s); refreshing once",
                     self.appid, error.code)
            self._delete_if_same(keys=[self.token_key], args=[token])
        return self._post(endpoint, payload, self.access_token())

    def _post(self, endpoint, payload, token):
        """POST payload as UTF-8 JSON with Chinese left unescaped, as WeChat needs it."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self._request("POST", endpoint, params={"access_token": token}, data=body,
                             headers={"Content-Type": "application/json; charset=utf-8"})

    def _request(self, method, endpoint, **kwargs):
        """Make one HTTP call and return its JSON answer, raising WeChatError on any failure."""
        return self._answer(endpoint, self._raw(method, endpoint, **kwargs))

    def _raw(self, method, endpoint, absolute=False, **kwargs):
        """Make one HTTP call and return the response, raising WeChatError unless it is HTTP 200."""
        try:
            response = self._http.request(method, endpoint if absolute else self.api_base + endpoint,
                                          timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            # from None: the chained exception would carry the URL with the secret or token.
            raise WeChatUnavailable(
                None, f"{endpoint}: {type(error).__name__}: {_redact(str(error))}") from None
        if response.status_code >= 500:
            raise WeChatUnavailable(None, f"{endpoint}: HTTP {response.status_code}")
        if response.status_code != 200:
            raise WeChatError(None, f"{endpoint}: HTTP {response.status_code}")
        return response

    def _answer(self, endpoint, response):
        """The JSON answer of a response, raising WeChatError for an errcode or anything but a JSON object."""
        try:
            answer = json.loads(response.content.decode("utf-8"))
        except ValueError:
            raise WeChatUnavailable(None, f"{endpoint}: answer is not JSON") from None
        if not isinstance(answer, dict):
            raise WeChatUnavailable(None, f"{endpoint}: answer is not a JSON object")
        try:
            code = int(answer.get("errcode") or 0)
        except (TypeError, ValueError):
            raise WeChatUnavailable(None, f"{endpoint}: errcode is not a number") from None
        if code:
            raise _error_for(code, answer.get("errmsg", ""))
        return answer
