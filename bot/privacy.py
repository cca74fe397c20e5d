"""What may be written to a log about a person: openids and phone numbers only in masked form."""
from __future__ import annotations

import re

# Mainland mobiles (138 1234 5678, +86 too) and landlines with an area code (010-12345678).
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)"
                    r"|(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)")


def mask_openid(openid: str | None) -> str:
    """The first four characters and an ellipsis: enough to match log lines, not to message anyone."""
    return f"{openid[:4]}…" if openid else "-"


def mask_phone(text: str) -> str:
    """The text with every phone number cut to its first three and last four digits."""
    return _PHONE.sub(lambda m: f"{m[1]}****{m[2]}" if m[1] else f"{m[3]}-****{m[4]}", text)


def mask_key(key: str) -> str:
    """A message key for a log: `msg:<MsgId>` as it is, the openid inside an event's key masked."""
    kind, _, rest = key.partition(":")
    if kind != "evt":
        return key
    sender, _, tail = rest.partition(":")
    return f"evt:{mask_openid(sender)}:{tail}"
