"""config.yaml as an administrator edits it: mistakes stop start-up naming the key; oddities are warned of."""
import logging

import pytest
import yaml
from click.testing import CliRunner

from bot.errors import ConfigError
from tests.conftest import REPO


def written(tmp_path, change) -> "Path":  # noqa: F821
    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def grid(raw, n):
    return raw["communities"][0]["estates"][0]["grids"][n]



def test_how_long_an_open_ticket_takes_a_chase_is_conversation_chase_window(tmp_path, env):
    from datetime import timedelta

    from bot.settings import load_settings

    path = written(tmp_path, lambda r: r["conversation"].update(chase_window="3d"))
    assert load_settings(path, env).config.conversation.chase_window == timedelta(days=3)


def test_the_old_nudge_window_key_is_refused_naming_its_new_name_chase_window(tmp_path, env):
    from bot.settings import load_settings

    path = written(tmp_path, lambda r: r["conversation"].update(nudge_window="3d"))
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env)
    says = str(caught.value)
    assert "conversation.nudge_window" in says and "conversation.chase_window" in says and "unknown key" not in says


@pytest.mark.parametrize("change, says", [
    (lambda r: r.update(foo=1), "  foo: unknown key (misspelt, or under the wrong parent?)"),
    (lambda r: grid(r, 0).update(colour="red"), "  communities.0.estates.0.grids.0.colour: unknown key"),
    (lambda r: r["categories"]["gas"].update(department="nope"),
     "  categories.gas.department: 'nope' is not in departments"),
    (lambda r: r["communities"][0].pop("secretary"), "  communities.0.secretary: missing (it is required)"),
    (lambda r: grid(r, 0).update(buildings="1"), "  communities.0.estates.0.grids.0.buildings: expected a list"),
    (lambda r: r.update(duty="x"), "  duty: expected a mapping (key: value lines), got 'x'"),
    (lambda r: r["simulator"].update(enabled="maybe"), "  simulator.enabled: expected true or false, got 'maybe'"),
    (lambda r: r["webhook"].update(max_body_bytes=5), "  webhook.max_body_bytes: expected at least 1024, got 5"),
    (lambda r: r.update(dashboard={"trusted_proxies": -1}), "  dashboard.trusted_proxies: expected at least 0, got -1"),
    (lambda r: r.update(quotas={"tickets_per_day": 0}), "  quotas.tickets_per_day: expected at least 1, got 0"),
    (lambda r: r["menu"].append({"name": "x", "key": "y"}), "  menu: expected at most 3 items, got 4"),
    (lambda r: r["communities"][0]["contacts"][0].update(phone="打我电话"),
     "  communities.0.contacts.0.phone: expected a phone number such as \"010-12345678\" or \"12345\", got '打我电话'"),
])
def test_a_mistake_stops_start_up_naming_the_key_in_plain_words(tmp_path, env, change, says):
    from bot.settings import load_settings

    path = written(tmp_path, change)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}: invalid configuration" and says in lines[1:2][0]
    assert "Input should" not in str(caught.value) and "(top level)" not in str(caught.value)


def without_building_8(raw):
    grid(raw, 1)["buildings"].remove("8")


def test_a_building_in_no_grid_is_warned_of_at_check_and_start(tmp_path, env, caplog, redis_url):
    from bot.web.app import create_app
    from bot.cli.main import main
    from bot.settings import load_settings

    path = written(tmp_path, without_building_8)
    result = CliRunner().invoke(main, ["check"], env={"MINHU_CONFIG": str(path)})
    assert result.exit_code == 0 and ": ok" in result.output
    warning = ("communities.0.estates.0.buildings: building '8' is in no grid: its tickets go to the "
               "secretary (王书记)")
    assert f"warning: {warning}" in result.output
    with caplog.at_level(logging.WARNING, logger="minhu"):
        app = create_app(load_settings(path, env))
    app.extensions["minhu"].close()
    assert any(warning in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("content, says", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "is not UTF-8 text"),
    (b"", "is empty"),
    (b"# all commented out\n", "is empty"),
    (b"- communities\n- categories\n", "expected a mapping of settings (key: value lines) at the top level, got a list"),
    (b"just some words\n", "expected a mapping of settings (key: value lines) at the top level, got text"),
])
def test_a_file_that_is_no_mapping_of_settings_is_refused_naming_the_file(tmp_path, content, says):
    from bot.cli.main import main
    from bot.settings import load_settings

    path = tmp_path / "config.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert str(caught.value) == f"{path}: {says}"
    result = CliRunner().invoke(main, ["check"], env={"MINHU_CONFIG": str(path)})
    assert result.exit_code == 1 and result.output == f"Error: {path}: {says}\n"


@pytest.mark.parametrize("aes_key", [
    "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1a",  # 42 characters
    "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aRR",  # 44
    "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1a!",  # 43, not all base64
    "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1a=",  # 43, padding inside
])
def test_a_bad_aes_key_is_refused_at_check_and_start_naming_it(tmp_path, aes_key):
    from bot.cli.main import main
    from bot.settings import load_settings

    with pytest.raises(ConfigError) as caught:
        load_settings(REPO / "config.yaml", {"MINHU_WECHAT_AES_KEY": aes_key, "MINHU_WECHAT_APPID": "wx1"})
    (line,) = str(caught.value).splitlines()
    assert line.startswith("MINHU_WECHAT_AES_KEY: ") and "43 characters" in line and aes_key not in line
    result = CliRunner().invoke(main, ["check"], env={"MINHU_CONFIG": str(REPO / "config.yaml"),
                                                     "MINHU_WECHAT_AES_KEY": aes_key, "MINHU_WECHAT_APPID": "wx1"})
    assert result.exit_code == 1 and result.output == f"Error: {line}\n"


def test_a_good_aes_key_passes(tmp_path):
    from bot.settings import load_settings

    key = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
    assert load_settings(REPO / "config.yaml", {"MINHU_WECHAT_AES_KEY": f" {key}\n"}).secrets.wechat_aes_key == key
