"""Transcripts of the desk's chat side: 代报 by staff, common replies (完成 100001 #2), template messages as WeChat
shows them since 2023-05-04."""
import pytest

from bot.store.models import Ticket
from tests.conversation import GRID1, SECRETARY, config_changes, number_in, rows, settings, ticket  # noqa: F401


def test_staff_enter_a_callers_report_in_chat_and_a_retry_opens_no_second(wechat, runtime, fake_wechat):
    reply = wechat.say("代报 来电 3号楼2单元楼顶漏水 13800002222", sender=SECRETARY, msg_id="9001")
    number = number_in(reply)
    assert "已代报" in reply and "来源：电话" in reply and "13800002222" in reply and "李建国" in reply
    entered = ticket(runtime, number)
    assert (entered.source, entered.contact, entered.category, entered.building, entered.resident_openid) == (
        "phone", "13800002222", "leak", "3", None)
    assert "13800002222" not in entered.text
    wechat.say("代报 来电 3号楼2单元楼顶漏水 13800002222", sender=SECRETARY, msg_id="9001")  # WeChat's retry
    assert wechat.ticket_count() == 1
    wechat.run_jobs()
    assert any(number in text for text in fake_wechat.texts_to(GRID1))


def test_a_grid_workers_patrol_report_and_a_resident_cannot_use_it(wechat, runtime):
    number = number_in(wechat.say("代报 5号楼门口井盖松了", sender=GRID1))
    assert ticket(runtime, number).source == "patrol"
    assert "代报的格式" in wechat.say("代报", sender=GRID1)
    wechat.say("代报 7号楼路灯不亮", sender="o_resident_x")  # a resident's words are a report of their own
    assert {t.source for t in rows(runtime, Ticket)} == {"patrol", "wechat"}


def test_a_grid_worker_finishes_with_a_common_reply_and_the_resident_reads_it(wechat, runtime, fake_wechat):
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_r1"))
    wechat.say(f"接单 {number}", sender=GRID1)
    listing = wechat.say(f"完成 {number} #9", sender=GRID1)
    assert "没有第9条常用回复" in listing and "#2 已联系物业处理完毕" in listing
    assert ticket(runtime, number).status == "accepted"
    assert "已标记完成" in wechat.say(f"完成 {number} #2", sender=GRID1)
    wechat.run_jobs()
    (done,) = [t for t in fake_wechat.texts_to("o_r1") if "已处理" in t]
    assert "已联系物业处理完毕，如还有问题请随时告诉我们。" in done and "#2" not in done


@pytest.mark.parametrize("config_changes", [{"wechat": {"task_template": {"id": "TPL_TASK", "data": {
    "keyword1": "{number}", "keyword2": "{category}", "keyword3": "{place}", "keyword4": "{deadline}",
    "keyword5": "{text}"}}}}])
def test_a_task_outside_the_window_carries_number_category_place_and_deadline_in_shown_fields(wechat, fake_wechat):
    fake_wechat.close_window(GRID1)
    number = number_in(wechat.say("3号楼2单元楼顶漏水了，家里天花板都湿了，墙皮也掉了，赶紧来人看看吧", sender="o_r2"))
    wechat.run_jobs()
    (template,) = [m for m in fake_wechat.messages if m["kind"] == "template" and m["touser"] == GRID1]
    values = {key: field["value"] for key, field in template["data"].items()}
    assert set(values) == {"keyword1", "keyword2", "keyword3", "keyword4", "keyword5"}
    assert values["keyword1"] == number and values["keyword2"] == "漏水渗水" and "3号楼" in values["keyword3"]
    assert values["keyword4"].endswith("前接单")
    assert all(len(v) <= 20 and "\n" not in v for v in values.values()) and values["keyword5"].endswith("…")
    assert all("color" not in field for field in template["data"].values())


def test_config_with_first_or_remark_is_refused_naming_the_field(tmp_path):
    import yaml

    from bot.errors import ConfigError
    from bot.settings import load_config
    from tests.conftest import REPO

    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw["wechat"]["task_template"]["data"]["first"] = "{title}"
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="first.*no longer shows"):
        load_config(path)
