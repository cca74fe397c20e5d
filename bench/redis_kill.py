"""Redis killed and restarted during a load of messages: every message answered, every ticket dispatched once.

    python bench/redis_kill.py [--messages 600] [--down 5]

Messages (each a new problem) go in from 16 clients; a third of the way through, the Redis server
is SIGKILLed, stays down for --down seconds, and is started again from its append-only file. While
it is down the webhook still answers with ticket numbers (tickets and outbox rows are in the
database); afterwards the relay enqueues what never reached Redis and re-enqueues what Redis lost.
"""
from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from retry_storm import PROBLEMS  # noqa: E402
from stack import Stack, pushes_per_ticket, wait  # noqa: E402

from bot.wechat.say import reply_text, signed_params, text_xml  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--down", type=float, default=5)
    args = parser.parse_args()
    started = time.monotonic()
    with Stack(rq_workers=2, buildings=args.messages // len(PROBLEMS) + 1) as stack:
        stack.start_relay(every=1)
        session = requests.Session()
        answers, outage = [], {}

        def deliver(i: int):
            if i == args.messages // 3 and not outage:
                outage["at"] = time.monotonic()
                stack.redis.kill()
                threading.Timer(args.down, lambda: (stack.redis.start(),
                                                    outage.setdefault("back", time.monotonic()))).start()
            text = PROBLEMS[i % len(PROBLEMS)].format(b=i // len(PROBLEMS) + 1)
            t0 = time.monotonic()
            try:
                r = session.post(stack.url, params=signed_params(stack.token),
                                 data=text_xml(f"o_rk_{i}", text, str(9_000_000 + i)).encode(), timeout=30)
                reply = reply_text(r.content.decode("utf-8")) if r.status_code == 200 else None
                answers.append((i, r.status_code, reply, t0, time.monotonic() - t0))
            except requests.RequestException as exc:
                answers.append((i, str(exc), None, t0, time.monotonic() - t0))
            time.sleep(0.02)

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(deliver, range(args.messages)))
        time.sleep(max(0.0, args.down + 1 - (time.monotonic() - outage["at"])))
        wait(lambda: stack.dispatched() >= args.messages, 600, 1)
        time.sleep(5)
        tickets = stack.sql("select count(*), count(distinct source_key) from tickets")[0]
        numbers = [row[0] for row in stack.sql("select number from tickets")]
        per_ticket = pushes_per_ticket(list(stack.standin.messages), numbers, to="o_bench_grid")
        workers_alive = sum(1 for p in stack.procs["worker"] if p.poll() is None)
    during = [a for a in answers if outage["at"] <= a[3] <= outage.get("back", outage["at"] + args.down)]
    numbered = sum(1 for a in answers if a[2] and re.search(r"工单号：\d+", a[2]))
    print(f"redis kill: {args.messages} messages, Redis down {args.down:.0f} s after message {args.messages // 3}; "
          f"{len(during)} messages arrived while it was down")
    slowest = sorted(answers, key=lambda a: -a[4])[:3]
    print(f"  answered 200: {sum(1 for a in answers if a[1] == 200)}; with a ticket number: {numbered}; "
          f"slowest answers: " + ", ".join(f"{a[4] * 1000:.0f} ms (sent {a[3] - outage['at']:+.1f} s from the kill)"
                                           for a in slowest))
    print(f"  tickets kept: {tickets[0]} (distinct messages {tickets[1]}); "
          f"pushes to grid workers: {sum(per_ticket.values())}; "
          f"lost: {list(per_ticket.values()).count(0)}; pushed twice: {sum(1 for n in per_ticket.values() if n > 1)}; "
          f"workers still running: {workers_alive}; took {time.monotonic() - started:.0f} s")
    ok = numbered == tickets[0] == args.messages == sum(per_ticket.values()) == len(per_ticket)
    print("RESULT:", "nothing lost, nothing duplicated" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
