"""WeCom (企业微信) app messages for staff: no 48-hour window; the token is shared through Redis."""
from __future__ import annotations

import json
import logging

import requests

from bot.wechat.client import TOKEN_REJECTED, WeChatError, WeChatUnavailable

log = logging.getLogger("minhu.wecom")


class WeComClient:
    """gettoken and message/send of the WeCom API, with one token refresh when WeCom refuses it."""

    def __init__(self, redis, corpid: str, secret: str, agentid: str,
                 api_base: str = "https://qyapi.weixin.qq.com/cgi-bin/", timeout=(3.05, 10)):
        self.redis, self.corpid, self._secret, self.agentid = redis, corpid, secret, agentid
        self.api_base = api_base if api_base.endswith("/") else api_base + "/"
        self.timeout, self.token_key = timeout, f"minhu:wecom:token:{corpid}:{agentid}"
        self._http = requests.Session()

    def close(self) -> None:
        """Close the kept-alive connections to WeCom."""
        self._http.close()

    def _token(self, fresh: bool = False) -> str:
        cached = None if fresh else self.redis.get(self.token_key)
        if cached:
            return cached.decode() if isinstance(cached, bytes) else cached
        answer = self._request("GET", "gettoken", params={"corpid": self.corpid, "corpsecret": self._secret})
        token = answer["access_token"]
        self.redis.set(self.token_key, token, ex=max(int(answer.get("expires_in", 7200)) - 300, 1))
        return token

    def send_text(self, userid: str, text: str) -> None:
        """An app text message; WeCom drops a repeat within its duplicate-check interval (30 min)."""
        payload = {"touser": userid, "msgtype": "text", "agentid": int(self.agentid), "text": {"content": text},
                   "enable_duplicate_check": 1, "duplicate_check_interval": 1800}
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        for fresh in (False, True):
            try:
                self._request("POST", "message/send", params={"access_token": self._token(fresh)}, data=body,
                              headers={"Content-Type": "application/json; charset=utf-8"})
                return
            except WeChatError as exc:
                if exc.code not in TOKEN_REJECTED or fresh:
                    raise

    def upload_image(self, filename: str, data: bytes) -> str:
        """Upload a picture as WeCom temporary media (kept three days) and return its media_id."""
        answer = self._with_token("POST", "media/upload", {"type": "image"},
                                  files={"media": (filename, data, "image/jpeg")})
        if not answer.get("media_id"):
            raise WeChatError(None, "WeCom media/upload answer carries no media_id")
        return answer["media_id"]

    def send_image(self, userid: str, media_id: str) -> None:
        """An app image message (a media_id from upload_image)."""
        payload = {"touser": userid, "msgtype": "image", "agentid": int(self.agentid), "image": {"media_id": media_id}}
        self._with_token("POST", "message/send", {}, data=json.dumps(payload).encode("utf-8"),
                         headers={"Content-Type": "application/json; charset=utf-8"})

    def _with_token(self, method: str, endpoint: str, params: dict, **kwargs) -> dict:
        """One call with the shared token, and once more with a fresh one when WeCom refuses it."""
        try:
            return self._request(method, endpoint, params=params | {"access_token": self._token()}, **kwargs)
        except WeChatError as exc:
            if exc.code not in TOKEN_REJECTED:
                raise
        return self._request(method, endpoint, params=params | {"access_token": self._token(fresh=True)}, **kwargs)

    def _request(self, method: str, endpoint: str, **kwargs) -> dict:
        try:
            response = self._http.request(method, self.api_base + endpoint, timeout=self.timeout, **kwargs)
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeChatUnavailable(None, f"WeCom {endpoint}: {type(exc).__name__}") from None
        code = int(answer.get("errcode") or 0)
        if code:
            raise WeChatError(code, f"WeCom {endpoint}: {answer.get('errmsg', '')}")
        return answer


class WeComChannel:
    """Reaches the staff who have a WeCom userid in config.yaml's wecom.users and a role wecom.roles names."""

    def __init__(self, client: WeComClient, users: dict[str, str]):
        self.client, self.users = client, users

    def reaches(self, openid: str) -> bool:
        return openid in self.users

    def send(self, openid: str, text: str) -> None:
        self.client.send_text(self.users[openid], text)

    def send_photo(self, openid: str, name: str, data: bytes) -> None:
        self.client.send_image(self.users[openid], self.client.upload_image(name, data))


def channel_for(settings, redis, role_of) -> WeComChannel | None:
    """The WeCom channel when enabled and its secrets are set, else None (everyone stays on WeChat)."""
    wecom, secrets = settings.config.wecom, settings.secrets
    if not wecom.enabled:
        return None
    if not (secrets.wecom_corpid and secrets.wecom_secret and secrets.wecom_agentid):
        log.warning("wecom.enabled but MINHU_WECOM_CORPID / _SECRET / _AGENTID are not all set: staff stay on WeChat")
        return None
    users = {openid: userid for openid, userid in wecom.users.items() if role_of(openid) in wecom.roles}
    client = WeComClient(redis, secrets.wecom_corpid, secrets.wecom_secret, secrets.wecom_agentid,
                         api_base=secrets.wecom_api_base)
    return WeComChannel(client, users)
