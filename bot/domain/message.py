"""A message as minhu reads it: who sent what, whatever the channel (WeChat, the simulator, a spooled copy)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Message:
    """One thing a person sent the account, stripped of WeChat's format."""

    sender: str
    type: str  # text | image | voice | location | link | video | event | unknown
    key: str  # MsgId, or sender + CreateTime for events: the same for WeChat's retries
    text: str = ""
    event: str = ""  # subscribe | unsubscribe | click | view | scan | ...
    event_key: str = ""
    media_id: str = ""
    thumb_media_id: str = ""  # a video's thumbnail (ThumbMediaId)
    picture_url: str = ""
    latitude: float | None = None
    longitude: float | None = None
    label: str = ""
    created_at: datetime | None = None
    account: str = ""  # our official account's id (ToUserName), echoed back in passive replies
