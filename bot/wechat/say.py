"""Talk to a running bot as WeChat would: a signed text message in, the reply's text out."""
from __future__ import annotations

import secrets
import time
from xml.etree import ElementTree

import requests
from wechatpy.crypto import WeChatCrypto

from bot.wechat.inbound import cdata, sign


def text_xml(sender: str, text: str, msg_id: str, account: str = "gh_minhu_demo") -> str:
    return (f"<xml><ToUserName>{cdata(account)}</ToUserName><FromUserName>{cdata(sender)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(text)}</Content><MsgId>{msg_id}</MsgId></xml>")


def signed_params(token: str) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
    return {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
            "openid": "", "encrypt_type": "raw"}


def sealed(token: str, xml: str, crypto: WeChatCrypto | None = None) -> tuple[dict[str, str], bytes]:
    """The query and body WeChat would post for `xml`: encrypted (safe mode) when `crypto` is given."""
    params = signed_params(token)
    if crypto is None:
        return params, xml.encode("utf-8")
    envelope = crypto.encrypt_message(xml, params["nonce"], params["timestamp"])
    signature = ElementTree.fromstring(envelope).findtext("MsgSignature")
    return params | {"encrypt_type": "aes", "msg_signature": signature}, envelope.encode("utf-8")


def reply_text(body: str, crypto: WeChatCrypto | None = None) -> str | None:
    """The Content of a passive reply (decrypted with `crypto` when it is encrypted), or None for `success` / an
    empty answer."""
    if not body or body == "success":
        return None
    if crypto is not None and "<Encrypt>" in body:
        fields = ElementTree.fromstring(body)
        body = crypto.decrypt_message(body, fields.findtext("MsgSignature"), fields.findtext("TimeStamp"),
                                      fields.findtext("Nonce"))
    return ElementTree.fromstring(body).findtext("Content")


def send_text(url: str, token: str, sender: str, text: str, msg_id: str | None = None, timeout: float = 10,
              crypto: WeChatCrypto | None = None) -> str | None:
    msg_id = msg_id or str(int(time.time() * 1000) * 1000 + secrets.randbelow(1000))
    params, body = sealed(token, text_xml(sender, text, msg_id), crypto)
    response = requests.post(url, params=params, data=body, headers={"Content-Type": "text/xml"}, timeout=timeout)
    response.raise_for_status()
    return reply_text(response.content.decode("utf-8"), crypto)
