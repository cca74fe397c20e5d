"""转派: a staff member hands a ticket to a grid, a person or a functional department of config.yaml."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain import steps, texts
from bot.store.models import Ticket
from bot.settings import Person
from handlers.base import Context


def already(ticket: Ticket) -> str:
    """Why a step changed nothing: the ticket is past it."""
    return texts.STAFF_ALREADY.format(number=ticket.number, status=texts.STATUS.get(ticket.status, ticket.status))


@dataclass(frozen=True)
class Target:
    """What 转派 may name: a grid, a department of config.yaml, or a member of staff."""

    kind: str  # grid | department | person
    names: tuple[str, ...]  # its id and name, as staff may write them
    value: Any  # Grid, (code, Department) or Member


def targets(ctx: Context) -> list[Target]:
    found = [Target("grid", (g.id, g.name), g) for g in ctx.directory.grids.values()]
    found += [Target("department", (code, d.name), (code, d)) for code, d in ctx.settings.config.departments.items()]
    return found + [Target("person", (m.name,), m) for m in ctx.staff.members()]


def find_target(ctx: Context, text: str) -> tuple[Target | None, str]:
    """The target `text` names first, and the note after it; None when nothing, or more than one, fits."""
    everyone = targets(ctx)
    token, note = (text.split(None, 1) + [""])[:2]
    for fits in (lambda name: token == name, lambda name: len(token) >= 2 and token in name):
        hits = [t for t in everyone if any(fits(name) for name in t.names)]
        if hits:
            return (hits[0], note.strip()) if len(hits) == 1 else (None, "")
    # Written without a space: "燃气公司请上门看看".
    named = sorted(((name, t) for t in everyone for name in t.names if text.startswith(name)), key=lambda x: -len(x[0]))
    return (named[0][1], text[len(named[0][0]):].strip()) if named else (None, "")


def choices(ctx: Context, number: str) -> str:
    """What 转派 accepts, for a staff member who named something else."""
    members = ctx.staff.members()
    example = next((m.name for m in members if m.role == "grid_worker"), members[0].name)
    return texts.STAFF_TARGETS.format(grids="、".join(g.name for g in ctx.directory.grids.values()) or "无",
                                      departments="、".join(d.name for d in ctx.settings.config.departments.values())
                                      or "无", number=number, example=example)


def phone_of(department) -> str:
    return texts.DEPARTMENT_PHONE.format(phone=department.phone) if department.phone else ""


def transfer(ctx: Context, member, ticket: Ticket, rest: str) -> str:
    """转派 to a grid or a person (who get the task) or to a department (recorded, with its phone for the sender)."""
    number = ticket.number
    if not rest:
        return texts.STAFF_NEED_TARGET + choices(ctx, number)
    target, note = find_target(ctx, rest)
    if target is None:
        return texts.STAFF_UNKNOWN_TARGET.format(target=rest.split()[0][:16]) + choices(ctx, number)
    if target.kind == "department":
        code, department = target.value
        moved, event = steps.transfer_to_department(ctx.tickets, ticket.id, member.openid, member.name, code,
                                                    department, note)
        if event is None:
            return already(moved)
        reply = texts.STAFF_TO_DEPARTMENT_SENT if department.openid else texts.STAFF_TO_DEPARTMENT
        return reply.format(number=number, department=department.name, phone=phone_of(department))
    if target.kind == "grid":
        moved, event = steps.transfer_to_grid(ctx.tickets, ticket.id, member.openid, target.value, note, member.name)
    else:
        person = target.value
        # A grid worker's tickets move to their grid; a secretary's stay in the grid they are in.
        grid_id = ticket.grid_id if not person.grids or ticket.grid_id in person.grids else min(person.grids)
        moved, event = steps.transfer_to_person(ctx.tickets, ticket.id, member.openid,
                                                Person(name=person.name, openid=person.openid), grid_id, note,
                                                member.name)
    holder = ctx.staff.title(moved.assignee_openid, moved.assignee_name, moved.grid_id)
    if event is None and moved.status in steps.OPEN:
        return texts.STAFF_TRANSFER_SAME.format(number=number, target=holder)
    if event is None:
        return already(moved)
    return texts.STAFF_TRANSFERRED.format(number=number, target=holder)
