"""Helpers for the desk side: accounts, signing in through the form, tickets made directly in the store."""
from __future__ import annotations

import re
from datetime import timedelta

from werkzeug.security import generate_password_hash

from bot.web.dashboard.open311 import key_hash
from bot.store.models import ApiKey, Ticket, User
from bot.store.tickets import Report

PASSWORD = "correct-horse-42"
# The desk checks a password at the cost its stored hash names; the product hashes at werkzeug's scrypt default
# (130 ms of CPU each, checked in tests/test_health.py through `minhu user add`), the tests' accounts at a cost
# 32 times lower, so signing in a few hundred times costs the suite no minute.
TEST_HASH = "scrypt:1024:8:1"
API_KEY = "mh_test_key_for_the_city_system"


def add_user(runtime, username="wang", role="secretary", community="xingfu", grid=None, name="王书记"):
    with runtime.sessions() as db:
        db.add(User(username=username, password_hash=generate_password_hash(PASSWORD, method=TEST_HASH), role=role, community_id=community,
                    grid_id=grid, display_name=name))
        db.commit()


def add_api_key(runtime, key=API_KEY):
    with runtime.sessions() as db:
        db.add(ApiKey(name="city", key_hash=key_hash(key)))
        db.commit()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username="wang", password=PASSWORD):
    token = csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def open_ticket(runtime, text="3号楼楼顶漏水", category="leak", building="3", urgent=False, days_ago=0,
                resident="o_resident_1", room=None):
    """A ticket straight in the store (no WeChat round trip), optionally backdated."""
    ticket, _ = runtime.tickets.open(Report(resident=resident, text=text, category=category, urgent=urgent,
                                            estate_id="xingfuyuan", building=building, room=room))
    if days_ago:
        shift = timedelta(days=days_ago)
        with runtime.sessions() as db:
            row = db.get(Ticket, ticket.id)
            row.created_at, row.accept_due_at = row.created_at - shift, row.accept_due_at - shift
            row.resolve_due_at = row.resolve_due_at - shift
            db.commit()
    return ticket


MONTH = [  # (days ago, category, building, text, how far it got, verdict)
    (0, "leak", "3", "3号楼2单元楼顶漏水，下雨天天花板滴水", "new", None),
    (0, "lighting", "7", "7号楼楼道灯坏了三天了", "accepted", None),
    (1, "gas", "10", "10号楼一楼闻到煤气味，很担心", "resolved", None),
    (1, "parking", "5", "5号楼门口消防通道被车堵住了", "closed", "satisfied"),
    (2, "leak", "3", "3号楼顶楼墙面渗水发霉", "accepted", None),
    (2, "sanitation", "1", "1号楼垃圾桶满了没人收", "closed", "satisfied"),
    (3, "ebike", "6", "6号楼有人从窗户拉线给电动车充电", "closed", "basically"),
    (4, "drainage", "9", "9号楼门口下水道堵了，污水往外冒", "closed", "satisfied"),
    (5, "leak", "4", "4号楼楼顶防水层老化漏雨", "closed", "unsatisfied"),
    (6, "elevator", "8", "8号楼电梯又停了，老人上不去", "closed", "satisfied"),
    (7, "noise", "2", "2号楼楼上装修太吵了，晚上十点还在敲", "closed", "basically"),
    (8, "facilities", "11", "11号楼单元门门禁坏了", "closed", "satisfied"),
    (9, "lighting", "12", "12号楼前路灯不亮", "closed", "satisfied"),
    (10, "leak", "3", "3号楼楼顶漏水，又漏了", "closed", "satisfied"),
    (12, "parking", "5", "外来车辆占了5号楼的车位", "closed", "unsatisfied"),
    (13, "greenery", "9", "9号楼前草坪被人种了菜", "closed", "satisfied"),
    (15, "sanitation", "7", "7号楼楼道里堆满杂物", "closed", "satisfied"),
    (17, "property", "2", "物业服务太差，保洁好几天没来", "closed", "basically"),
    (19, "leak", "1", "1号楼卫生间水管漏水", "closed", "satisfied"),
    (21, "drainage", "10", "10号楼下水道返味", "closed", "satisfied"),
    (24, "ebike", "6", "6号楼没有充电桩", "closed", "satisfied"),
    (27, "lighting", "3", "3号楼楼道声控灯不灵", "closed", "satisfied"),
]


def seed_month(runtime):
    """A month of a community's tickets, in every state, for the list, the charts and the screenshots."""
    numbers = []
    for days_ago, category, building, text, reached, verdict in MONTH:
        t = open_ticket(runtime, text, category, building, urgent=category == "gas", days_ago=days_ago,
                        resident=f"o_resident_{len(numbers)}")
        with runtime.sessions() as db:
            row = db.get(Ticket, t.id)
            start = row.created_at
            row.status = reached if reached != "new" else "dispatched"
            if reached in ("accepted", "resolved", "closed"):
                row.accepted_at = start + timedelta(minutes=20 + 15 * (days_ago % 5))
            if reached in ("resolved", "closed"):
                row.resolved_at = start + timedelta(hours=5 + days_ago)
                row.resolution_note = "已处理"
            if verdict:
                row.satisfaction = verdict
                row.rated_at = row.closed_at = row.resolved_at + timedelta(hours=2)
            db.commit()
        numbers.append(t.number)
    return numbers
