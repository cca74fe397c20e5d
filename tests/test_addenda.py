"""What a resident adds to a ticket reaches whoever holds it: at once, then at most one push every few minutes
(WeChat counts every customer-service message), and nothing of it is cut off."""
from datetime import datetime

import pytest

from bot.store.models import TicketEvent
from tests.conversation import GRID1, GRID2, config_changes, number_in, rows, settings, ticket  # noqa: F401
from tests.fakeclock import FakeClock, install, run_due


@pytest.fixture
def clock(monkeypatch):
    return install(monkeypatch, FakeClock(datetime(2030, 3, 4, 1, 0)))  # Monday 09:00 in Shanghai


def test_each_addendum_reaches_the_grid_worker_and_a_burst_comes_as_one_push(wechat, runtime, fake_wechat, clock):
    number = number_in(wechat.say("5号楼门口垃圾桶满了 很臭", sender="o_r1"))
    run_due(runtime)
    wechat.say(f"接单 {number}", sender=GRID2)
    clock.advance(minutes=20)
    assert wechat.say("还是臭 根本没弄干净", sender="o_r1") == f"已补充到工单{number}，网格员会一并看到。"
    run_due(runtime)
    assert fake_wechat.texts_to(GRID2)[-1] == f"工单{number}（环境卫生，5号楼）居民补充：还是臭 根本没弄干净"
    told = len(fake_wechat.texts_to(GRID2))
    clock.advance(minutes=1)
    for said in ("垃圾都堆到路上了", "臭得不敢开窗"):
        assert wechat.say(said, sender="o_r1") == f"已补充到工单{number}，网格员会一并看到。"
        run_due(runtime)
    assert len(fake_wechat.texts_to(GRID2)) == told  # the two wait for the few minutes to pass
    clock.advance(minutes=4)
    run_due(runtime)
    assert fake_wechat.texts_to(GRID2)[told:] == [
        f"工单{number}（环境卫生，5号楼）居民补充了2条：\n· 垃圾都堆到路上了\n· 臭得不敢开窗"]
    clock.advance(minutes=30)
    run_due(runtime)  # nothing new was said: nothing more is sent
    assert len(fake_wechat.texts_to(GRID2)) == told + 1
    assert fake_wechat.texts_to("o_r1") == [f"您反映的环境卫生问题（工单{number}）已由张海燕接单，正在处理。"]


def test_an_addendum_the_task_push_already_carried_is_not_sent_again(wechat, runtime, fake_wechat, clock):
    number = number_in(wechat.say("5号楼门口垃圾桶满了 很臭", sender="o_r1"))
    wechat.say("还是臭 根本没弄干净", sender="o_r1")  # before the task push went out
    run_due(runtime)
    clock.advance(minutes=10)
    run_due(runtime)
    (task,) = fake_wechat.texts_to(GRID2)
    assert task.startswith("新工单待处理") and "补充：还是臭 根本没弄干净" in task and number in task


def test_an_addendum_reaches_whoever_holds_the_ticket_now(wechat, runtime, fake_wechat, clock):
    number = number_in(wechat.say("5号楼门口垃圾桶满了 很臭", sender="o_r1"))
    run_due(runtime)
    wechat.say(f"转派 {number} 第三网格", sender=GRID2)
    run_due(runtime)
    clock.advance(minutes=2)
    wechat.say("还是臭 根本没弄干净", sender="o_r1")
    run_due(runtime)
    assert fake_wechat.texts_to("o_demo_grid3_chen")[-1].endswith("居民补充：还是臭 根本没弄干净")
    assert not [t for t in fake_wechat.texts_to(GRID2) if "居民补充" in t]


def test_a_long_report_and_what_is_added_to_it_are_kept_whole(wechat, runtime, fake_wechat, clock):
    said = "3号楼2单元楼顶漏水，" + "家里天花板一直在滴水，墙皮也掉了，" * 300  # 5,111 characters
    number = number_in(wechat.say(said, sender="o_r2"))
    run_due(runtime)
    clock.advance(minutes=30)
    assert wechat.say("3号楼楼顶还在漏水，卧室也湿了", sender="o_r2") == f"已补充到工单{number}，网格员会一并看到。"
    kept = ticket(runtime, number)
    assert kept.text == said + "\n补充：3号楼楼顶还在漏水，卧室也湿了"
    run_due(runtime)
    assert fake_wechat.texts_to(GRID1)[-1] == f"工单{number}（漏水渗水，3号楼2单元）居民补充：3号楼楼顶还在漏水，卧室也湿了"
    (added,) = rows(runtime, TicketEvent, TicketEvent.kind == "added")
    assert added.detail["text"] == "3号楼楼顶还在漏水，卧室也湿了"


@pytest.mark.parametrize("config_changes", [{"followup": {"tell_added_every": "15m"}}])
def test_how_often_the_addenda_go_out_is_configured(wechat, runtime, fake_wechat, clock):
    number = number_in(wechat.say("5号楼门口垃圾桶满了 很臭", sender="o_r1"))
    run_due(runtime)
    clock.advance(minutes=20)
    wechat.say("还是臭 根本没弄干净", sender="o_r1")
    run_due(runtime)
    clock.advance(minutes=1)
    wechat.say("垃圾都堆到路上了", sender="o_r1")
    clock.advance(minutes=10)
    run_due(runtime)
    assert fake_wechat.texts_to(GRID2)[-1].endswith("还是臭 根本没弄干净")
    clock.advance(minutes=5)
    run_due(runtime)
    assert fake_wechat.texts_to(GRID2)[-1] == f"工单{number}（环境卫生，5号楼）居民补充：垃圾都堆到路上了"
