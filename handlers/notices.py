"""不再接收通知 and 接收通知: a resident stops notices (通知公告), or has them again."""
from __future__ import annotations

from bot.domain import notices
from handlers.base import Context, Filter, Message

STOPPED = "好的，以后不再给您发送社区通知公告。您反映的问题和工单进展照常通知您。想再收到通知，回复“接收通知”即可。"
RESUMED = "好的，社区的通知公告（停水、停电、电梯检修等）会再发给您。不想收到时，回复“不再接收通知”。"


def _choice(message: Message, ctx: Context) -> str | None:
    """"on" or "off", as the words ask; None when they say nothing of notices."""
    wanted = notices.wants(message.text) if message.type == "text" else None
    return None if wanted is None else ("on" if wanted else "off")


about_notices = Filter(_choice, "about_notices")


def choose(message: Message, ctx: Context, choice: str) -> str:
    """Record the resident's choice; tickets' progress pushes are not notices and go on either way."""
    wanted = choice == "on"
    ctx.people.seen(message.sender)  # a resident the account had no row for yet still gets one: the choice sticks
    notices.set_wanted(ctx.people.sessions, message.sender, wanted)
    return RESUMED if wanted else STOPPED
