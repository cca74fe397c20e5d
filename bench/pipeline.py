"""From a resident's message to the grid worker's phone: a burst (or trickle) of distinct complaints through the real
webhook, timed from each reply to its task push.

    python bench/pipeline.py serve [--tickets 200] [--workers N]          # `minhu serve`: SQLite, embedded Redis
    MINHU_BENCH_DATABASE_URL=postgresql://... python bench/pipeline.py stack [--tickets 500] [--nodes 2] [--workers 2]
    ... --rate 2 --tickets 40                                              # a trickle: 2 messages a second

WeChat is a loopback stand-in that answers each push after `--delay` seconds (default 0.1, a round trip from a
server in China). Prints reply → push p50/p95/max, pushes/s, the workers' CPU per push, and checks every ticket
was pushed to its grid worker exactly once and nothing is in RQ's failed registry. Never a test: figures only.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import REPO, TOKEN, Stack, free_port, wait_for_port, write_config  # noqa: E402

from bot.cli.served import SERVE_FILE  # noqa: E402
from bot.wechat.say import reply_text, signed_params, text_xml  # noqa: E402
from bot.wechat.standin import StandIn  # noqa: E402

PROBLEMS = ["{b}号楼顶楼天花板漏水了", "{b}号楼下水道堵了污水冒出来", "{b}号楼今天停水了一直没来",
            "{b}号楼楼下有外来车辆乱停占车位", "{b}号楼楼道灯坏了", "{b}号楼电梯坏了停运", "{b}号楼垃圾桶满了没人清",
            "{b}号楼燃气表坏了不走字", "{b}号楼有人飞线充电", "{b}号楼晚上装修太吵了", "{b}号楼单元门禁坏了",
            "{b}号楼门口的树枝太长挡路了", "{b}号楼楼道里堆满杂物堵住了", "{b}号楼消防栓里没有灭火器", "{b}号楼有人违章搭建"]
NUMBER = re.compile(r"工单号：(\d+)")
TICK = os.sysconf("SC_CLK_TCK")


class SlowWeChat(StandIn):
    """The stand-in, answering each push after `delay` seconds and noting when each one arrived."""

    def __init__(self, delay: float):
        super().__init__(appid="wxbenchpipeline", secret="benchsecret")
        self.delay = delay

    def handle(self, method, path, query, body):
        if path.endswith("/message/custom/send") or path.endswith("/message/template/send"):
            time.sleep(self.delay)
        return super().handle(method, path, query, body)

    def _record(self, message):
        message["at"] = time.time()
        super()._record(message)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes (and their waited-for children), from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return total / TICK


def workers_under(root: int) -> list[int]:
    """The `minhu worker` processes descended from `root`."""
    parents, commands = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue

    def descends(pid: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parents.get(pid, 0)
        return False

    return [pid for pid, command in commands.items() if "bot.cli.main worker" in command and descends(pid)]


def send_all(urls: list[str], tickets: int, rate: float, concurrency: int = 32) -> dict[str, float]:
    """Each complaint once (to every node at the same moment when there are several); return ticket → reply time."""
    base = int(time.time() * 1000) * 1000
    letters = [(base + i, f"o_pipe_{i}", PROBLEMS[i % len(PROBLEMS)].format(b=i // len(PROBLEMS) + 1))
               for i in range(tickets)]
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=concurrency * 2))
    replies: dict[str, float] = {}
    lock = threading.Lock()

    def post(url: str, letter) -> str | None:
        msg_id, sender, text = letter
        response = session.post(url, params=signed_params(TOKEN), data=text_xml(sender, text, str(msg_id)).encode(),
                                timeout=30)
        found = NUMBER.search(reply_text(response.content.decode("utf-8")) or "")
        return found.group(1) if found else None

    def deliver(letter) -> None:
        if len(urls) == 1:
            numbers = [post(urls[0], letter)]
        else:  # WeChat's retry landing on the other node while the first is still answering
            with ThreadPoolExecutor(len(urls)) as both:
                numbers = list(both.map(lambda url: post(url, letter), urls))
        at = time.time()
        if len(set(numbers)) != 1 or numbers[0] is None:
            print(f"message {letter[0]}: replies disagree or carry no ticket number: {numbers}")
            return
        with lock:
            replies.setdefault(numbers[0], at)

    if rate:
        for letter in letters:
            started = time.monotonic()
            deliver(letter)
            time.sleep(max(0.0, 1 / rate - (time.monotonic() - started)))
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(deliver, letters))
    return replies


def task_pushes(wechat: SlowWeChat) -> dict[str, list[float]]:
    """Ticket number → when each task push to a grid worker arrived."""
    pushes: dict[str, list[float]] = {}
    with wechat._lock:
        messages = list(wechat.messages)
    for message in messages:
        found = NUMBER.search(message.get("content") or "")
        if found and message["touser"].startswith("o_bench_grid") and "新工单" in message["content"]:
            pushes.setdefault(found.group(1), []).append(message["at"])
    return pushes


def wait_for_pushes(wechat: SlowWeChat, expected: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(task_pushes(wechat)) < expected:
        time.sleep(0.2)
    time.sleep(3)  # a push sent twice would show up now


def wait_for_workers(redis_url: str, expected: int, timeout: float = 180) -> int:
    """Wait until `expected` RQ workers have registered (loaded and listening): their start-up is not the burst's."""
    from redis import Redis
    from rq import Worker

    deadline = time.monotonic() + timeout
    with Redis.from_url(redis_url) as redis:
        while time.monotonic() < deadline and Worker.count(connection=redis) < expected:
            time.sleep(0.5)
        time.sleep(2)
        return Worker.count(connection=redis)


def failed_jobs(redis_url: str) -> int:
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry

    with Redis.from_url(redis_url) as redis:
        return len(FailedJobRegistry(queue=Queue("minhu", connection=redis)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(label: str, replies: dict[str, float], pushes: dict[str, list[float]], cpu: float, failed: int) -> None:
    waits = [pushes[number][0] - at for number, at in replies.items() if number in pushes]
    twice = sum(1 for times in pushes.values() if len(times) > 1)
    first, last = min(replies.values()), max(times[0] for times in pushes.values())
    sent = sum(len(times) for times in pushes.values())
    print(f"{label}: tickets {len(replies)}, pushed {len(pushes)} (twice: {twice}), failed jobs {failed}")
    print(f"  reply → push p50 {percentile(waits, .5):.2f} s, p95 {percentile(waits, .95):.2f} s, "
          f"max {max(waits):.2f} s; {sent / (last - first):.1f} pushes/s; worker CPU {1000 * cpu / max(sent, 1):.1f} "
          f"ms per push")
    ok = len(pushes) == len(replies) and twice == 0 and failed == 0
    print("  every ticket pushed exactly once, nothing failed" if ok else "  NOT every ticket pushed exactly once")


def run_serve(args, wechat: SlowWeChat) -> None:
    folder = Path(tempfile.mkdtemp(prefix="minhu-pipeline-"))
    config = write_config(folder / "config.yaml", args.tickets // len(PROBLEMS) + 1)
    env = {key: value for key, value in os.environ.items() if not key.startswith("MINHU_")}
    env.update(MINHU_CONFIG=str(config), MINHU_DATA_DIR=str(folder / "data"), MINHU_WECHAT_TOKEN=TOKEN,
               MINHU_WECHAT_APPID=wechat.appid, MINHU_WECHAT_SECRET=wechat.secret,
               MINHU_WECHAT_API_BASE=wechat.api_base, PYTHONPATH=str(REPO))
    port = free_port()
    command = [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port)]
    command += ["--workers", str(args.workers)] if args.workers else []
    with open(folder / "serve.log", "wb") as log:
        serve = subprocess.Popen(command, env=env, cwd=str(REPO), stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port)
        healthy(f"http://127.0.0.1:{port}/healthz")
        redis_url = json.loads((folder / "data" / SERVE_FILE).read_text(encoding="utf-8")).get("MINHU_REDIS_URL")
        wait_for_workers(redis_url, args.workers or 1)
        measure(args, wechat, [f"http://127.0.0.1:{port}/wechat"], workers_under(serve.pid), redis_url)
    finally:
        serve.terminate()
        serve.wait(timeout=120)


def healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)


def run_stack(args, wechat: SlowWeChat) -> None:
    with Stack(web_workers=args.web_workers, standin=wechat, buildings=args.tickets // len(PROBLEMS) + 1,
               web_nodes=args.nodes) as stack:
        workers = [stack.start_worker(args.processes) for _ in range(args.workers or 2)]
        stack.start_relay()
        stack.start_scheduler()
        wait_for_workers(stack.redis.url, (args.workers or 2) * args.processes)
        pids = [pid for worker in workers for pid in workers_under(worker.pid) + [worker.pid]]
        measure(args, wechat, stack.urls, sorted(set(pids)), stack.redis.url)


def measure(args, wechat: SlowWeChat, urls: list[str], worker_pids: list[int], redis_url: str | None) -> None:
    print(f"uptime: {os.popen('uptime').read().strip()}")
    cpu = cpu_seconds(worker_pids)
    replies = send_all(urls, args.tickets, args.rate)
    wait_for_pushes(wechat, len(replies))
    cpu = cpu_seconds(worker_pids) - cpu
    failed = failed_jobs(redis_url) if redis_url else -1
    label = f"{args.mode}, {len(urls)} web node(s), {len(worker_pids)} worker process(es), " + \
        (f"trickle {args.rate}/s" if args.rate else "burst") + f", WeChat {args.delay * 1000:.0f} ms"
    report(label, replies, task_pushes(wechat), cpu, failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("serve", "stack"))
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--rate", type=float, default=0, help="messages a second (0: all at once)")
    parser.add_argument("--delay", type=float, default=0.1, help="seconds WeChat takes to answer a push")
    parser.add_argument("--workers", type=int, default=0, help="`minhu worker` commands (serve: its default)")
    parser.add_argument("--processes", type=int, default=1, help="stack: --processes of each `minhu worker`")
    parser.add_argument("--nodes", type=int, default=2, help="stack: gunicorn instances (web nodes)")
    parser.add_argument("--web-workers", type=int, default=2, help="stack: gunicorn workers per node")
    args = parser.parse_args()
    wechat = SlowWeChat(args.delay)
    if args.mode == "serve":
        wechat.start()
        try:
            run_serve(args, wechat)
        finally:
            wechat.stop()
    else:
        run_stack(args, wechat)


if __name__ == "__main__":
    main()
