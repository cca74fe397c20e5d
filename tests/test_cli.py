"""The `minhu` command as an operator meets it: beside a running `minhu serve`, and when something is missing."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from tests.conftest import REPO


def minhu(env: dict, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli.main", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=env["HOME"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def alone(tmp_path):
    """The environment of an operator's shell: a config and a data folder, no Redis, no WeChat."""
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "MINHU_CONFIG": str(REPO / "config.yaml"),
            "MINHU_DATA_DIR": str(tmp_path / "var")}


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ")
    return line


def test_commands_beside_minhu_serve_use_its_redis_and_wechat_stand_in(alone, tmp_path):
    assert "start `minhu serve`, or set MINHU_REDIS_URL" in one_line_error(minhu(alone, "digest", "--send"))
    port = free_port()
    with open(tmp_path / "serve.log", "wb") as log:
        serve = subprocess.Popen([sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port), "--web-workers", "1",
                                  "--workers", "2"],
                                 env=alone, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    served = tmp_path / "var" / "serve.json"
    try:
        deadline = time.monotonic() + 60
        while not served.exists() and serve.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert json.loads(served.read_text())["pid"] == serve.pid, (tmp_path / "serve.log").read_text()
        invite = minhu(alone, "staff", "invite", "--grid", "grid-2", "--name", "测试员")
        assert invite.returncode == 0 and "测试员 sends this to the account within 7 days: 绑定 " in invite.stdout
        # Two days ago: past 08:00 the scheduler inside `minhu serve` sends yesterday's digest by itself.
        day = (datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=2)).isoformat()
        digest = minhu(alone, "digest", "--send", "--date", day)  # through the stand-in `minhu serve` started
        assert digest.returncode == 0 and "o_demo_secretary_wang: sent" in digest.stdout, digest.stderr
        again = minhu(alone, "digest", "--send", "--date", day)  # the same store: once per day
        assert again.returncode == 0 and "o_demo_secretary_wang: already sent" in again.stdout, again.stderr
        started = time.monotonic()
        assert f"cannot listen on 127.0.0.1:{port}" in one_line_error(minhu(alone, "serve", "--port", str(port)))
        assert time.monotonic() - started < 10  # at once, not after gunicorn's retries
        other = one_line_error(minhu(alone, "serve", "--port", str(free_port())))
        assert f"another `minhu serve` (pid {serve.pid}) runs with the data folder" in other
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
    assert not served.exists()
    assert "no Redis" in one_line_error(minhu(alone, "staff", "invite", "--grid", "grid-2", "--name", "测试员"))


def test_a_serve_file_left_by_a_killed_serve_is_ignored(alone, tmp_path):
    (tmp_path / "var").mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / "var" / "serve.json").write_text(json.dumps({"pid": dead.pid, "MINHU_REDIS_URL": "unix:///nowhere"}))
    assert "no Redis" in one_line_error(minhu(alone, "scheduler", "--once"))


@pytest.mark.parametrize("args, says", [
    (["digest", "--send"], "no Redis: MINHU_REDIS_URL is not set"),
    (["staff", "invite", "--grid", "grid-2", "--name", "测试员"], "no Redis"),
    (["menu", "push"], "no Redis"),
    (["relay", "--once"], "no Redis"),
    (["scheduler", "--once"], "no Redis"),
    (["db", "upgrade"], "cannot use the database"),
    (["report", "--from", "2026-11-01", "--to", "2026-11-30"], "cannot use the database"),
    (["user", "list"], "cannot use the database"),
    (["apikey", "add", "city"], "cannot use the database"),
    (["report", "--from", "2026-11-30", "--to", "2026-11-01"], "--to is before --from"),
    (["digest", "--date", "2026-13-01"], "Invalid value for '--date'"),
    (["user", "add", "x", "--role", "grid_worker", "--grid", "grid-9", "--password-stdin"], "one of: grid-1"),
    (["staff", "invite", "--name", "测试员"], "a grid worker needs --grid"),
])
def test_expected_failures_are_one_line(alone, tmp_path, args, says):
    from bot.cli.main import main

    env = alone | {"MINHU_REDIS_URL": None, "MINHU_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code in (1, 2) and isinstance(result.exception, SystemExit), result.output
    assert says in result.output and "Traceback" not in result.output


def test_account_and_key_commands_print_only_their_answer(alone):
    added = subprocess.run([sys.executable, "-m", "bot.cli.main", "user", "add", "ops", "--role", "admin",
                            "--password-stdin"], input="correct-horse-42\n", env=alone, capture_output=True,
                           text=True, timeout=60, cwd=alone["HOME"])
    assert (added.returncode, added.stdout, added.stderr) == (0, "user ops (admin) saved\n", "")
    key = minhu(alone, "apikey", "add", "city")
    assert key.stdout.startswith("mh_") and key.stderr == "(the key for city: keep it now, it is not shown again)\n"


def test_help_loads_no_database_or_settings_library(alone):
    probe = ("import sys\nfrom bot.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('sqlalchemy', 'alembic', 'pydantic', 'redis', 'rq') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], env=alone, capture_output=True, text=True, timeout=60,
                         cwd=REPO)
    assert "Usage: " in out.stdout and out.stdout.strip().splitlines()[-1] == "[]", out.stderr


def test_help_lists_each_command_with_its_own_first_line():
    """`minhu --help` reads the table in bot/cli/main.py without loading the commands: the table says what they do."""
    import importlib

    from bot.cli.main import COMMANDS

    for name, (module, attribute, line) in COMMANDS.items():
        command = getattr(importlib.import_module(module), attribute)
        assert (command.name, command.get_short_help_str(limit=1000)) == (name, line)
