"""Notices (通知公告): a secretary's notice reaches exactly the residents of the buildings it names, once each."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.store.models import NoticeDelivery, Resident
from tests.conversation import config_changes, rows, settings  # noqa: F401  (fixtures)
from tests.desk import add_user, csrf, login

TEMPLATE = "TPL_NOTICE"
NOTICE = {"estate": "xingfuyuan", "buildings": "3,5", "title": "停水通知",
          "body": "因管道检修，12月9日9:00–17:00停水，\n请提前储水。"}



@pytest.fixture(autouse=True)
def _no_pubsub(monkeypatch):
    """The in-test worker needs no commands over pub/sub, and RQ's pub/sub thread may take 60 s to stop (rq/rq#1613)."""
    from rq import SimpleWorker

    monkeypatch.setattr(SimpleWorker, "subscribe", lambda self: None)

@pytest.fixture
def config_changes():
    return {"notices": {"template": {"id": TEMPLATE}}}


def live_at(wechat, openid: str, place: str) -> None:
    """A resident binds their home from the menu, as residents do."""
    wechat.click("BIND_ADDRESS", sender=openid)
    assert wechat.say(place, sender=openid).startswith("已绑定住址")


def wrote_days_ago(runtime, openid: str, days: int) -> None:
    with runtime.sessions() as db:
        when = runtime_now() - timedelta(days=days)
        db.execute(update(Resident).where(Resident.openid == openid).values(updated_at=when, created_at=when))
        db.commit()


def runtime_now():
    from bot.domain.clock import utcnow

    return utcnow()


def send_from_desk(client, **form) -> str:
    page = client.get("/notices").get_data(as_text=True)
    answer = client.post("/notices", data={"csrf_token": csrf(page), **NOTICE, **form}, follow_redirects=True)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def pushes(fake_wechat, since: int = 0) -> list[dict]:
    return [m for m in fake_wechat.messages[since:] if "停水" in str(m.get("content") or m.get("data"))]


@pytest.fixture
def estate(wechat, runtime, client, fake_wechat):
    """Four residents: in 3号楼 (wrote just now), 5号楼 (three days ago), 7号楼, and one who never said where."""
    live_at(wechat, "o_in_3", "3号楼2单元")
    live_at(wechat, "o_in_5", "5号楼")
    live_at(wechat, "o_in_7", "7号楼")
    wechat.event("subscribe", sender="o_nowhere")
    wrote_days_ago(runtime, "o_in_5", 3)
    fake_wechat.close_window("o_in_5")
    add_user(runtime)
    login(client)
    return len(fake_wechat.messages)


def test_a_notice_to_two_buildings_reaches_exactly_their_residents_once(wechat, client, fake_wechat, estate,
                                                                        runtime):
    assert "通知已开始发送给幸福苑3、5号楼的居民" in send_from_desk(client)
    wechat.run_jobs()
    sent = pushes(fake_wechat, estate)
    assert sorted(m["touser"] for m in sent) == ["o_in_3", "o_in_5"]
    inside, outside = sorted(sent, key=lambda m: m["touser"])
    assert inside["kind"] == "text" and "停水通知" in inside["content"] and "不再接收通知" in inside["content"]
    assert outside["kind"] == "template" and outside["template_id"] == TEMPLATE
    values = {key: field["value"] for key, field in outside["data"].items()}
    assert set(values) == {"thing1", "thing2", "time3", "thing4"}  # no first, no remark: WeChat shows neither
    assert all(len(v) <= 20 and "\n" not in v for v in values.values()), values
    assert values["thing1"] == "停水通知" and values["thing2"] == "幸福苑3、5号楼"

    # The job again (RQ delivers at least once): nobody hears it twice.
    from bot.domain import notices
    from bot.store.models import Notice

    (notice,) = rows(runtime, Notice)
    with runtime.sessions() as db:
        db.execute(update(Notice).values(status="sending"))
        db.commit()
    notices.enqueue(runtime.queue, notice.id)
    wechat.run_jobs()
    assert len(pushes(fake_wechat, estate)) == 2

    page = client.get("/notices").get_data(as_text=True)
    assert "停水通知" in page and "<td>1</td><td>1</td><td>0</td>" in page and "已发完" in page


def test_an_opt_out_stops_the_next_notice_and_an_opt_in_brings_them_back(wechat, client, fake_wechat, estate):
    assert "不再给您发送" in wechat.say("不再接收通知。", sender="o_in_3")
    send_from_desk(client)
    wechat.run_jobs()
    assert [m["touser"] for m in pushes(fake_wechat, estate)] == ["o_in_5"]

    assert "会再发给您" in wechat.say("接收通知", sender="o_in_3")
    mark = len(fake_wechat.messages)
    send_from_desk(client, title="电梯检修", body="3号楼电梯周五停运检修，停水已恢复")
    wechat.run_jobs()
    assert sorted(m["touser"] for m in pushes(fake_wechat, mark)) == ["o_in_3", "o_in_5"]


def test_unfollowing_removes_a_resident_from_notices(wechat, client, fake_wechat, estate, runtime):
    send_from_desk(client)
    wechat.run_jobs()
    wechat.event("unsubscribe", sender="o_in_3")
    kept = sorted(d.recipient for d in rows(runtime, NoticeDelivery))
    assert kept[0].startswith("forgotten:") and kept[1:] == ["o_in_5"]  # the ledger keeps the row, not the openid
    mark = len(fake_wechat.messages)
    send_from_desk(client, title="停水通知（二）")
    wechat.run_jobs()
    assert [m["touser"] for m in pushes(fake_wechat, mark)] == ["o_in_5"]


@pytest.mark.parametrize("config_changes", [{"notices": {"template": {"id": TEMPLATE}, "per_minute": 6}}])
def test_the_send_is_throttled_and_a_killed_worker_resumes_without_resending(wechat, client, fake_wechat, runtime,
                                                                           config_changes):
    for i in range(4):
        live_at(wechat, f"o_neighbour_{i}", "3号楼")
    add_user(runtime)
    login(client)
    mark = len(fake_wechat.messages)
    send_from_desk(client, buildings="3")
    wechat.run_jobs()
    assert len(pushes(fake_wechat, mark)) == 1  # 6 a minute: one now, the next batch 10 s on

    # A worker killed mid-send left its claim on the next resident: once the claim is stale, it is sent, once.
    from bot.domain.notices import audience
    from bot.store.models import Notice

    (notice,) = rows(runtime, Notice)
    with runtime.sessions() as db:
        nxt = list(db.scalars(audience(notice, runtime.directory)))[1]
        db.add(NoticeDelivery(notice_id=notice.id, recipient=nxt, status="sending",
                              claimed_at=runtime_now() - timedelta(minutes=5)))
        db.commit()
    fake_wechat.fail_next("message/custom/send", status=503)  # and WeChat stumbles once: RQ retries the batch
    for _ in range(8):
        wechat.run_due_jobs()
    sent = [m["touser"] for m in pushes(fake_wechat, mark)]
    assert sorted(sent) == [f"o_neighbour_{i}" for i in range(4)]  # each once
    assert [d.status for d in rows(runtime, NoticeDelivery)] == ["sent"] * 4
    assert rows(runtime, Notice)[0].status == "sent"


def test_a_notice_template_with_first_or_remark_is_refused(tmp_path):
    import yaml

    from bot.errors import ConfigError
    from bot.settings import load_config
    from tests.conversation import REPO

    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw["notices"]["template"]["data"]["first"] = "{title}"
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="notices\\.template.*first"):
        load_config(path)


def test_backups_carry_the_notices_and_their_ledger(wechat, client, estate, runtime, tmp_path):
    import json
    import tarfile

    from bot.store.backup import make_backup

    send_from_desk(client)
    wechat.run_jobs()
    wechat.say("不再接收通知", sender="o_in_7")
    with tarfile.open(make_backup(runtime.settings, tmp_path / "backups")) as tar:
        tables = json.load(tar.extractfile("manifest.json"))["database"]["tables"]
    assert (tables["notices"], tables["notice_deliveries"], tables["notice_optouts"]) == (1, 2, 1)


def test_opting_out_mid_report_answers_and_asks_the_question_again(wechat, runtime):
    asked = wechat.say("楼道灯坏了", sender="o_mid_report")
    assert "几号楼" in asked
    answer = wechat.say("不再接收通知", sender="o_mid_report")
    assert "不再给您发送" in answer and "几号楼" in answer
    assert "工单号" in wechat.say("6号楼", sender="o_mid_report")


def test_grid_workers_send_no_notices(client, runtime):
    add_user(runtime, username="li", role="grid_worker", grid="grid-1", name="李建国")
    login(client, "li")
    assert client.get("/notices").status_code == 403
    assert "通知公告" not in client.get("/tickets").get_data(as_text=True)
