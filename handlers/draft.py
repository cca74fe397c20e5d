"""A report being told: what is known of it so far, kept in the conversation state (Redis) as JSON."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Draft:
    """One report in the making: what and where, whether it is an emergency, and how the asking has gone."""

    key: str  # the message that told it: the ticket's source, so it is opened once
    text: str
    category: str
    urgent: bool = False
    danger: str | None = None
    estate_id: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    spot: str | None = None  # a place of the estate's that is no building (大门口)
    named_building: str | None = None  # a building said that the estate does not have, to be asked again
    media: list[dict[str, str]] = field(default_factory=list)  # photos and voice to attach, as media_of gives them
    also: list[Draft] = field(default_factory=list)  # other problems told with it, filed with it
    choices: list[str] = field(default_factory=list)  # two categories to ask between
    tries: int = 0  # questions asked without an answer
    asked: bool = False  # the building came as the answer to 几号楼 (it is the resident's home)
    home_refused: bool = False  # not at home: ask which building

    def to_json(self) -> dict[str, Any]:
        """As kept in Redis, under the previous version's keys ("id" too: the filing job's name for it)."""
        return {"id": self.key, **asdict(self), "also": [item.to_json() for item in self.also]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        """A stored draft, this version's or the previous one's (keys it lacks take their defaults; unknown are
        dropped)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["also"] = [cls.from_json(item) for item in data.get("also") or []]
        return cls(**values)


def draft_in(state: dict[str, Any] | None) -> Draft | None:
    """The draft riding along in a conversation state, or None when it has none."""
    return Draft.from_json(state["draft"]) if state and "draft" in state else None
