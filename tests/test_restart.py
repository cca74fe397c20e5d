"""A process restarted in the middle of a conversation: the half-told report lives in Redis, so it carries on."""
from bot.web.app import create_app
from bot.runtime import Runtime
from tests.conftest import TOKEN
from tests.conversation import GRID2, number_in
from tests.helpers import WeChatDriver


def test_a_report_half_told_before_a_restart_is_finished_after_it(wechat, settings, fake_wechat):
    assert "几号楼" in wechat.say("楼道里的灯坏了好几天了", sender="o_restart")
    assert wechat.ticket_count() == 0

    # The web process dies and a new one starts from scratch on the same Redis and database.
    reborn = Runtime(settings, web=True)
    try:
        after = WeChatDriver(create_app(settings, reborn).test_client(), reborn, fake_wechat, TOKEN)
        number = number_in(after.say("5号楼", sender="o_restart"))
        (ticket,) = after.tickets()
        assert (ticket.number, ticket.building, ticket.grid_id) == (number, "5", "grid-2")
        assert ticket.text == "楼道里的灯坏了好几天了"  # the first half, kept across the restart
        after.run_jobs()
        (push,) = fake_wechat.texts_to(GRID2)
        assert number in push
    finally:
        reborn.close()
