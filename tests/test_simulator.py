"""The simulator is for the demo: on with the flag and the loopback stand-in, off otherwise, and strict on input."""
import re

import pytest

from bot.settings import SimulatorSettings

PATHS = ["/simulator", "/simulator/pushes?openid=o_sim_resident_1"]


def _with(runtime, monkeypatch, enabled=True, api_base=None, appid=None):
    settings = runtime.settings
    config = settings.config.model_copy(update={"simulator": SimulatorSettings(enabled=enabled)})
    secrets = settings.secrets.model_copy(update={"wechat_api_base": api_base or settings.secrets.wechat_api_base,
                                                  "wechat_appid": appid or settings.secrets.wechat_appid})
    monkeypatch.setattr(runtime, "settings", settings.model_copy(update={"config": config, "secrets": secrets}))


def test_the_demo_configuration_turns_it_on(client):
    page = client.get("/simulator").get_data(as_text=True)
    assert "张阿姨" in page and "李建国（第一网格网格员）" in page


@pytest.mark.parametrize("path", PATHS)
def test_off_when_the_flag_is_off(client, runtime, monkeypatch, path):
    _with(runtime, monkeypatch, enabled=False)
    assert client.get(path).status_code == 404
    refused = client.post("/simulator/say", json={"openid": "o_sim_resident_1", "text": "hi"})
    assert refused.status_code in (400, 404)  # no page, so no form token either


@pytest.mark.parametrize("path", PATHS)
def test_refuses_to_run_against_the_real_wechat(client, runtime, monkeypatch, path):
    _with(runtime, monkeypatch, api_base="https://api.weixin.qq.com/cgi-bin/")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", PATHS)
def test_refuses_a_real_account_behind_a_loopback_proxy(client, runtime, monkeypatch, path):
    # A production account whose API calls go through a forwarding proxy on this machine.
    _with(runtime, monkeypatch, api_base="http://127.0.0.1:8081/cgi-bin/", appid="wx8a2f3c4d5e6f7a8b")
    assert client.get(path).status_code == 404


def test_say_needs_the_page_token_and_a_known_person(client, wechat):
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/simulator").get_data(as_text=True)).group(1)
    unsigned = client.post("/simulator/say", json={"openid": "o_sim_resident_1", "text": "3号楼漏水"})
    assert unsigned.status_code == 400
    assert unsigned.is_json and "表单已过期" in unsigned.json["error"]  # the page's script shows it as it is
    stranger = client.post("/simulator/say", json={"openid": "o_anyone", "text": "3号楼漏水"},
                           headers={"X-CSRF-Token": token})
    assert stranger.status_code == 400
    assert client.get("/simulator/pushes?openid=o_anyone").status_code == 400
    assert client.get("/simulator/pushes").json == {"error": "请求有误：请选择要查看的身份。"}
    assert wechat.ticket_count() == 0
