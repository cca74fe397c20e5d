"""The outbound WeChat client against a fake WeChat on loopback and a real Redis."""
import threading
import time

import pytest

from bot.wechat.client import (OutsideWindow, QuotaExceeded, WeChatClient, WeChatError,
                               WeChatUnavailable)

RESIDENT = "oResident3Hao"


@pytest.fixture
def make_client(redis, fake_wechat):
    """Build clients as separate worker processes would: same Redis, own HTTP session."""

    def make(secret=None, timeout=(1, 2)):
        return WeChatClient(redis, fake_wechat.appid, secret or fake_wechat.secret,
                            api_base=fake_wechat.api_base, timeout=timeout)

    return make


def test_token_is_cached_in_redis_and_shared_between_workers(redis, fake_wechat, make_client):
    first, second = make_client(), make_client()
    first.send_text(RESIDENT, "您的工单已受理")
    second.send_text(RESIDENT, "网格员已接单")

    assert fake_wechat.token_requests == 1
    key = f"minhu:wechat:token:{fake_wechat.appid}"
    assert redis.get(key).decode() == first.access_token()
    assert 7200 - 300 - 5 < redis.ttl(key) <= 7200 - 300
    assert fake_wechat.texts_to(RESIDENT) == ["您的工单已受理", "网格员已接单"]


def test_expired_token_is_refreshed_once_and_the_message_still_arrives(fake_wechat, make_client):
    client = make_client()
    client.send_text(RESIDENT, "第一条")
    fake_wechat.expire_tokens()

    client.send_text(RESIDENT, "第二条")

    assert fake_wechat.token_requests == 2
    assert fake_wechat.texts_to(RESIDENT) == ["第一条", "第二条"]


def test_a_token_that_keeps_failing_raises_after_one_retry(fake_wechat, make_client):
    client = make_client()
    fake_wechat.fail_next("message/custom/send", times=10, errcode=40001)

    with pytest.raises(WeChatError) as caught:
        client.send_text(RESIDENT, "永远发不出去")

    assert caught.value.code == 40001
    assert fake_wechat.token_requests == 2
    assert len([r for r in fake_wechat.requests if r["path"].endswith("custom/send")]) == 2
    assert fake_wechat.messages == []


def test_a_stale_token_does_not_delete_the_one_another_worker_just_fetched(
        redis, fake_wechat, make_client):
    slow, fast = make_client(), make_client()
    slow.access_token()
    fake_wechat.fail_next("message/custom/send", delay=1.0)
    errors = []

    def send_slowly():
        try:
            slow.send_text(RESIDENT, "慢")
        except WeChatError as error:
            errors.append(error)

    thread = threading.Thread(target=send_slowly)
    thread.start()
    fake_wechat.wait_for(lambda: fake_wechat.requests[-1]["path"].endswith("custom/send"))
    fake_wechat.expire_tokens()
    fast.send_text(RESIDENT, "快")
    thread.join(5)

    assert errors == []
    # The slow worker's 40001 came after the fast one refreshed: it must reuse that token.
    assert fake_wechat.token_requests == 2
    assert sorted(fake_wechat.texts_to(RESIDENT)) == sorted(["快", "慢"])


def test_message_outside_the_48_hour_window_raises_outside_window(fake_wechat, make_client):
    fake_wechat.close_window(RESIDENT)

    with pytest.raises(OutsideWindow) as caught:
        make_client().send_text(RESIDENT, "您的工单已办结")

    assert caught.value.code == 45015
    assert fake_wechat.messages == []


def test_customer_service_quota_raises_quota_exceeded(fake_wechat, make_client):
    fake_wechat.fail_next("message/custom/send", errcode=45047)

    with pytest.raises(QuotaExceeded) as caught:
        make_client().send_text(RESIDENT, "提醒")

    assert caught.value.code == 45047


def test_server_error_raises_unavailable(fake_wechat, make_client):
    fake_wechat.fail_next("message/custom/send", status=500)

    with pytest.raises(WeChatUnavailable):
        make_client().send_text(RESIDENT, "提醒")


def test_token_endpoint_down_raises_unavailable(fake_wechat, make_client):
    fake_wechat.fail_next("/token", status=502)

    with pytest.raises(WeChatUnavailable):
        make_client().send_text(RESIDENT, "提醒")


def test_slow_wechat_raises_unavailable_within_the_timeout(fake_wechat, make_client):
    client = make_client(timeout=(0.5, 0.3))
    client.access_token()
    fake_wechat.fail_next("message/custom/send", delay=3)

    started = time.monotonic()
    with pytest.raises(WeChatUnavailable) as caught:
        client.send_text(RESIDENT, "提醒")

    assert time.monotonic() - started < 1.5
    assert "access_token=" not in str(caught.value) or "access_token=***" in str(caught.value)
    assert client.access_token() not in str(caught.value)


def test_chinese_text_is_sent_as_utf8_not_escaped(fake_wechat, make_client):
    make_client().send_text(RESIDENT, "3号楼漏水，已派网格员处理")

    raw = fake_wechat.messages[0]["raw"]
    assert "3号楼漏水，已派网格员处理" in raw
    assert "\\u" not in raw


def test_template_message_wraps_values(fake_wechat, make_client):
    make_client().send_template(RESIDENT, "TPL_TICKET_DONE",
                                {"ticket": "T-0042", "status": "已办结"},
                                url="https://example.org/t/42")

    [message] = fake_wechat.messages
    assert message["kind"] == "template"
    assert message["template_id"] == "TPL_TICKET_DONE"
    assert message["data"] == {"ticket": {"value": "T-0042"}, "status": {"value": "已办结"}}
    assert message["url"] == "https://example.org/t/42"
    assert "已办结" in message["raw"]


def test_menu_is_created(fake_wechat, make_client):
    menu = {"button": [{"type": "click", "name": "我要反映", "key": "REPORT"}]}

    make_client().create_menu(menu)

    assert fake_wechat.menus == [menu]


def test_wrong_secret_raises_without_leaking_the_secret(fake_wechat, make_client):
    with pytest.raises(WeChatError) as caught:
        make_client(secret="not-the-secret").send_text(RESIDENT, "提醒")

    assert caught.value.code == 40125
    assert "not-the-secret" not in str(caught.value)


def test_unreachable_wechat_does_not_leak_the_secret(redis):
    client = WeChatClient(redis, "wxtestappid", "supersecret",
                          api_base="http://127.0.0.1:9/cgi-bin/", timeout=(0.5, 0.5))

    with pytest.raises(WeChatUnavailable) as caught:
        client.access_token()

    assert "supersecret" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_concurrent_workers_needing_a_token_fetch_it_once(fake_wechat, make_client):
    clients = [make_client() for _ in range(8)]
    start = threading.Barrier(len(clients))
    errors = []

    def send(client, number):
        start.wait()
        try:
            client.send_text(RESIDENT, f"消息{number}")
        except WeChatError as error:
            errors.append(error)

    threads = [threading.Thread(target=send, args=(client, n))
               for n, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert errors == []
    assert fake_wechat.token_requests == 1
    assert sorted(fake_wechat.texts_to(RESIDENT)) == sorted(f"消息{n}" for n in range(8))
