"""A ticket's status in words: one set for residents, staff and the desk, so everybody reads the same."""
from __future__ import annotations

from bot.store.tickets import OPEN

# new: opened, its task push not out yet; resolved: the worker is done and the residents' verdict is asked.
STATUS_NAMES = {"new": "已受理", "dispatched": "待接单", "accepted": "处理中", "resolved": "已处理，待评价",
                "closed": "已办结", "cancelled": "已取消"}
REOPENED = "已重新打开"


def status_name(status: str, reopened: int = 0) -> str:
    """The status as people read it; an open ticket that a resident's 不满意 reopened says so."""
    name = STATUS_NAMES.get(status, status)
    return f"{REOPENED}，{name}" if reopened and status in OPEN else name
