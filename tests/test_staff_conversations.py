"""Transcripts of grid workers and secretaries: take, finish and hand over tasks, only in their own grid."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from bot.store.models import Attachment, Staff, TicketEvent
from tests.conversation import (GRID1, GRID2, SECRETARY, config_changes, number_in, rows,  # noqa: F401 (fixtures)
                                settings, ticket)

DUTY = "o_demo_duty"


def test_a_grid_worker_cannot_act_on_another_grids_ticket(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("3号楼楼顶漏水", sender="o_r1"))
    for command in (f"接单 {number}", f"完成 {number} 修好了", f"转派 {number} 第二网格"):
        assert "不属于您的网格" in wechat.say(command, sender=GRID2)
    assert ticket(runtime, number).status == "new"
    # The secretary may act on every grid's tickets.
    assert f"已接单{number}" in wechat.say(f"接单 {number}", sender=SECRETARY)


def test_accept_finish_with_a_photo_and_the_resident_is_told_each_step(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("2号楼门口井盖松了", sender="o_r2"))
    assert "居民反映：2号楼门口井盖松了" in wechat.say(f"接单 {number}", sender=GRID1)
    assert f"工单{number}您已接单" in wechat.say(f"接单 {number}", sender=GRID1)  # said twice: nothing twice
    assert f"已由李建国接单" in wechat.say(f"接单 {number}", sender=SECRETARY)
    assert f"照片已附到工单{number}" in wechat.image(sender=GRID1, media_id="FIXED_PHOTO")
    assert "处理说明" in wechat.say(f"完成 {number}", sender=GRID1)
    assert "已标记完成" in wechat.say(f"完成 {number} 已重新固定井盖", sender=GRID1)
    assert "现在是“已处理，待评价”，无需重复操作" in wechat.say(f"完成 {number} 已重新固定井盖", sender=GRID1)
    wechat.run_jobs()
    told = fake_wechat.texts_to("o_r2")  # once each, however often the worker said it
    assert len(told) == 2 and "接单" in told[0] and "已重新固定井盖" in told[1]
    done = ticket(runtime, number)
    assert (done.status, done.resolution_note, done.assignee_openid) == ("resolved", "已重新固定井盖", GRID1)
    (photo,) = rows(runtime, Attachment, Attachment.ticket_id == done.id)
    assert photo.added_by == GRID1 and photo.media_id == "FIXED_PHOTO"


def test_my_tasks_lists_open_tickets_of_the_grid(wechat):
    first = number_in(wechat.say("5号楼路灯不亮", sender="o_r3"))
    second = number_in(wechat.say("6号楼有人飞线充电", sender="o_r4"))
    number_in(wechat.say("1号楼垃圾没人收", sender="o_r5"))
    tasks = wechat.say("我的任务", sender=GRID2)
    assert first in tasks and second in tasks and "1号楼" not in tasks
    assert "没有待办" in wechat.say("我的任务", sender="o_demo_grid3_chen")


def test_a_malformed_command_gets_its_usage_and_starts_no_report(wechat, runtime):
    assert "没有找到工单12345" in wechat.say("接单 12345", sender=GRID1)
    assert "没有找到工单999999" in wechat.say("转派 999999 第一网格", sender=SECRETARY)
    assert "接单 工单号" in wechat.say("接单", sender=GRID1)
    assert "接单 工单号" in wechat.say("接单 abc", sender=GRID1)
    assert "转派 工单号 网格或部门" in wechat.say("转派", sender=SECRETARY)
    assert "完成 工单号 已换新垃圾桶" in wechat.say("完成  已换新垃圾桶", sender=GRID1)
    assert wechat.ticket_count() == 0 and runtime.state.get(GRID1) is None  # no resident draft either


def test_staff_greeting_or_help_gets_the_staff_usage(wechat):
    for text in ("你好", "帮助"):
        assert "完成 工单号 处理说明" in wechat.say(text, sender=GRID1)
    assert "完成 工单号" not in wechat.say("你好", sender="o_r9")  # a resident still gets the resident help
    assert wechat.ticket_count() == 0


def test_the_duty_officer_is_staff(wechat):
    number = number_in(wechat.say("3号楼楼顶漏水", sender="o_r1"))
    assert number in wechat.say("我的任务", sender=DUTY)
    assert "完成 工单号 处理说明" in wechat.say("帮助", sender=DUTY)


def test_the_secretarys_tasks_count_everything_and_put_their_own_first(wechat, runtime):
    from bot.store.tickets import Report

    for i in range(30):  # thirty in the grids, then four with no building: those wait on the secretary
        runtime.tickets.open(Report(resident=f"o_r{i}", text="楼道灯坏了", category="lighting",
                                    estate_id="xingfuyuan", building=str(i % 12 + 1)))
    own = [runtime.tickets.open(Report(resident=f"o_s{i}", text="小区门口垃圾没人收", category="sanitation",
                                       estate_id="xingfuyuan"))[0].number for i in range(4)]
    tasks = wechat.say("我的任务", sender=SECRETARY).split("\n")
    assert tasks[0] == "您的待办工单共34件（您本人负责的4件排在前面）："
    assert [line.split()[0] for line in tasks[1:5]] == own and len(tasks) == 1 + 20 + 1
    assert tasks[-1] == "还有14件没列出，请到工作台查看全部。"
    grid = wechat.say("我的任务", sender=GRID2).split("\n")
    assert grid[0] == "您的待办工单共10件：" and len(grid) == 11


def test_transfer_to_another_grid_and_to_a_department(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("4号楼楼下的树枝挡路了", sender="o_r6"))
    assert "第二网格网格员张海燕" in wechat.say(f"转派 {number} 第二网格", sender=GRID1)
    moved = ticket(runtime, number)
    assert (moved.grid_id, moved.assignee_openid, moved.status) == ("grid-2", GRID2, "dispatched")
    wechat.run_jobs()
    assert any(number in text and "接单" in text for text in fake_wechat.texts_to(GRID2))
    assert any("已转交第二网格" in text for text in fake_wechat.texts_to("o_r6"))
    # A department of config.yaml: the sender gets its phone; the secretary hears, with the phone too.
    assert "街道城管科（电话010-00000001）" in wechat.say(f"转派 {number} 街道城管科", sender=GRID2)
    wechat.run_jobs()
    assert any("街道城管科（电话010-00000001）" in text and number in text for text in fake_wechat.texts_to(SECRETARY))
    assert "已请街道城管科协助处理" in fake_wechat.texts_to("o_r6")[-1]


def test_transfer_names_only_what_config_yaml_knows(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("3号楼楼顶漏水", sender="o_r1"))
    for target in ("不存在的网格", "网格"):  # unknown, and too vague to pick one
        reply = wechat.say(f"转派 {number} {target}", sender=SECRETARY)
        assert f"没有找到“{target}”" in reply and "第二网格" in reply and "燃气公司" in reply
    assert "请写上转给谁" in wechat.say(f"转派 {number}", sender=SECRETARY)
    wechat.run_jobs()
    assert fake_wechat.texts_to("o_r1") == [] and fake_wechat.texts_to(SECRETARY) == []
    assert rows(runtime, TicketEvent, TicketEvent.kind == "transferred") == []
    # A grid worker by name, a grid without a space before the note.
    assert "第二网格网格员张海燕" in wechat.say(f"转派 {number} 张海燕", sender=SECRETARY)
    assert "本来就在第二网格网格员张海燕手上" in wechat.say(f"转派 {number} 第二网格请尽快", sender=SECRETARY)


def test_a_department_transfer_tells_the_sender_how_to_reach_it(wechat, runtime, fake_wechat, secretary_desk):
    number = number_in(wechat.say("3号楼楼顶漏水", sender="o_r1"))
    wechat.run_jobs()
    reply = wechat.say(f"转派 {number} 燃气公司 楼顶管道要查", sender=SECRETARY)
    assert reply == f"工单{number}已登记转燃气公司协助，请联系燃气公司（电话010-00000003）。"
    wechat.run_jobs()
    assert fake_wechat.texts_to(SECRETARY) == []  # the sender is not pushed what they just did
    assert fake_wechat.texts_to("o_r1") == [f"您反映的漏水渗水问题（工单{number}）已请燃气公司协助处理，有进展会告诉您。"]
    (told,) = [t for t in fake_wechat.texts_to(GRID1) if "燃气公司" in t]  # the grid worker holding it hears
    assert "王书记转请燃气公司（电话010-00000003）协助" in told
    (event,) = rows(runtime, TicketEvent, TicketEvent.kind == "transferred")
    assert event.detail == {"department": "gas", "to_name": "燃气公司", "phone": "010-00000003", "by": "王书记",
                            "text": "楼顶管道要查"}
    page = secretary_desk.get(f"/tickets/{number}").get_data(as_text=True)
    assert "→ 燃气公司（010-00000003）" in page and "楼顶管道要查" in page


@pytest.fixture
def secretary_desk(client, runtime):
    from tests.desk import add_user, login

    add_user(runtime)
    assert login(client).status_code == 302
    return client


def test_staff_invite_code_binds_once_and_gives_a_grid(wechat, runtime, app):
    from bot.cli.main import main

    result = CliRunner().invoke(main, ["staff", "invite", "--grid", "grid-3", "--name", "刘志愿"],
                                catch_exceptions=False)
    code = result.output.strip().split()[-1]
    assert len(code) == 8 and code.isdigit()
    number = number_in(wechat.say("10号楼电梯不动了", sender="o_r7"))
    assert "不属于" not in wechat.say(f"接单 {number}", sender="o_liu") and ticket(runtime, number).status == "new"
    bound = wechat.say(f"绑定 {code}", sender="o_liu")
    assert "刘志愿您好" in bound and "第三网格" in bound
    assert rows(runtime, Staff, Staff.openid == "o_liu")[0].grid_id == "grid-3"
    assert f"已接单{number}" in wechat.say(f"接单 {number}", sender="o_liu")
    assert "无效" in wechat.say(f"绑定 {code}", sender="o_someone")


def test_a_long_report_reaches_the_grid_worker_marked_as_cut(wechat, runtime, fake_wechat):
    from bot.wechat.push import Push

    said = "3号楼2单元楼顶漏水，" + "家里天花板一直在滴水，墙皮也掉了，" * 30
    number = number_in(wechat.say(said, sender="o_r11"))
    wechat.run_jobs()
    (task,) = fake_wechat.texts_to(GRID1)
    reported = task.split("居民反映：")[1].split("\n")[0]
    assert reported.endswith("…") and said.startswith(reported[:-1]) and len(reported) == 300
    assert task.endswith(f"回复“接单 {number}”接单。")
    assert "…" in wechat.say(f"接单 {number}", sender=GRID1).split("\n")[1]
    # Whatever a push says, it stays within WeChat's 2048 bytes, and says it was cut.
    runtime.notifier.send(GRID2, Push(text="漏" * 1000))
    (long,) = fake_wechat.texts_to(GRID2)
    assert len(long.encode("utf-8")) <= 2048 and long.endswith("漏…")


def invite(*args: str) -> str:
    from bot.cli.main import main

    result = CliRunner().invoke(main, ["staff", "invite", *args], catch_exceptions=False)
    return result.output.strip().split()[-1]


def test_bound_staff_get_their_grids_new_tickets_as_promised(wechat, runtime, fake_wechat):
    bound = wechat.say(f"绑定 {invite('--grid', 'grid-2', '--name', '张三')}", sender="o_zhangsan")
    assert "您负责第二网格。新工单会推送给您" in bound
    number = number_in(wechat.say("7号楼楼道灯坏了", sender="o_r10"))
    wechat.run_jobs()
    (task,) = fake_wechat.texts_to("o_zhangsan")
    assert task.startswith("新工单待处理") and number in task
    assert [t for t in fake_wechat.texts_to(GRID2) if number in t] == [task]  # the grid worker too, once
    assert fake_wechat.texts_to("o_r10") == []
    # Moved to another grid and back: the new grid's bound staff hear of it, as its worker does.
    wechat.say(f"转派 {number} 第三网格", sender=SECRETARY)
    wechat.say(f"转派 {number} 第二网格", sender=SECRETARY)
    wechat.run_jobs()
    assert len(fake_wechat.texts_to("o_zhangsan")) == 2
    # Each its own task, once, saying who moved it; 陈立新 then hears it went back.
    moved_in, moved_out = [t for t in fake_wechat.texts_to("o_demo_grid3_chen") if number in t]
    assert moved_in == task.replace("新工单待处理", "新工单待处理（王书记转派）") and "已改由第二网格" in moved_out
    assert f"已接单{number}" in wechat.say(f"接单 {number}", sender="o_zhangsan")
    # A bound secretary acts on every grid, but is not promised every new ticket.
    bound = wechat.say(f"绑定 {invite('--secretary', '--name', '刘书记')}", sender="o_liu_sec")
    assert "刘书记您好" in bound and "新工单会推送给您" not in bound and "我的任务" in bound


def test_menu_push_sends_the_configured_menu(runtime, fake_wechat):
    from bot.cli.main import main

    result = CliRunner().invoke(main, ["menu", "push"], catch_exceptions=False)
    assert result.exit_code == 0
    (menu,) = fake_wechat.menus
    assert [b["name"] for b in menu["button"]] == ["报事报修", "我的工单", "更多"]
    assert [s["key"] for s in menu["button"][2]["sub_button"]] == ["BIND_ADDRESS", "HELP"]


class FakeWeCom:
    """WeCom's gettoken and message/send on loopback, recording app messages."""

    def __init__(self):
        self.sent, fake = [], self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._answer({"errcode": 0, "access_token": "WECOM_TOKEN", "expires_in": 7200})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                query = parse_qs(urlsplit(self.path).query)
                fake.sent.append((query["access_token"][0], body))
                self._answer({"errcode": 0, "errmsg": "ok"})

            def _answer(self, data):
                raw = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/"


@pytest.fixture
def fake_wecom():
    fake = FakeWeCom()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def env(env, fake_wecom):
    return env | {"MINHU_WECOM_CORPID": "corp", "MINHU_WECOM_SECRET": "s", "MINHU_WECOM_AGENTID": "1000002",
                  "MINHU_WECOM_API_BASE": fake_wecom.base}


@pytest.mark.parametrize("config_changes", [{"wecom": {"enabled": True, "users": {GRID1: "LiJianGuo"}}}])
def test_staff_on_wecom_get_app_messages(wechat, fake_wechat, fake_wecom):
    number = number_in(wechat.say("1号楼楼道灯坏了", sender="o_r8"))
    wechat.run_jobs()
    (token, message), = fake_wecom.sent
    assert token == "WECOM_TOKEN" and message["touser"] == "LiJianGuo" and number in message["text"]["content"]
    assert fake_wechat.texts_to(GRID1) == []
