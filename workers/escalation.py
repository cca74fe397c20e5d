"""Who hears of a late ticket at each follow-up step, and what they are told (吹哨: backup, secretary, department)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.store.models import Ticket
from bot.domain.worktime import span, when
from bot.domain import texts
from bot.wechat.push import Push

VERB = {"accept": "接单", "resolve": "办结"}


def recipients(rt, ticket: Ticket, step: str, now: datetime) -> list[tuple[str, Push]]:
    """The (openid, push) pairs for one step; never empty, since a late ticket nobody hears of is the failure."""
    config, directory = rt.settings.config, rt.directory
    zone = ZoneInfo(config.timezone)
    category = config.category(ticket.category)
    place = directory.place(ticket.estate_id, ticket.building, ticket.unit, ticket.room)
    about = f"工单{ticket.number}（{category.name}·{place}）"
    said = f"居民反映：{texts.clip(ticket.text, 80)}"
    secretary = directory.fallback(ticket.estate_id)
    grid = directory.grids.get(ticket.grid_id) if ticket.grid_id else None
    backup = grid.backup if grid and grid.backup else secretary
    assignee = ticket.assignee_name or "网格员"
    fields = {"number": ticket.number or "", "category": category.name, "place": place,
              "text": texts.clip(ticket.text, 100), "reported_at": when(ticket.created_at, zone)}

    def push(openid: str, title: str, text: str) -> tuple[str, Push]:
        return openid, Push(text=text, fields=fields | {"title": title})

    # The community's secretary, and those bound by invite (`minhu staff invite --secretary`).
    secretaries = rt.staff.secretaries(secretary.openid, ticket.community_id)
    if step == "page:urgent":
        return [push(openid, "紧急工单", f"【紧急】{about}\n{said}\n已派给{assignee}，"
                     f"须在{when(ticket.accept_due_at, zone)}前接单。请您留意。") for openid in secretaries]
    kind, stage, *level = step.split(":")
    verb, due = VERB[stage], ticket.accept_due_at if stage == "accept" else ticket.resolve_due_at
    if kind == "remind":
        action = f"回复“{verb} {ticket.number}”即可" if stage == "accept" else f"办好后回复“{verb} {ticket.number}”"
        if ticket.urgent:  # an emergency: no gentle word first
            return [push(ticket.assignee_openid, f"【紧急】{verb}提醒",
                         f"【紧急】{about}须在{when(due, zone)}前{verb}，只剩{span(due - now)}，请立即处理！"
                         f"{action}。\n{said}")]
        return [push(ticket.assignee_openid, f"{verb}提醒",
                     f"温馨提醒：{about}需在{when(due, zone)}前{verb}，还剩{span(due - now)}。{action}。")]
    # A step may run a moment before its deadline (the scheduler's second): then it is due, not a minute past it.
    late = f"已超过{verb}时限{span(now - due)}" if now - due >= timedelta(minutes=1) else f"已到{verb}时限"
    # An emergency says so at every level: whoever is asked to step in must know someone may be hurt.
    urgent = "【紧急】" if ticket.urgent else ""
    if level == ["1"]:
        return [push(backup.openid, f"{urgent}请协助跟进",
                     f"{urgent}请协助：{about}{late}，{assignee}还没有{verb}。麻烦您联系一下或直接处理。\n{said}")]
    if level == ["2"]:
        told = assignee + (f"和{backup.name}" if backup.openid != secretary.openid else "")
        return [push(openid, f"{urgent}超时工单", f"{urgent}【超时】{about}{late}，已提醒{told}。请您协调处理。\n{said}")
                for openid in secretaries]
    department = config.departments[category.department]
    phone = texts.DEPARTMENT_PHONE.format(phone=department.phone) if department.phone else ""
    if not department.openid:
        return [push(openid, "吹哨报到", f"{urgent}【吹哨】{about}{late}，仍未{verb}。请联系{department.name}{phone}协助处理。"
                     f"\n{said}") for openid in secretaries]
    return [push(department.openid, "吹哨报到",
                 f"{urgent}【吹哨报到】{secretary.name}请{department.name}协助：{about}{late}。\n{said}")] + [
        push(openid, "吹哨报到", f"{urgent}{about}仍未{verb}，已通知{department.name}{phone}协助。")
        for openid in secretaries]
