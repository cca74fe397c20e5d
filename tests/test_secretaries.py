"""Secretaries bound with `minhu staff invite --secretary` hear what config.yaml's secretary hears: urgent pages,
escalations and the daily digest; and an emergency's secretary hears where it went once it is placed."""
from datetime import timedelta

from tests.conversation import GRID2, SECRETARY, config_changes, number_in, settings  # noqa: F401
from tests.test_staff_conversations import invite

LIU = "o_liu_secretary"


def bind_secretary(wechat) -> None:
    assert "刘书记您好" in wechat.say(f"绑定 {invite('--secretary', '--name', '刘书记')}", sender=LIU)


def test_a_bound_secretary_is_paged_for_an_emergency(wechat, runtime, fake_wechat):
    bind_secretary(wechat)
    number = number_in(wechat.say("5号楼2单元煤气味很大", sender="o_r1"))
    wechat.run_jobs()
    (page,) = fake_wechat.texts_to(LIU)
    assert page.startswith(f"【紧急】工单{number}：燃气（5号楼2单元）") and "张海燕" in page
    assert [t for t in fake_wechat.texts_to(SECRETARY) if t.startswith(f"【紧急】工单{number}")]
    wechat.run_due_jobs()  # the escalation steps, as if their time had come
    assert any(t.startswith("【紧急】【超时】") for t in fake_wechat.texts_to(LIU))


def test_a_bound_secretary_gets_the_daily_digest(wechat, runtime, fake_wechat):
    from bot.domain.digest import compose, recipients, yesterday
    from workers.daily import send_digests

    bind_secretary(wechat)
    number_in(wechat.say("3号楼楼顶漏水", sender="o_r1"))
    day = yesterday(runtime.settings.zone)
    assert [r.person.openid for r in recipients(runtime.directory, runtime.staff)] == [SECRETARY, LIU]
    outcome = send_digests(day.isoformat())
    assert outcome == {SECRETARY: "sent", LIU: "sent"}
    (digest,) = fake_wechat.texts_to(LIU)
    assert digest.startswith("【幸福里社区·每日简报】")
    with runtime.sessions() as session:
        (mine,) = [r for r in recipients(runtime.directory, runtime.staff) if r.person.openid == LIU]
        assert compose(session, runtime.directory, mine, day - timedelta(days=1)).startswith("【幸福里社区")


def test_an_emergency_placed_by_the_resident_tells_the_secretary_where_it_went(wechat, runtime, fake_wechat):
    bind_secretary(wechat)
    reply = wechat.say("有人被困在电梯里了 快", sender="o_r3")
    number = number_in(reply)
    assert "几号楼" in reply
    wechat.run_jobs()
    assert "已记下：5号楼" in wechat.say("5号楼", sender="o_r3")
    wechat.run_jobs()
    assert any(t.startswith("【紧急】新工单，请立即处理") and number in t for t in fake_wechat.texts_to(GRID2))
    moved = f"【紧急】工单{number}（电梯，5号楼）已改由第二网格网格员张海燕处理，请您留意。"
    assert fake_wechat.texts_to(SECRETARY)[-1] == moved and fake_wechat.texts_to(LIU)[-1] == moved
