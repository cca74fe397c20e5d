"""Every route of the app, swept: none opens to a stranger, no form works without its CSRF token.

A new route is covered the day it is added: the sweep reads app.url_map, so a route that is neither
deliberately public nor refused to strangers fails here. Other authorization checks live with their
features (docs/RELIABILITY.md lists them): a resident and another's ticket (test_resident_conversations), a
grid worker outside their grid (test_staff_conversations, test_dashboard), login rate limiting
(test_dashboard, test_desk_security), API keys (test_open311).
"""
import pytest
from sqlalchemy import select

from bot.store.models import Ticket, TicketEvent
from tests.conversation import config_changes, settings  # noqa: F401 (fixtures)
from tests.desk import PASSWORD, add_user, login, open_ticket

# Open on purpose, each with its own guard: the login form itself, static files, a loopback-or-token check
# for Prometheus, the simulator, which exists only in the demo, and Open311's discovery, which names only the
# endpoints. (/wechat is served in front of Flask and checks WeChat's signature: the next test.)
PUBLIC = {"static", "dashboard.static", "auth.login", "auth.logout",
          "health.healthz", "health.scrape", "simulator.page", "simulator.say", "simulator.pushes",
          "open311.discovery"}
REFUSED = (302, 400, 401, 403, 404)


def _requests(app, number):
    """(endpoint, method, path) for every route, with a real ticket number where one is asked."""
    for rule in app.url_map.iter_rules():
        values = {arg: number if arg == "number" else "json" if arg == "fmt" else "minhu.css" for arg in rule.arguments}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, rule.build(values)[1]


def test_every_route_is_public_on_purpose_or_refused_to_strangers(app, client, runtime):
    number = open_ticket(runtime).number
    swept = 0
    for endpoint, method, path in _requests(app, number):
        if endpoint in PUBLIC:
            continue
        response = client.open(path, method=method, data={"note": "x", "text": "x", "to": "o_demo_grid1_zhao"})
        assert response.status_code in REFUSED, (method, path, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], (method, path)
        assert "漏水" not in response.get_data(as_text=True), (method, path)  # nothing of the ticket shown
        swept += 1
    assert swept >= 11  # the dashboard pages and actions, the CSV, the charts and Open311
    with runtime.sessions() as db:
        assert db.scalar(select(Ticket.status)) == "new"
        assert db.scalar(select(TicketEvent).where(TicketEvent.kind.in_(["note", "transferred"]))) is None


def test_the_public_routes_keep_their_own_guards(client, runtime):
    assert client.get("/wechat", query_string={"echostr": "x"}).status_code == 403
    assert client.post("/wechat", data=b"<xml/>").status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 403
    assert client.get("/healthz").json["ok"] is True and "ticket" not in client.get("/healthz").get_data(as_text=True)
    assert client.post("/logout").status_code == 400  # CSRF, even here
    add_user(runtime)
    assert client.post("/login", data={"username": "wang", "password": PASSWORD}).status_code == 400


@pytest.mark.parametrize("config_changes", [{"simulator": {"enabled": False}}])
def test_the_simulator_is_gone_outside_the_demo(client):
    assert client.get("/simulator").status_code == client.get("/simulator/pushes").status_code == 404
    assert client.post("/simulator/say").status_code in (400, 404)  # the CSRF check comes first


def test_no_post_works_without_the_csrf_token_even_signed_in(app, client, runtime):
    number = open_ticket(runtime).number
    add_user(runtime)
    assert login(client).status_code == 302
    # Open311's writes take an API key, not a session (tests/test_open311_write.py).
    posts = [(endpoint, path) for endpoint, method, path in _requests(app, number)
             if method == "POST" and not endpoint.startswith(("wechat.", "auth.login", "open311."))]
    assert {"views.note", "views.close", "views.reassign", "auth.logout", "simulator.say"} <= {e for e, _ in posts}
    for endpoint, path in posts:
        response = client.post(path, data={"note": "x", "text": "x", "to": "o_demo_grid1_zhao"})
        assert response.status_code == 400, (endpoint, response.status_code)
    assert client.get("/tickets").status_code == 200  # still signed in: the refused logout did nothing
    with runtime.sessions() as db:
        assert db.scalar(select(Ticket.status)) == "new"
        assert db.scalar(select(TicketEvent).where(TicketEvent.kind.in_(["note", "transferred"]))) is None
