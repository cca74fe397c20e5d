"""Text that tries to break out (CDATA, HTML, SQL), very long and emoji-only messages: answered, kept, harmless."""
from sqlalchemy import func, select

from bot.store.models import Ticket
from handlers.base import SORRY
from tests.conversation import GRID1, number_in, ticket
from tests.desk import add_user, login

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_and_cdata_in_a_complaint_are_shown_escaped_on_the_dashboard(wechat, runtime, client, fake_wechat):
    number = number_in(wechat.say(f"3号楼楼顶漏水]]>{SCRIPT}", sender="o_xss"))
    assert ticket(runtime, number).text == f"3号楼楼顶漏水]]>{SCRIPT}"  # kept as said
    add_user(runtime)
    login(client)
    for page in (client.get(f"/tickets/{number}"), client.get("/tickets")):
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "楼顶漏水" in html
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html
    wechat.run_jobs()
    (push,) = fake_wechat.texts_to(GRID1)  # the grid worker's push carries the text, as plain text
    assert number in push


def test_sql_fragments_are_stored_verbatim_and_harmless(wechat, runtime):
    said = "3号楼漏水'); DROP TABLE tickets; -- \" OR 1=1; DELETE FROM residents WHERE '1'='1"
    number = number_in(wechat.say(said, sender="o_sql"))
    assert ticket(runtime, number).text == said
    assert number in wechat.say("我的工单", sender="o_sql")
    with runtime.sessions() as db:
        assert db.scalar(select(func.count(Ticket.id))) == 1


def test_a_ten_thousand_character_message_gets_a_ticket_and_a_reply(wechat, runtime, fake_wechat):
    said = "3号楼楼顶漏水，" + "天花板一直在滴水" * 1249
    assert len(said) >= 10_000
    reply = wechat.say(said, sender="o_long")
    kept = ticket(runtime, number_in(reply))
    assert len(reply.encode("utf-8")) < 2048  # a WeChat passive reply stays short
    assert kept.text == said  # kept whole, not cut or refused (the webhook's body limit bounds it)
    wechat.run_jobs()
    (push,) = fake_wechat.texts_to(GRID1)
    assert len(push) < 2048


def test_emoji_only_messages_get_a_polite_answer(wechat):
    for said in ("😡😡😡", "👍", "🏠💧💧💧", "🙏" * 500):
        reply = wechat.say(said, sender="o_emoji")
        assert reply and "工单号" not in reply and reply != SORRY  # the help text, not an apology for a crash
    assert wechat.ticket_count() == 0
