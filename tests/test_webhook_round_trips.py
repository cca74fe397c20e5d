"""A message costs few trips to Redis: before the work one claim (WeChat's retries, the replay guard, the sender's
keys and the message quota), after it one write (the reply kept for the retries, with the jobs just committed)."""
import pytest
from redis.connection import AbstractConnection

from tests.conversation import GRID1, number_in, ticket

GREETING = {b"HELLO", b"PING", b"CLIENT", b"SELECT", b"AUTH"}


@pytest.fixture
def trips(monkeypatch):
    """Each round trip to Redis from now on: one send of one command or of a whole pipeline (a new connection's
    greeting aside)."""
    sent: list[bytes] = []
    send = AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        packed = b"".join(command) if isinstance(command, list) else command
        if packed.split(b"\r\n")[2] not in GREETING:
            sent.append(packed)
        return send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return sent


def test_a_neighbour_joining_an_open_ticket_costs_two_trips_to_redis(wechat, runtime, trips):
    number = number_in(wechat.say("3号楼2单元楼顶漏水了", sender="o_first"))
    wechat.run_jobs()
    trips.clear()
    reply = wechat.say("3号楼2单元楼顶漏水了", sender="o_neighbour")
    assert reply.startswith(f"已有邻居反映了这个问题（工单号：{number}")
    # The second household: the grid worker is told (an outbox row, its job enqueued with the reply).
    assert len(trips) == 2, trips
    assert b"EVALSHA" in trips[0] and b"rq:" in trips[1]
    assert ticket(runtime, number).households == 2
    wechat.run_jobs()
    assert any(text.startswith(f"工单{number}又有居民反映（共2户）") for text in wechat.fake.texts_to(GRID1))


def test_a_new_ticket_sends_its_job_with_the_reply(wechat, trips):
    number = number_in(wechat.say("5号楼1单元楼道灯坏了", sender="o_first"))
    enqueued = [i for i, sent in enumerate(trips) if b"rq:queue:" in sent]
    kept = [i for i, sent in enumerate(trips) if b"minhu:reply:" in sent and b"SET" in sent and b"EVALSHA" not in sent]
    assert enqueued == kept == [len(trips) - 1], trips
    wechat.run_jobs()
    assert any(number in str(pushed) for pushed in wechat.fake.messages)  # the grid worker's task


def test_the_message_quota_is_counted_in_the_claim(wechat, trips):
    wechat.say("你好", sender="o_resident_9")
    assert not any(b"minhu:quota:message:" in sent for sent in trips[1:]), trips
    assert b"minhu:quota:message:o_resident_9" in trips[0]
