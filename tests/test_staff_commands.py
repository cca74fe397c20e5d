"""Transcripts of staff writing commands the way people type: word order, 了, full-width digits, a bare number,
an acknowledgement, a mistyped bind code; and transfers that tell the new assignee why, and who it came from."""
from click.testing import CliRunner
import pytest

from bot.store.models import TicketEvent
from tests.conversation import (GRID1, GRID1_BACKUP, GRID2, SECRETARY, config_changes, number_in, rows,  # noqa: F401
                                settings, ticket)
from tests.test_staff_conversations import invite

GRID3 = "o_demo_grid3_chen"
RESIDENT_WORDS = ("报事", "几号楼", "遇到漏水")  # what the resident help and small talk say


def staff_said(reply: str) -> str:
    assert not any(word in reply for word in RESIDENT_WORDS), reply
    return reply


@pytest.mark.parametrize("command", ["接 {n}", "{n} 接单", "{n}接单", "接单 {wide}", "接单了 {n}", "接单：{n}"])
def test_accept_however_it_is_typed(wechat, runtime, command):
    number = number_in(wechat.say("2号楼门口井盖松了", sender="o_r1"))
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    reply = staff_said(wechat.say(command.format(n=number, wide=wide[:4] + number[4:]), sender=GRID1))
    assert reply.startswith(f"已接单{number}")
    assert ticket(runtime, number).status == "accepted" and wechat.ticket_count() == 1


@pytest.mark.parametrize("command", ["完成了 {n} 已经拧紧螺丝", "{n} 完成 已经拧紧螺丝", "已完成 {n} 已经拧紧螺丝",
                                     "办完了{n}，已经拧紧螺丝", "处理完 {n} 已经拧紧螺丝"])
def test_finish_however_it_is_typed_keeps_only_the_note(wechat, runtime, fake_wechat, command):
    number = number_in(wechat.say("2号楼门口井盖松了", sender="o_r1"))
    wechat.say(f"接单 {number}", sender=GRID1)
    assert staff_said(wechat.say(command.format(n=number), sender=GRID1)) == f"工单{number}已标记完成，已请居民评价。辛苦了！"
    assert ticket(runtime, number).resolution_note == "已经拧紧螺丝"
    wechat.run_jobs()
    assert fake_wechat.texts_to("o_r1")[-1].startswith(f"您反映的公共设施问题（工单{number}）已处理：已经拧紧螺丝\n")


@pytest.mark.parametrize("said", ["{n} 已修好，换了防水层", "{n}修好了", "{n}，搞定了，管道换了", "{n} 已经处理好了"])
def test_a_number_then_fixed_words_is_a_finish_whose_note_is_those_words(wechat, runtime, fake_wechat, said):
    number = number_in(wechat.say("2号楼楼顶漏水了", sender="o_r1"))
    wechat.say(f"接单 {number}", sender=GRID1)
    assert staff_said(wechat.say(said.format(n=number), sender=GRID1)) == f"工单{number}已标记完成，已请居民评价。辛苦了！"
    note = said.format(n="").lstrip("，").strip()
    assert ticket(runtime, number).status == "resolved" and ticket(runtime, number).resolution_note == note
    assert wechat.ticket_count() == 1  # not a second report of a leak
    wechat.run_jobs()
    assert fake_wechat.texts_to("o_r1")[-1].startswith(f"您反映的漏水渗水问题（工单{number}）已处理：{note}\n")


@pytest.mark.parametrize("said", ["{n} 修好了吗", "{n} 解决不了，要找物业", "{n} 处理好了没", "{n} 还没修好"])
def test_a_number_then_a_question_or_a_denial_finishes_nothing(wechat, runtime, said):
    number = number_in(wechat.say("2号楼楼顶漏水了", sender="o_r1"))
    wechat.say(f"接单 {number}", sender=GRID1)
    wechat.say(said.format(n=number), sender=GRID1)
    assert ticket(runtime, number).status == "accepted"


def test_a_staff_question_about_a_ticket_shows_it(wechat, runtime):
    number = number_in(wechat.say("2号楼楼顶漏水了", sender="o_r1"))
    for said in (f"{number} 修好了吗", f"{number}处理得怎么样了？", f"请问{number}有人去看了吗"):
        assert staff_said(wechat.say(said, sender=SECRETARY)).startswith(f"工单{number}：漏水渗水（2号楼）\n状态：")
    assert ticket(runtime, number).status == "new" and wechat.ticket_count() == 1


def test_other_staff_words_after_a_ticket_number_are_kept_as_its_note(wechat, runtime):
    number = number_in(wechat.say("2号楼楼顶漏水了", sender="o_r1"))
    assert f"请回复“接单 {number}”" in staff_said(wechat.say(f"{number} 到了，在看", sender=GRID1))
    wechat.say(f"接单 {number}", sender=GRID1)
    reply = staff_said(wechat.say(f"{number} 解决不了，要找物业，防水层得重做", sender=GRID1))
    assert reply.startswith(f"已记在工单{number}的备注里") and f"转派 {number}" in reply
    notes = [e for e in rows(runtime, TicketEvent, TicketEvent.ticket_id == ticket(runtime, number).id)
             if e.kind == "note"]
    assert [(e.actor, e.detail["text"]) for e in notes] == [(GRID1, "到了，在看"), (GRID1, "解决不了，要找物业，防水层得重做")]
    assert ticket(runtime, number).status == "accepted" and wechat.ticket_count() == 1
    assert staff_said(wechat.say(f"{number} 收到", sender=GRID1)).startswith(f"工单{number}：")
    # Digits that are no ticket: the staff member's own report, as a resident's.
    assert "已受理" in wechat.say("5号楼快递柜编号100234坏了", sender=GRID1) and wechat.ticket_count() == 2


def test_staff_words_that_are_not_commands_get_a_staff_answer(wechat, runtime):
    number = number_in(wechat.say("2号楼门口井盖松了", sender="o_r1"))
    for said in ("收到", "好的 马上去", "好的，马上到"):  # an answer to the task push: the hint names the ticket
        assert staff_said(wechat.say(said, sender=GRID1)) == f"收到。要接单请回复“接单 {number}”。"
    assert number in staff_said(wechat.say("查看任务", sender=GRID1))
    assert ticket(runtime, number).status == "new" and wechat.ticket_count() == 1
    assert runtime.state.get(GRID1) is None  # no resident draft was started
    # Nothing waits for their 接单: the acknowledgement needs no hint.
    assert staff_said(wechat.say("收到", sender=GRID3)) == "收到。发“我的任务”可以查看待办。"


def test_a_secretary_asks_how_the_day_stands(wechat):
    number_in(wechat.say("2号楼门口井盖松了", sender="o_r1"))
    number_in(wechat.say("9号楼路灯不亮", sender="o_r2"))
    for asked in ("今天的情况", "日报"):
        reply = wechat.say(asked, sender=SECRETARY)
        assert reply.startswith("【幸福里社区·每日简报】") and "当天还没过完" in reply and "新报2件" in reply
    assert wechat.say("超期的工单？", sender=SECRETARY) == "目前没有超期工单。"  # the overdue list, not the digest
    assert "昨日新报0件" in wechat.say("昨天的日报", sender=SECRETARY)
    # Grid workers have their tasks, and a resident saying 今天的情况 is no staff member.
    assert "每日简报" not in wechat.say("日报", sender=GRID1)
    assert "每日简报" not in wechat.say("今天的情况", sender="o_r1") and wechat.ticket_count() == 2


def test_two_tickets_waiting_the_hint_names_both(wechat):
    first = number_in(wechat.say("2号楼门口井盖松了", sender="o_r1"))
    second = number_in(wechat.say("3号楼楼道灯坏了", sender="o_r2"))
    reply = staff_said(wechat.say("收到", sender=GRID1))
    assert f"接单 {second}" in reply and first in reply


def test_a_bare_ticket_number_shows_a_ticket_of_the_grid(wechat, runtime):
    number = number_in(wechat.say("2号楼门口井盖松了，差点绊倒人", sender="o_r1"))
    reply = staff_said(wechat.say(number, sender=GRID1))
    assert reply.startswith(f"工单{number}：公共设施（2号楼）\n状态：")
    assert "居民反映：2号楼门口井盖松了，差点绊倒人" in reply and f"接单 {number}" in reply
    wechat.say(f"接单{number}", sender=GRID1)
    assert f"完成 {number}" in wechat.say(f"１{number[1:]}", sender=GRID1)
    assert staff_said(wechat.say(number, sender=GRID2)) == f"工单{number}不属于您的网格，不能操作。如需处理请联系社区书记转派。"
    assert staff_said(wechat.say("199999", sender=GRID2)) == "没有找到工单199999，请核对工单号。"
    assert f"工单{number}：" in wechat.say(number, sender=SECRETARY)


def test_a_staff_members_own_report_is_still_theirs_to_look_up(wechat):
    number = number_in(wechat.say("7号楼楼道灯坏了", sender=GRID1))  # 李建国 lives in 7号楼, another grid
    reply = wechat.say(number, sender=GRID1)
    assert reply.startswith(f"工单{number}：照明（7号楼）") and "不属于" not in reply


def test_a_mistyped_or_repeated_bind_code(wechat, runtime):
    assert staff_said(wechat.say("绑定 6260540", sender="o_new")) == "绑定码是8位数字，请核对后再发，比如“绑定 12345678”。"
    code = invite("--grid", "grid-3", "--name", "刘志愿")
    assert "刘志愿您好" in wechat.say(f"绑定 {code}", sender="o_new")
    again = "您已绑定为第三网格的刘志愿，无需再绑定。回复“我的任务”查看待办。"
    assert wechat.say(f"绑定 {code}", sender="o_new") == again
    assert wechat.say("绑定", sender="o_new") == again
    assert wechat.say("绑定 12345678", sender=GRID1) == "您已绑定为第一网格的李建国，无需再绑定。回复“我的任务”查看待办。"


def test_bound_staff_cannot_probe_or_take_codes(wechat, runtime):
    """A bound member's 绑定 never looks a code up: no uncounted guessing, no moving themself to another grid."""
    assert "刘志愿您好" in wechat.say(f"绑定 {invite('--grid', 'grid-3', '--name', '刘志愿')}", sender="o_new")
    someone_elses = invite("--secretary", "--name", "王副书记")
    again = "您已绑定为第三网格的刘志愿，无需再绑定。回复“我的任务”查看待办。"
    for guess in range(20):  # far past the day's tries: still the same answer, nothing counted or taken
        assert wechat.say(f"绑定 {10000000 + guess:08d}", sender="o_new") == again
    assert wechat.say(f"绑定 {someone_elses}", sender="o_new") == again
    assert runtime.staff.member("o_new").role == "grid_worker"
    assert "王副书记" in wechat.say(f"绑定 {someone_elses}", sender="o_deputy")  # the code is still theirs


def test_staff_move_grids_by_remove_and_a_new_invite(wechat, runtime):
    from bot.cli.main import main

    wechat.say(f"绑定 {invite('--grid', 'grid-3', '--name', '刘志愿')}", sender="o_new")
    listed = CliRunner().invoke(main, ["staff", "list"], catch_exceptions=False).output
    assert "刘志愿\tgrid_worker\tgrid-3\to_new\tinvite" in listed
    assert "李建国\tgrid_worker\tgrid-1" in listed and "config.yaml" in listed
    removed = CliRunner().invoke(main, ["staff", "remove", "刘志愿"], catch_exceptions=False)
    assert "removed 刘志愿" in removed.output
    assert "第二网格" in wechat.say(f"绑定 {invite('--grid', 'grid-2', '--name', '刘志愿')}", sender="o_new")
    refused = CliRunner().invoke(main, ["staff", "remove", "李建国"])
    assert refused.exit_code == 1 and "config.yaml" in refused.output


def test_a_transfer_tells_the_new_assignee_who_sent_it_and_why(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("4号楼楼下的树枝挡路了", sender="o_r6"))
    wechat.run_jobs()
    wechat.say(f"转派 {number} 第二网格 其实是6号楼门口那棵树", sender=GRID1)
    wechat.run_jobs()
    (task,) = [t for t in fake_wechat.texts_to(GRID2) if number in t]
    assert task.startswith("新工单待处理（李建国转派）\n转派说明：其实是6号楼门口那棵树\n工单号：")
    assert f"回复“接单 {number}”接单。" in task
    # Without a note, the new assignee still hears who sent it.
    wechat.say(f"转派 {number} 陈立新", sender=SECRETARY)
    wechat.run_jobs()
    (task,) = [t for t in fake_wechat.texts_to(GRID3) if number in t]
    assert task.startswith("新工单待处理（王书记转派）\n工单号：")
    # 张海燕 had it and did not move it herself: she hears it went elsewhere.
    assert fake_wechat.texts_to(GRID2)[-1] == f"工单{number}（绿化，4号楼）已改由第三网格网格员陈立新处理，您无需再跟进。"


def test_a_transfer_to_the_secretary_names_the_secretary_and_one_to_the_grid_reaches_its_worker(
        wechat, runtime, fake_wechat):
    number = number_in(wechat.say("3号楼楼顶漏水", sender="o_r1"))
    wechat.run_jobs()
    assert wechat.say(f"转派 {number} 王书记", sender=GRID1) == f"工单{number}已转给王书记。"
    wechat.run_jobs()
    assert fake_wechat.texts_to("o_r1")[-1] == f"您的工单{number}已转交王书记处理。"
    assert "李建国转派" in [t for t in fake_wechat.texts_to(SECRETARY) if number in t][-1]
    # Still in 第一网格, but 王书记 holds it: 转派 to the grid gives it back to its grid worker.
    assert wechat.say(f"转派 {number} 一网格 麻烦李建国去看一下", sender=SECRETARY) == \
        f"工单{number}已转给第一网格网格员李建国。"
    moved = ticket(runtime, number)
    assert (moved.grid_id, moved.assignee_openid, moved.status) == ("grid-1", GRID1, "dispatched")
    wechat.run_jobs()
    task = [t for t in fake_wechat.texts_to(GRID1) if number in t][-1]
    assert task.startswith("新工单待处理（王书记转派）\n转派说明：麻烦李建国去看一下\n")
    assert "本来就在第一网格网格员李建国手上" in wechat.say(f"转派 {number} 第一网格", sender=SECRETARY)
    # The backup is the grid's too; the secretary hears nothing of what they did themselves.
    assert wechat.say(f"转派 {number} 赵秀英", sender=SECRETARY) == f"工单{number}已转给第一网格网格员赵秀英。"
    wechat.run_jobs()
    assert not [t for t in fake_wechat.texts_to(SECRETARY) if "已改由" in t]
    assert fake_wechat.texts_to(GRID1)[-1] == f"工单{number}（漏水渗水，3号楼）已改由第一网格网格员赵秀英处理，您无需再跟进。"


def test_a_desk_reassignment_reaches_the_new_assignee_with_its_note(wechat, runtime, fake_wechat, client):
    from tests.desk import add_user, csrf, login

    number = number_in(wechat.say("3号楼楼顶漏水", sender="o_r1"))
    wechat.run_jobs()
    add_user(runtime)
    login(client)
    token = csrf(client.get(f"/tickets/{number}").get_data(as_text=True))
    client.post(f"/tickets/{number}/reassign", data={"csrf_token": token, "to": GRID1_BACKUP, "note": "李建国休假"})
    wechat.run_jobs()
    (task,) = fake_wechat.texts_to(GRID1_BACKUP)
    assert task.startswith("新工单待处理（王书记转派）\n转派说明：李建国休假\n工单号：")
    assert fake_wechat.texts_to(GRID1)[-1] == f"工单{number}（漏水渗水，3号楼）已改由第一网格网格员赵秀英处理，您无需再跟进。"
    (event,) = rows(runtime, TicketEvent, TicketEvent.kind == "transferred")
    assert event.detail["by"] == "王书记" and event.detail["from"] == GRID1


def test_a_photo_long_after_a_command_is_not_put_on_that_ticket(wechat, runtime, monkeypatch):
    from bot.domain.clock import utcnow
    from bot.store.models import Attachment
    from tests.fakeclock import FakeClock, install

    clock = install(monkeypatch, FakeClock(utcnow()))
    number = number_in(wechat.say("2号楼门口井盖松了", sender="o_r1"))
    wechat.say(f"接单 {number}", sender=GRID1)
    clock.advance(minutes=5)
    assert wechat.image(sender=GRID1, media_id="SOON") == f"照片已附到工单{number}。"
    clock.advance(hours=3)
    reply = wechat.image(sender=GRID1, media_id="LATE")
    assert reply.startswith("这张照片先没有附上") and number in reply
    assert [a.media_id for a in rows(runtime, Attachment)] == ["SOON"]
    # Looking a ticket up counts as working on it: the photo after goes with it.
    wechat.say(number, sender=GRID1)
    assert wechat.image(sender=GRID1, media_id="AFTER_LOOKUP") == f"照片已附到工单{number}。"


def test_words_after_a_staff_photo_get_an_answer_about_that_ticket(wechat, runtime):
    number = number_in(wechat.say("3号楼楼顶漏水", sender="o_r2"))
    wechat.say(f"接单 {number}", sender=GRID1)
    wechat.image(sender=GRID1, media_id="ROOF")
    reply = staff_said(wechat.say("你们看看这个", sender=GRID1))
    assert reply.startswith(f"照片和说明都在工单{number}里") and f"完成 {number} 处理说明" in reply
    assert wechat.ticket_count() == 1
    # With nothing just worked on, small talk from staff gets the staff usage.
    assert staff_said(wechat.say("你们看看这个", sender=GRID2)).startswith("可以这样回复：")


def test_a_staff_members_own_report_still_takes_their_answers(wechat, runtime):
    reply = wechat.say("楼道灯坏了", sender=GRID1)  # as a resident: the bot asks where
    assert "几号楼" in reply
    assert "已受理" in wechat.say("7号楼", sender=GRID1)


def test_a_staff_members_half_told_report_survives_their_commands(wechat, runtime):
    number = number_in(wechat.say("2号楼门口井盖松了", sender="o_r1"))
    assert "几号楼" in wechat.say("楼道灯坏了", sender=GRID1)  # 李建国 as a resident
    assert wechat.say(f"接单 {number}", sender=GRID1).startswith(f"已接单{number}")
    assert "已受理" in wechat.say("7号楼", sender=GRID1)  # the question still waited for its answer
    assert "几号楼" in wechat.say("路灯不亮了", sender=GRID1)
    assert not wechat.say("好的", sender=GRID1).startswith("收到。")  # an answer to the question, not to a task
    assert "绑定码是8位数字" not in wechat.say("绑定 3", sender="o_r9")
