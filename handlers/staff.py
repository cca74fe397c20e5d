"""Grid workers and secretaries: 接单, 完成, 转派, 我的任务, and 绑定 with a one-time code."""
from __future__ import annotations

import re

from sqlalchemy import or_, select

from bot import steps
from bot.models import Ticket
from handlers import texts
from handlers.base import Context, Filter, Message
from handlers.intake import assignee_of, category_name, place_of

# A command word starts the message; the number and the rest are read after it, so a staff member who
# leaves the number out hears how the command goes instead of being answered as a resident.
COMMAND = re.compile(r"^\s*(接单|完成|办结|转派|转交)\s*(\d*)\s*(.*)$", re.S)
TASKS = re.compile(r"^\s*(我的任务|任务|待办|我的待办)\s*$")
BIND = re.compile(r"^\s*绑定\s*(\d{8})\s*$")


def _member(message: Message, ctx: Context):
    if "member" not in ctx.found:
        ctx.found["member"] = ctx.staff.member(message.sender) if ctx.role != "resident" else None
    return ctx.found["member"]


def command(message: Message, ctx: Context) -> bool:
    match = COMMAND.match(message.text) if message.type == "text" else None
    if match and _member(message, ctx):
        ctx.found.update(verb=match.group(1), number=match.group(2), rest=match.group(3).strip())
        return True
    return False


def usage_of(verb: str, rest: str) -> str:
    """How the command goes, with what the staff member already wrote as its note."""
    if verb == "接单":
        return "接单 工单号"
    if verb in ("完成", "办结"):
        return f"{verb} 工单号 {rest or '处理说明'}"
    return f"{verb} 工单号 网格或部门"


def act(message: Message, ctx: Context) -> str:
    """One command on one ticket, only within the member's grids."""
    member, number, verb, rest = ctx.found["member"], ctx.found["number"], ctx.found["verb"], ctx.found["rest"]
    if not number:
        return texts.STAFF_NEED_NUMBER.format(usage=usage_of(verb, rest))
    ticket = ctx.tickets.by_number(number)
    if ticket is None:
        return texts.STAFF_NO_TICKET.format(number=number)
    if not member.may_act_on(ticket):
        return texts.STAFF_NOT_YOURS.format(number=number)
    ctx.state.set(message.sender, {"step": "staff", "ticket": ticket.id, "number": number})
    if verb == "接单":
        ticket, event = steps.accept(ctx.tickets, ticket.id, member.openid, member.name)
        if event is None and ticket.assignee_openid != member.openid:
            return texts.STAFF_ALREADY.format(number=number, status=texts.STATUS.get(ticket.status, ticket.status))
        return texts.STAFF_ACCEPTED.format(number=number, category=category_name(ctx, ticket.category),
                                           place=place_of(ctx, ticket), text=ticket.text[:200])
    if verb in ("完成", "办结"):
        if not rest:
            return texts.STAFF_NEED_NOTE.format(number=number)
        ticket, event = steps.resolve(ctx.tickets, ticket.id, member.openid, member.name, rest)
        if event is None and ticket.status != "resolved":
            return texts.STAFF_ALREADY.format(number=number, status=texts.STATUS.get(ticket.status, ticket.status))
        return texts.STAFF_RESOLVED.format(number=number)
    return transfer(ctx, member, ticket, rest)


def find_grid(ctx: Context, target: str):
    target = target.strip()
    for grid in ctx.directory.grids.values():
        if target in (grid.id, grid.name) or (len(target) >= 2 and target in grid.name):
            return grid
    return None


def transfer(ctx: Context, member, ticket: Ticket, target: str) -> str:
    """转派 to a grid (its worker gets the task) or to a department (recorded; the secretary calls it in)."""
    if not target:
        return texts.STAFF_USAGE
    grid = find_grid(ctx, target)
    if grid is not None:
        ticket, _ = steps.transfer_to_grid(ctx.tickets, ticket.id, member.openid, grid)
        return texts.STAFF_TRANSFERRED.format(number=ticket.number, target=assignee_of(ctx, ticket))
    steps.transfer_to_department(ctx.tickets, ticket.id, member.openid, target)
    return texts.STAFF_TRANSFERRED.format(number=ticket.number, target=target[:32])


def asks_tasks(message: Message, ctx: Context) -> bool:
    return message.type == "text" and bool(TASKS.match(message.text)) and _member(message, ctx) is not None


def tasks(message: Message, ctx: Context) -> str:
    member = ctx.found["member"]
    query = select(Ticket).where(Ticket.status.in_(steps.OPEN))
    if member.grids is not None:
        query = query.where(or_(Ticket.grid_id.in_(member.grids), Ticket.assignee_openid == member.openid))
    with ctx.tickets.sessions() as session:
        open_ones = list(session.scalars(query.order_by(Ticket.urgent.desc(), Ticket.id).limit(20)))
    if not open_ones:
        return texts.STAFF_NO_TASKS
    lines = [f"{'【急】' if t.urgent else ''}{t.number} {category_name(ctx, t.category)} {place_of(ctx, t)} "
             f"{texts.STATUS.get(t.status, t.status)}" for t in open_ones]
    return texts.STAFF_TASKS.format(lines="\n".join(lines))


def usage(message: Message, ctx: Context) -> str:
    return texts.STAFF_USAGE


def photo(message: Message, ctx: Context) -> str:
    """A photo right after a command goes with that ticket (the 完成 photo)."""
    from handlers.media import media_of

    pending = ctx.found["pending"]
    steps.attach(ctx.tickets, pending["ticket"], message.sender, **media_of(message))
    return texts.STAFF_PHOTO.format(number=pending["number"])


def bind(message: Message, ctx: Context) -> str:
    member = ctx.staff.redeem(BIND.match(message.text).group(1), message.sender)
    if member is None:
        return texts.STAFF_BAD_CODE
    scope = "全部网格" if member.grids is None else "、".join(
        ctx.directory.grids[g].name for g in sorted(member.grids) if g in ctx.directory.grids)
    return texts.STAFF_BOUND.format(name=member.name, scope=scope)


is_command = Filter(command, "staff_command")
asks_for_tasks = Filter(asks_tasks, "staff_tasks")
binds = Filter(lambda m, c: m.type == "text" and bool(BIND.match(m.text)), "bind_code")
