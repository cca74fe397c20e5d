"""A signed query seen once (in a proxy's log) posts nothing else; WeChat's own retries of a message still get its reply."""
import re
import time

import yaml
from wechatpy.crypto import WeChatCrypto

from bot.wechat.say import reply_text, sealed, signed_params, text_xml
from bot.wechat.inbound import Inbound, sign
from tests.conftest import REPO, TOKEN

GRID1_WORKER = "o_demo_grid1_li"
AES_KEY, APPID = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"


def test_a_signed_query_used_again_with_another_message_is_refused(wechat, fake_wechat):
    query = signed_params(TOKEN)
    first = wechat.post(text_xml("o_resident_1", "3号楼2单元楼顶漏水了", "610001"), params=query)
    number = re.search(r"工单号：(\d+)", reply_text(first.data.decode())).group(1)
    # Someone read the query in a log: the grid worker's "完成", another resident's report, the same MsgId
    # from someone else.
    for sender, text, msg_id in ((GRID1_WORKER, f"完成 {number}", "610002"), ("o_stranger", "5号楼电梯坏了", "610003"),
                                 ("o_stranger", "3号楼2单元楼顶漏水了", "610001")):
        assert wechat.post(text_xml(sender, text, msg_id), params=query).status_code == 403
    (ticket,) = wechat.tickets()
    assert ticket.status != "resolved" and ticket.resident_openid == "o_resident_1"


def test_wechat_retrying_a_message_with_the_same_query_gets_the_first_reply(wechat, fake_wechat):
    """WeChat retries a message it got no answer to with the very same URL (signature, timestamp, nonce)."""
    query = signed_params(TOKEN)
    body = text_xml("o_resident_7", "7号楼楼道灯坏了", "620001")
    replies = [wechat.post(body, params=query) for _ in range(4)]
    assert [r.status_code for r in replies] == [200] * 4
    assert len({r.data for r in replies}) == 1 and "工单号" in replies[0].data.decode()
    wechat.run_jobs()
    assert wechat.ticket_count() == 1 and len(fake_wechat.texts_to("o_demo_grid2_zhang")) == 1


def test_an_event_retried_with_the_same_query_is_answered_again(wechat):
    query = signed_params(TOKEN)
    body = ("<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[o_new]]></FromUserName>"
            "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[subscribe]]></Event></xml>")
    first, again = (wechat.post(body, params=query) for _ in range(2))
    assert first.status_code == again.status_code == 200 and "欢迎" in reply_text(again.data.decode())


def test_a_reused_query_is_refused_in_safe_mode_too(client, app, wechat):
    app.extensions["minhu.webhook"].inbound = Inbound("123456", APPID, AES_KEY)
    crypto = WeChatCrypto("123456", AES_KEY, APPID)
    timestamp, nonce = str(int(time.time())), "730001"

    def post(sender, msg_id):
        envelope = crypto.encrypt_message(text_xml(sender, "3号楼2单元楼顶漏水了", msg_id), nonce, timestamp)
        msg_signature = re.search(r"<MsgSignature><!\[CDATA\[(\w+)\]\]>", envelope).group(1)
        query = {"signature": sign("123456", timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
                 "encrypt_type": "aes", "msg_signature": msg_signature}
        return client.post("/wechat", query_string=query, data=envelope.encode(), content_type="text/xml")

    assert post("o_resident_aes", "730001").status_code == 200
    assert post("o_stranger", "730002").status_code == 403
    assert wechat.ticket_count() == 1


def test_plaintext_is_refused_once_an_aes_key_is_set_unless_config_allows_it(env, runtime, wechat, tmp_path):
    from bot.web.app import create_app
    from bot.settings import load_settings

    plain = text_xml("o_resident_plain", "3号楼2单元楼顶漏水了", "740001").encode()
    other = text_xml("o_resident_plain", "5号楼电梯坏了", "740002").encode()
    keyed = env | {"MINHU_WECHAT_AES_KEY": AES_KEY}
    client = create_app(load_settings(REPO / "config.yaml", keyed), runtime).test_client()
    refused = client.post("/wechat", query_string=signed_params(TOKEN), data=plain, content_type="text/xml")
    assert refused.status_code == 403 and wechat.ticket_count() == 0
    # What `minhu say` and the simulator send with the key set: encrypted, and the reply read back.
    crypto = WeChatCrypto(TOKEN, AES_KEY, env["MINHU_WECHAT_APPID"])
    query, body = sealed(TOKEN, plain.decode(), crypto)
    said = client.post("/wechat", query_string=query, data=body, content_type="text/xml")
    assert "工单号" in reply_text(said.data.decode(), crypto) and wechat.ticket_count() == 1

    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw["webhook"]["accept_plaintext"] = True  # WeChat's plaintext mode, with the key kept for a switch later
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    client = create_app(load_settings(tmp_path / "config.yaml", keyed), runtime).test_client()
    taken = client.post("/wechat", query_string=signed_params(TOKEN), data=other, content_type="text/xml")
    assert taken.status_code == 200 and "工单号" in taken.data.decode()
