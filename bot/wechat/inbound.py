"""WeChat's side of the webhook: verify, decrypt, parse into a Message, render and encrypt the reply."""
from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import UTC, datetime
from xml.etree.ElementTree import ParseError, fromstring

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import random_string

from bot.domain.message import Message

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class BadMessage(Exception):
    """The body is not a message we can read (after the signature was checked)."""


class BadSignature(Exception):
    """The request is not signed with our token."""


def sign(token: str, timestamp: str, nonce: str, *extra: str) -> str:
    """WeChat's signature: sha1 of the sorted token, timestamp, nonce (and encrypted body)."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, *extra])).encode()).hexdigest()


def cdata(text: str) -> str:
    """Wrap text in CDATA, splitting any ']]>' so user text cannot close it (wechatpy does not)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class Inbound:
    """Everything the webhook needs from WeChat's protocol, for one account."""

    def __init__(self, token: str, appid: str = "", aes_key: str = "", max_skew: float = 600,
                 accept_plaintext: bool = False):
        self.token, self.appid, self.max_skew = token, appid, max_skew
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key and appid else None
        # A plaintext body is covered by no signature: with a key set, only encrypted ones unless told otherwise.
        self.accept_plaintext = accept_plaintext or not aes_key

    def verify(self, args) -> None:
        """Check the plain signature on the query string, as on every request."""
        signature = args.get("signature", "")
        expected = sign(self.token, args.get("timestamp", ""), args.get("nonce", ""))
        if not self.token or not hmac.compare_digest(signature.encode(), expected.encode()):
            raise BadSignature()
        try:
            skew = abs(time.time() - int(args.get("timestamp", "")))
        except ValueError:
            raise BadSignature() from None
        if self.max_skew and skew > self.max_skew:
            # A captured signed URL replayed later (plaintext signatures do not cover the body).
            raise BadSignature()

    def refuses(self, args) -> bool:
        """Whether a verified request is still refused: a plaintext body when only encrypted ones are taken."""
        return not self.accept_plaintext and args.get("encrypt_type", "raw") != "aes"

    def query(self, args) -> tuple[str, int]:
        """The verified query's identity (timestamp and nonce) and the seconds it stays acceptable."""
        timestamp = args.get("timestamp", "")
        # After max_skew past its timestamp `verify` refuses it anyway; with no limit, an hour as for replies.
        left = int(int(timestamp) + self.max_skew - time.time()) + 1 if self.max_skew else 3600
        return f"{timestamp}:{args.get('nonce', '')}", max(1, left)

    def read(self, body: bytes, args) -> tuple[Message, bool]:
        """Decrypt when in safe mode and parse; return the message and whether the reply must be encrypted."""
        if _DOCTYPE.search(body):
            raise BadMessage("document type declarations are not accepted")
        encrypted = args.get("encrypt_type", "raw") == "aes"
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadMessage("body is not UTF-8") from exc
        if encrypted:
            if self.crypto is None:
                raise BadMessage("encrypted message but no MINHU_WECHAT_AES_KEY / MINHU_WECHAT_APPID configured")
            try:
                text = self.crypto.decrypt_message(text, args.get("msg_signature", ""),
                                                   args.get("timestamp", ""), args.get("nonce", ""))
            except (InvalidSignatureException, InvalidAppIdException) as exc:
                raise BadSignature() from exc
            except Exception as exc:  # wechatpy raises assorted errors on garbage ciphertext
                raise BadMessage(f"cannot decrypt: {type(exc).__name__}") from exc
            if _DOCTYPE.search(text.encode("utf-8", "replace")):
                raise BadMessage("document type declarations are not accepted")
        return to_message(fields(text)), encrypted

    def render_text(self, text: str, message: Message, encrypted: bool, args) -> str:
        """A passive text reply, encrypted when the request was."""
        xml = ("<xml><ToUserName>{to}</ToUserName><FromUserName>{me}</FromUserName>"
               "<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               "<Content>{content}</Content></xml>").format(
            to=cdata(message.sender), me=cdata(message.account), now=int(time.time()), content=cdata(text))
        if encrypted and self.crypto is not None:
            return self.crypto.encrypt_message(xml, args.get("nonce") or random_string(10), args.get("timestamp"))
        return xml


def _str(value) -> str:
    return "" if value is None else str(value)


def fields(text: str) -> dict[str, str | None]:
    """The top-level fields of WeChat's flat XML (`<xml><MsgType>…</MsgType>…</xml>`), whitespace stripped.

    Read with the standard library's expat parser rather than wechatpy's `parse_message` (xmltodict and a
    message class per type), which cost more than twice as much per message and reads only known event
    types (`subscribe_msg_*` come back unknown). Document type declarations were refused before this, so
    no entity is ever expanded."""
    if not text.strip():
        raise BadMessage("empty body")
    try:
        root = fromstring(text)
    except ParseError as exc:
        raise BadMessage(f"cannot parse: {exc}") from exc
    return {child.tag: (child.text or "").strip() or None for child in root}


def to_message(raw: dict[str, str | None]) -> Message:
    """Turn WeChat's fields of a message or event into minhu's Message."""
    sender = _str(raw.get("FromUserName"))
    if not sender:
        raise BadMessage("no sender")
    created = _str(raw.get("CreateTime"))
    msg_type = _str(raw.get("MsgType")).lower() or "unknown"
    msg_id = _str(raw.get("MsgId"))
    key = f"msg:{msg_id}" if msg_id else f"evt:{sender}:{created}:{_str(raw.get('Event')).lower()}"
    try:
        created_at = datetime.fromtimestamp(int(created), UTC).replace(tzinfo=None) if created else None
    except (ValueError, OverflowError, OSError):
        created_at = None
    fields = {"sender": sender, "type": msg_type, "key": key, "created_at": created_at,
              "account": _str(raw.get("ToUserName"))}
    if msg_type == "text":
        fields["text"] = _str(raw.get("Content"))
    elif msg_type == "voice":
        fields["text"] = _str(raw.get("Recognition")).strip()
        fields["media_id"] = _str(raw.get("MediaId"))
    elif msg_type in ("image", "video", "shortvideo"):
        fields["media_id"] = _str(raw.get("MediaId"))
        fields["picture_url"] = _str(raw.get("PicUrl"))
        fields["thumb_media_id"] = _str(raw.get("ThumbMediaId"))  # a video's first-frame picture, made by WeChat
    elif msg_type == "location":
        try:
            fields["latitude"], fields["longitude"] = float(raw.get("Location_X")), float(raw.get("Location_Y"))
        except (TypeError, ValueError):
            pass
        fields["label"] = _str(raw.get("Label"))
    elif msg_type == "event":
        fields["event"] = _str(raw.get("Event")).lower()
        fields["event_key"] = _str(raw.get("EventKey"))
    return Message(**fields)
