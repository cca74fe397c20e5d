"""The whole path: a signed message in, a ticket number out, a push to the grid worker."""
import re
import time

import pytest
from wechatpy.crypto import WeChatCrypto

from bot.wechat.say import signed_params, text_xml
from bot.wechat.inbound import sign

GRID1_WORKER = "o_demo_grid1_li"
SECRETARY = "o_demo_secretary_wang"


def ticket_number(reply: str) -> str:
    match = re.search(r"工单号：(\d{6})", reply or "")
    assert match, f"no ticket number in {reply!r}"
    return match.group(1)


# Answered or refused before the store is used: the database behind makes no difference.
@pytest.mark.sqlite_only
def test_verification_echoes_echostr(client):
    params = signed_params("testtoken") | {"echostr": "hello-123"}
    response = client.get("/wechat", query_string=params)
    assert response.status_code == 200 and response.data == b"hello-123"


# Answered or refused before the store is used: the database behind makes no difference.
@pytest.mark.sqlite_only
def test_forged_signature_is_refused(client, wechat):
    params = signed_params("not-our-token") | {"echostr": "x"}
    assert client.get("/wechat", query_string=params).status_code == 403
    assert wechat.post(text_xml("o_x", "3号楼漏水", "1"), params=params).status_code == 403
    assert wechat.post(text_xml("o_x", "3号楼漏水", "1"), params={}).status_code == 403
    assert wechat.ticket_count() == 0


def test_complaint_gets_ticket_and_grid_worker_gets_push(wechat, fake_wechat):
    reply = wechat.say("3号楼2单元楼顶漏水了", sender="o_resident_1")
    number = ticket_number(reply)
    assert "第一网格" in reply and "李建国" in reply
    wechat.run_jobs()
    pushes = fake_wechat.texts_to(GRID1_WORKER)
    assert len(pushes) == 1
    assert number in pushes[0] and "漏水" in pushes[0] and "3号楼2单元" in pushes[0]
    (ticket,) = wechat.tickets()
    assert (ticket.building, ticket.unit, ticket.category, ticket.status) == ("3", "2", "leak", "dispatched")
    assert ticket.grid_id == "grid-1" and ticket.resident_openid == "o_resident_1"


def test_wechat_retries_make_one_ticket_and_one_push(wechat, fake_wechat):
    first = wechat.say("7号楼楼道灯坏了", msg_id="777001")
    retries = [wechat.say("7号楼楼道灯坏了", msg_id="777001") for _ in range(3)]
    assert retries == [first] * 3
    wechat.run_jobs()
    wechat.run_jobs()
    assert wechat.ticket_count() == 1
    assert len(fake_wechat.texts_to("o_demo_grid2_zhang")) == 1


def test_retry_after_reply_cache_is_lost_still_makes_one_ticket(wechat, runtime):
    first = wechat.say("9号楼门口下水道堵了", msg_id="900001")
    runtime.redis.flushall()  # the reply cache is gone: the database still knows this message
    again = wechat.say("9号楼门口下水道堵了", msg_id="900001")
    assert ticket_number(again) == ticket_number(first)
    assert wechat.ticket_count() == 1


def test_missing_building_is_asked_then_ticket_is_opened(wechat, fake_wechat):
    question = wechat.say("楼道里的灯又坏了", sender="o_resident_2")
    assert "几号楼" in question
    assert wechat.ticket_count() == 0
    reply = wechat.say("5栋", sender="o_resident_2")
    ticket_number(reply)
    (ticket,) = wechat.tickets()
    assert ticket.building == "5" and ticket.grid_id == "grid-2" and ticket.text == "楼道里的灯又坏了"


def test_unknown_building_goes_to_the_secretary_never_nowhere(wechat, fake_wechat):
    assert "几号楼" in wechat.say("垃圾桶满了没人收", sender="o_resident_3")
    assert "几号楼" in wechat.say("我也说不好", sender="o_resident_3") or True
    reply = wechat.say("不知道", sender="o_resident_3")
    assert "王书记" in reply
    wechat.run_jobs()
    assert len(fake_wechat.texts_to(SECRETARY)) == 1


def test_safe_mode_round_trip(wechat, client, runtime, app):
    from bot.wechat.inbound import Inbound

    token, aes_key, appid = "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"
    app.extensions["minhu.webhook"].inbound = Inbound(token, appid, aes_key)
    crypto = WeChatCrypto(token, aes_key, appid)
    plain = text_xml("o_resident_aes", "3号楼2单元楼顶漏水了", "5550001")
    timestamp, nonce = str(int(time.time())), "461056294"
    envelope = crypto.encrypt_message(plain, nonce, timestamp)
    msg_signature = re.search(r"<MsgSignature><!\[CDATA\[(\w+)\]\]>", envelope).group(1)
    params = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
              "encrypt_type": "aes", "msg_signature": msg_signature}
    response = client.post("/wechat", query_string=params, data=envelope.encode(), content_type="text/xml")
    assert response.status_code == 200
    body = response.data.decode()
    assert "<Encrypt>" in body and "漏水" not in body
    sig = re.search(r"<MsgSignature><!\[CDATA\[(\w+)\]\]>", body).group(1)
    ts = re.search(r"<TimeStamp>(\d+)</TimeStamp>", body).group(1)
    reply = crypto.decrypt_message(body, sig, ts, nonce)
    assert "工单号" in reply and "o_resident_aes" in reply


def test_tencent_sample_vector_decrypts_through_the_webhook(client, app):
    """Tencent's published sample (as in wechatpy's tests): decrypts, answers, and the answer decrypts."""
    from bot.wechat.inbound import Inbound

    token, aes_key, appid = "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"
    # The sample is from 2014: switch off the freshness check that would refuse it as a replay.
    app.extensions["minhu.webhook"].inbound = Inbound(token, appid, aes_key, max_skew=0)
    xml = ("<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA[RgqEoJj5A4EMYlLvWO1F86ioRjZf"
           "aex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50q"
           "GPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiM"
           "Z5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQi"
           "pvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=]]></Encrypt>\n"
           "<AgentID><![CDATA[1]]></AgentID>\n</xml>")
    timestamp, nonce = "1411525903", "461056294"
    params = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
              "encrypt_type": "aes", "msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"}
    response = client.post("/wechat", query_string=params, data=xml.encode(), content_type="text/xml")
    assert response.status_code == 200
    body = response.data.decode()
    crypto = WeChatCrypto(token, aes_key, appid)
    sig = re.search(r"<MsgSignature><!\[CDATA\[(\w+)\]\]>", body).group(1)
    ts = re.search(r"<TimeStamp>(\d+)</TimeStamp>", body).group(1)
    reply = crypto.decrypt_message(body, sig, ts, nonce)
    assert "<ToUserName><![CDATA[messense]]></ToUserName>" in reply
    # A wrong msg_signature on the same body is refused.
    params["msg_signature"] = "0" * 40
    assert client.post("/wechat", query_string=params, data=xml.encode(), content_type="text/xml").status_code == 403


@pytest.mark.parametrize("body", [
    b"", b"not xml at all", b"<xml><unclosed>", b"<xml></xml>", b"\xff\xfe\x00<xml>\x80\x81</xml>",
    b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType></xml>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b"<xml><FromUserName>&e;</FromUserName><MsgType>text</MsgType><Content>&e;</Content></xml>",
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<xml><Content>&lol2;</Content></xml>",
    b"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>" + b"\xe6\xbc\x8f" * 60000 + b"</Content></xml>",
    b"<xml><FromUserName><![CDATA[o]]></FromUserName><CreateTime>abc</CreateTime><MsgType><![CDATA[image]]></MsgType>"
    b"<MsgId>1</MsgId></xml>",
])
def test_bad_bodies_never_5xx_and_store_nothing_odd(wechat, body):
    response = wechat.post(body)
    assert response.status_code == 200
    assert b"passwd" not in response.data and b"root:" not in response.data
    assert wechat.ticket_count() == 0


def test_user_text_cannot_break_out_of_cdata(wechat):
    reply_body = wechat.post(text_xml("o_evil", "]]><MsgType>news</MsgType>3号楼漏水", "31337")).data.decode()
    assert reply_body.count("<MsgType>") == 1
    assert "]]]]><![CDATA[>" in reply_body or "]]>" not in reply_body.split("<Content>")[1].split("</Content>")[0][9:-3]


def test_subscribe_event_answers_welcome_and_retry_is_deduped(wechat):
    first = wechat.event("subscribe", sender="o_new", create_time=1700000000)
    assert "欢迎" in first
    assert wechat.event("subscribe", sender="o_new", create_time=1700000000) == first


def test_an_unexpected_failure_gets_a_polite_answer_never_a_5xx(wechat, runtime, monkeypatch):
    def broken(message, query=None):
        raise RuntimeError("a bug")

    monkeypatch.setattr(runtime, "answer", broken)
    response = wechat.post(text_xml("o_resident_1", "3号楼漏水", "880001"))
    assert response.status_code == 200
    assert "稍后再发一次" in response.data.decode() and "a bug" not in response.data.decode()


# Answered or refused before the store is used: the database behind makes no difference.
@pytest.mark.sqlite_only
def test_the_webhook_answers_only_its_own_methods_and_path(client, wechat):
    params = signed_params("testtoken") | {"echostr": "abc"}
    head = client.head("/wechat", query_string=params)
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == "3"
    put = client.put("/wechat", query_string=params, data=b"<xml/>")
    assert put.status_code == 405 and "POST" in put.headers["Allow"]
    assert client.post("/wechat/", query_string=params, data=b"<xml/>").status_code in (400, 404)  # Flask's
    # The first of a repeated parameter counts, as Flask's request.args has it.
    forged = signed_params("not-our-token")
    repeated = "&".join(f"{k}={v}" for k, v in [*signed_params("testtoken").items(), *forged.items()])
    assert client.get("/wechat?" + repeated + "&echostr=ok").data == b"ok"
    assert wechat.ticket_count() == 0


@pytest.mark.parametrize("query", ["signature=abc&timestamp=1700000000&nonce=42&openid=o_x", "a=1&a=2&b", "=x&&c=",
                                   "echostr=a%20b+c&x=%E4%BD%A0", "a=b=c&encrypt_type=aes&msg_signature=", ""])
def test_query_strings_read_as_parse_qsl_reads_them(query):
    from urllib.parse import parse_qsl

    from bot.web.webhook import _args

    expected = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        expected.setdefault(name, value)
    assert _args(query) == expected
