"""The secretaries' dashboard: sign in, see only one's own tickets, filter, act, export, chart."""
import csv
import io

import pytest
from sqlalchemy import select

from bot.domain import steps
from bot.store.models import Outbox, Ticket, TicketEvent
from tests.desk import PASSWORD, add_user, csrf, login, open_ticket

PAGES = ["/", "/tickets", "/tickets.csv", "/tickets/100001", "/stats"]


@pytest.fixture
def secretary(client, runtime):
    add_user(runtime)
    assert login(client).status_code == 302
    return client


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_errors_are_pages_in_chinese_not_werkzeugs(secretary, runtime):
    missing = secretary.get("/tickets/999999")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    assert "Not Found" not in missing.get_data(as_text=True)
    assert "页面不存在" in secretary.get("/no-such-page").get_data(as_text=True)
    expired = secretary.post("/tickets/100001/note", data={"note": "x"})  # no form token
    assert expired.status_code == 400 and "表单已过期" in expired.get_data(as_text=True)
    wrong_method = secretary.delete("/tickets")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]


def test_posts_without_a_session_are_refused(client, runtime):
    number = open_ticket(runtime).number
    for action in ("close", "reassign", "note"):
        assert client.post(f"/tickets/{number}/{action}", data={"note": "x"}).status_code in (302, 400)
    with runtime.sessions() as db:
        assert db.scalar(select(Ticket.status)) == "new"


def test_wrong_password_is_refused_and_repeated_failures_are_slowed(client, runtime):
    add_user(runtime)
    assert login(client, password="nope").status_code == 401
    for _ in range(4):
        login(client, password="nope")
    response = login(client)  # the right password, too late
    assert response.status_code == 429 and "15分钟" in response.get_data(as_text=True)


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client, runtime):
    add_user(runtime)
    token = csrf(client.get("/login").get_data(as_text=True))
    ok = client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": token,
                                     "next": "/stats"})
    assert ok.headers["Location"].endswith("/stats")
    client.post("/logout", data={"csrf_token": csrf(client.get("/tickets").get_data(as_text=True))})
    token = csrf(client.get("/login").get_data(as_text=True))
    evil = client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": token,
                                       "next": "//evil.example/"})
    assert evil.headers["Location"].endswith("/tickets")


def test_a_form_without_the_csrf_token_is_refused(secretary, runtime):
    number = open_ticket(runtime).number
    assert secretary.post(f"/tickets/{number}/note", data={"text": "hi"}).status_code == 400
    with runtime.sessions() as db:
        assert db.scalar(select(TicketEvent).where(TicketEvent.kind == "note")) is None


def test_list_filters_and_search(secretary, runtime):
    open_ticket(runtime, "3号楼楼顶漏水", "leak", "3")
    open_ticket(runtime, "7号楼楼道灯坏了", "lighting", "7")
    open_ticket(runtime, "10号楼闻到煤气味", "gas", "10", urgent=True)
    open_ticket(runtime, "2号楼下水道堵了", "drainage", "2", days_ago=5)

    def listed(**args):
        page = secretary.get("/tickets", query_string=args).get_data(as_text=True)
        return page[page.index("<tbody>"):]  # the rows, not the filter menus

    page = listed()
    assert all(word in page for word in ("漏水", "灯坏了", "煤气味", "下水道"))
    assert "灯坏了" in listed(category="lighting") and "漏水" not in listed(category="lighting")
    assert "煤气味" in listed(urgent=1) and "漏水" not in listed(urgent=1)
    assert "漏水" in listed(grid="grid-1") and "灯坏了" not in listed(grid="grid-1")
    assert "灯坏了" in listed(building="7") and "漏水" not in listed(building="7")
    assert "下水道" in listed(overdue=1) and "漏水" not in listed(overdue=1)
    assert "煤气味" in listed(q="煤气") and "漏水" not in listed(q="煤气")
    assert "没有符合条件的工单" in listed(q="电梯")


def test_a_grid_worker_sees_only_their_grid(client, runtime):
    mine = open_ticket(runtime, "3号楼楼顶漏水", "leak", "3")
    theirs = open_ticket(runtime, "7号楼楼道灯坏了", "lighting", "7")
    add_user(runtime, "li", role="grid_worker", community="xingfu", grid="grid-1", name="李建国")
    login(client, "li")
    page = client.get("/tickets").get_data(as_text=True)
    assert "楼顶漏水" in page and "灯坏了" not in page
    assert client.get(f"/tickets/{mine.number}").status_code == 200
    assert client.get(f"/tickets/{theirs.number}").status_code == 404
    token = csrf(page)
    assert client.post(f"/tickets/{theirs.number}/close", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/tickets/{mine.number}/reassign", data={"csrf_token": token, "to": "x"}).status_code == 403


def test_closing_an_open_ticket_resolves_it_and_tells_the_resident(secretary, runtime):
    t = open_ticket(runtime)
    page = secretary.get(f"/tickets/{t.number}").get_data(as_text=True)
    assert "3号楼楼顶漏水" in page and "处理经过" in page
    form = {"csrf_token": csrf(page), "note": "已修好防水层"}
    response = secretary.post(f"/tickets/{t.number}/close", data=form, follow_redirects=True)
    assert "居民会收到处理结果" in response.get_data(as_text=True)
    with runtime.sessions() as db:
        ticket = db.get(Ticket, t.id)
        assert (ticket.status, ticket.resolution_note) == ("resolved", "已修好防水层")
        event = db.scalar(select(TicketEvent).where(TicketEvent.kind == "resolved"))
        assert event.actor.startswith("user:wang")
        jobs = [row.job for row in db.scalars(select(Outbox).where(Outbox.ticket_id == t.id)) if row.args == [event.id]]
        assert jobs == steps.MOVES_ON  # the residents will hear of it, and the timers stop
    again = secretary.post(f"/tickets/{t.number}/close", data={"csrf_token": csrf(page)}, follow_redirects=True)
    assert "工单已办结" in again.get_data(as_text=True)
    with runtime.sessions() as db:
        assert db.get(Ticket, t.id).status == "closed"


def test_reassign_to_the_backup_and_add_a_note(secretary, runtime, wechat, fake_wechat):
    t = open_ticket(runtime)
    wechat.run_jobs()  # dispatched to 李建国 first
    token = csrf(secretary.get(f"/tickets/{t.number}").get_data(as_text=True))
    secretary.post(f"/tickets/{t.number}/reassign", data={"csrf_token": token, "to": "o_demo_grid1_zhao",
                                                         "note": "李建国休假"})
    secretary.post(f"/tickets/{t.number}/note", data={"csrf_token": token, "text": "已电话联系居民"})
    with runtime.sessions() as db:
        ticket = db.get(Ticket, t.id)
        assert (ticket.assignee_openid, ticket.assignee_name) == ("o_demo_grid1_zhao", "赵秀英")
        kinds = [e.kind for e in db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id)
                                                           .order_by(TicketEvent.id))]
        assert kinds[-2:] == ["transferred", "note"]
    wechat.run_jobs()
    (task,) = fake_wechat.texts_to("o_demo_grid1_zhao")  # the backup gets the task, once
    assert t.number in task and "漏水" in task
    page = secretary.get(f"/tickets/{t.number}").get_data(as_text=True)
    assert "李建国休假" in page and "已电话联系居民" in page and "赵秀英" in page
    assert secretary.post(f"/tickets/{t.number}/reassign", data={"csrf_token": token, "to": "o_stranger"}
                          ).status_code == 400


def test_csv_export_keeps_the_filters_and_opens_in_excel(secretary, runtime):
    open_ticket(runtime, "3号楼楼顶漏水", "leak", "3")
    open_ticket(runtime, "7号楼楼道灯坏了", "lighting", "7")
    response = secretary.get("/tickets.csv", query_string={"category": "leak"})
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["工单号", "反映时间", "类别"]
    assert len(rows) == 2 and rows[1][2] == "漏水渗水" and rows[1][6] == "3号楼"


def test_stats_draw_charts_without_any_script(secretary, runtime):
    for days_ago, category, building in [(0, "leak", "3"), (1, "leak", "3"), (2, "parking", "5"), (9, "gas", "10")]:
        open_ticket(runtime, "有问题", category, building, days_ago=days_ago)
    page = secretary.get("/stats").get_data(as_text=True)
    assert page.count("<svg") == 2 and "<script" not in page
    assert "响应率" in page and "楼栋热力表" in page and "3号楼" in page


def test_a_new_password_signs_out_the_old_sessions(secretary, runtime):
    from bot.web.dashboard.auth import hash_password
    from bot.store.models import User

    assert secretary.get("/tickets").status_code == 200
    with runtime.sessions() as db:
        db.scalar(select(User)).password_hash = hash_password("a-brand-new-one")
        db.commit()
    assert "/login" in secretary.get("/tickets").headers["Location"]


def test_closing_an_open_ticket_asks_for_the_words_the_resident_will_read(secretary, runtime, wechat, fake_wechat):
    t = open_ticket(runtime)
    page = secretary.get(f"/tickets/{t.number}").get_data(as_text=True)
    refused = secretary.post(f"/tickets/{t.number}/close", data={"csrf_token": csrf(page), "note": "  "},
                             follow_redirects=True).get_data(as_text=True)
    assert "请写上怎么解决的" in refused
    wechat.run_jobs()
    with runtime.sessions() as db:
        assert db.get(Ticket, t.id).status == "dispatched"
        assert db.scalar(select(TicketEvent).where(TicketEvent.kind == "resolved")) is None
    assert not [text for text in fake_wechat.texts_to("o_resident_1") if "已处理" in text]
    secretary.post(f"/tickets/{t.number}/close", data={"csrf_token": csrf(page), "note": "已请物业重做防水"})
    wechat.run_jobs()
    assert "已处理：已请物业重做防水" in fake_wechat.texts_to("o_resident_1")[-1]


def test_the_timeline_says_the_resident_gave_the_building_and_names_bound_staff(secretary, runtime, wechat):
    from tests.conversation import number_in
    from tests.test_staff_conversations import invite

    number = number_in(wechat.say("有人被困在电梯里了 快", sender="o_r3"))
    wechat.say("5号楼", sender="o_r3")
    wechat.say(f"绑定 {invite('--grid', 'grid-2', '--name', '张三')}", sender="o_zhangsan")
    wechat.say(f"接单 {number}", sender="o_zhangsan")
    page = secretary.get(f"/tickets/{number}").get_data(as_text=True)
    timeline = page[page.index("处理经过"):page.index("</ol>")]
    assert "<b>补充楼号</b> · 居民" in timeline and "改派" not in timeline
    assert "→ 张海燕" in timeline
    assert "<b>已接单</b> · 张三" in timeline


def test_the_list_can_show_the_tickets_no_grid_holds(secretary, runtime):
    open_ticket(runtime, "3号楼楼顶漏水", "leak", "3")
    open_ticket(runtime, "小区门口垃圾没人收", "sanitation", None)

    page = secretary.get("/tickets").get_data(as_text=True)
    assert '<option value="none"' in page and "未分网格" in page
    listed = secretary.get("/tickets", query_string={"grid": "none"}).get_data(as_text=True)
    rows = listed[listed.index("<tbody>"):]
    assert "垃圾没人收" in rows and "楼顶漏水" not in rows
