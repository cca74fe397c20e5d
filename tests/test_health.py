"""/healthz, /metrics, the stand-in's push log and the `minhu user` / `minhu apikey` commands."""
import pytest
import requests
from click.testing import CliRunner
from redis.exceptions import ConnectionError as RedisDown
from sqlalchemy import select

from bot.store.models import ApiKey, User
from tests.desk import login, open_ticket


def test_healthz_says_what_is_down(client, runtime, monkeypatch):
    assert client.get("/healthz").json == {"ok": True, "database": "ok", "redis": "ok"}

    def down():
        raise RedisDown("refused")

    monkeypatch.setattr(runtime.redis, "ping", down)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["redis"].startswith("down")


def test_metrics_count_messages_tickets_and_queue(client, wechat, runtime):
    wechat.say("3号楼2单元楼顶漏水了")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'minhu_webhook_messages_total{outcome="reply"}' in text
    assert "minhu_webhook_seconds_bucket" in text
    assert 'minhu_tickets{category="leak",status="new"} 1.0' in text
    assert 'minhu_queue_jobs{state="queued"}' in text and "minhu_push_failures_total" in text


# Refused before any count is read: the database behind makes no difference.
@pytest.mark.sqlite_only
def test_metrics_are_refused_off_the_machine_without_the_token(client, settings, runtime):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 403


def test_metrics_token_opens_metrics_to_a_remote_prometheus(env, runtime):
    from bot.web.app import create_app
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from tests.conftest import REPO

    settings = load_settings(REPO / "config.yaml", env | {"MINHU_METRICS_TOKEN": "scrape-me"})
    rt = Runtime(settings, web=True)
    client = create_app(settings, rt).test_client()
    remote = {"REMOTE_ADDR": "10.0.0.7"}
    assert client.get("/metrics", environ_base=remote).status_code == 403
    ok = client.get("/metrics", environ_base=remote, headers={"Authorization": "Bearer scrape-me"})
    rt.close()
    assert ok.status_code == 200


def test_standin_lists_the_pushes_to_one_person(wechat, fake_wechat):
    wechat.say("3号楼2单元楼顶漏水了")
    wechat.run_jobs()
    base = fake_wechat.api_base.removesuffix("cgi-bin/")
    pushes = requests.get(f"{base}_standin/messages", params={"touser": "o_demo_grid1_li"}, timeout=5).json()
    (push,) = pushes["messages"]
    assert "漏水" in push["content"] and push["seq"] >= 1
    later = requests.get(f"{base}_standin/messages", params={"touser": "o_demo_grid1_li", "after": push["seq"]},
                         timeout=5).json()
    assert later["messages"] == []


def test_cli_adds_users_and_api_keys(env, runtime, client, monkeypatch):
    from bot.cli.main import main
    from tests.conftest import REPO

    for key, value in (env | {"MINHU_CONFIG": str(REPO / "config.yaml")}).items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    result = runner.invoke(main, ["user", "add", "li", "--role", "grid_worker", "--grid", "grid-1", "--name",
                                  "李建国", "--password-stdin"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    bad = runner.invoke(main, ["user", "add", "x", "--role", "grid_worker", "--grid", "grid-9", "--password-stdin"],
                        input="a-long-password\n")
    assert bad.exit_code != 0 and "grid-1" in bad.output
    with runtime.sessions() as db:
        user = db.scalar(select(User).where(User.username == "li"))
        assert (user.role, user.grid_id, user.community_id) == ("grid_worker", "grid-1", "xingfu")
        assert "a-long-password" not in user.password_hash and user.password_hash.startswith("scrypt:32768:")
    assert login(client, "li", "a-long-password").status_code == 302
    result = runner.invoke(main, ["apikey", "add", "city"])
    key = result.stdout.strip().splitlines()[0]
    with runtime.sessions() as db:
        assert key not in db.scalar(select(ApiKey.key_hash))
    open_ticket(runtime)
    assert client.get("/open311/v2/requests.json", query_string={"api_key": key}).status_code == 200
