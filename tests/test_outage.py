"""Redis down while a resident writes: the resident still gets a ticket, the push goes out once Redis is back."""
import re

import pytest


@pytest.fixture
def env(env, redis_process):
    return env | {"MINHU_REDIS_URL": redis_process.url}


def test_redis_down_then_back(wechat, runtime, redis_process, fake_wechat):
    redis_process.stop()
    reply = wechat.say("2号楼3单元楼道灯不亮了", sender="o_resident_outage")
    number = re.search(r"工单号：(\d+)", reply).group(1)
    assert wechat.ticket_count() == 1
    assert fake_wechat.texts_to("o_demo_grid1_li") == []

    redis_process.start()
    assert runtime.flush_outbox() == 1  # the relay's pass
    wechat.run_jobs()
    pushes = fake_wechat.texts_to("o_demo_grid1_li")
    assert len(pushes) == 1 and number in pushes[0]
    # A later relay pass and another worker run send nothing more.
    assert runtime.flush_outbox() == 0
    wechat.run_jobs()
    assert len(fake_wechat.texts_to("o_demo_grid1_li")) == 1


def test_retry_while_redis_down_still_one_ticket(wechat, redis_process):
    redis_process.stop()
    first = wechat.say("11号楼楼顶漏水", msg_id="424242")
    second = wechat.say("11号楼楼顶漏水", msg_id="424242")
    assert first == second
    assert wechat.ticket_count() == 1
