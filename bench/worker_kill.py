"""A worker SIGKILLed in the middle of dispatch: the push still goes out, once.

    python bench/worker_kill.py [--tickets 5]

The WeChat stand-in holds the access-token request for a few seconds, so the dispatch job is caught
after it has claimed its delivery-ledger row and before it has sent anything; then the worker is
SIGKILLed with its whole process group (`minhu worker` runs the job in its own process, so nothing
else could send the push) and a new worker is started. RQ finds the abandoned job (registry
maintenance every minute), retries it, and the ledger lets the retry take over the stale claim.
Each ticket's task pushes are counted one by one: every ticket exactly once. This takes a few
minutes: the waits are RQ's and the ledger's real timeouts.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Stack, pushes_per_ticket, wait  # noqa: E402

from bot.wechat.say import send_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5)
    args = parser.parse_args()
    started = time.monotonic()
    with Stack(rq_workers=0) as stack:
        stack.start_relay()
        stack.standin.fail_next("/token", times=1, delay=8)
        for i in range(args.tickets):
            send_text(stack.url, stack.token, f"o_kill_{i}", f"{i % 12 + 1}号楼楼道灯坏了第{i}次", str(7_000_000 + i))
        worker = stack.start_worker()
        caught = wait(lambda: stack.sql("select count(*) from deliveries where status = 'sending'")[0][0] > 0, 60, 0.1)
        print(f"dispatch caught mid-flight (ledger row claimed, nothing sent): {caught}")
        stack.kill(worker)
        killed = time.monotonic()
        print(f"worker SIGKILLed with its process group {killed - started:.0f} s in; pushes so far:",
              len(stack.standin.messages))
        stack.start_worker()
        done = wait(lambda: stack.dispatched() >= args.tickets, 600, 1)
        print(f"every dispatch recorded as sent {time.monotonic() - killed:.0f} s after the kill")
        time.sleep(5)
        numbers = [row[0] for row in stack.sql("select number from tickets")]
        per_ticket = pushes_per_ticket(list(stack.standin.messages), numbers, to="o_demo_grid")
    lost = sorted(number for number, count in per_ticket.items() if count == 0)
    twice = sorted(number for number, count in per_ticket.items() if count > 1)
    print(f"tickets: {len(numbers)}; pushes to grid workers: {sum(per_ticket.values())}; all delivered: {done}; "
          f"tickets never pushed: {lost or 0}; tickets pushed more than once: {twice or 0}; "
          f"took {time.monotonic() - started:.0f} s")
    ok = done and len(numbers) == args.tickets and not lost and not twice
    print("RESULT:", "every push went out once" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
