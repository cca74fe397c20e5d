"""CPU per task push of one warm `minhu worker`: N complaints queued through the real webhook, then one worker in
burst mode runs them all (optionally under cProfile, timed by CPU) against the loopback WeChat stand-in.

    MINHU_BENCH_DATABASE_URL=postgresql://... python bench/push_cpu.py [--tickets 120] [--profile out.prof]

Prints the CPU of the worker's loop (its start-up left out) per task push. A figure, never a test.
"""
from __future__ import annotations

import argparse
import cProfile
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def run_worker(profile: str | None) -> None:
    """`minhu worker --burst` in this process; prints the CPU of its `work` loop (start-up, imports and jieba left
    out), profiled against CPU time when asked."""
    # bench/ holds an nlp.py that would hide the nlp package: the worker imports from the checkout only.
    sys.path[:] = [str(BENCH.parent)] + [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH]
    from bot.cli import commands

    work = commands.Worker.work

    def timed(self, *args, **kwargs):
        profiler = cProfile.Profile(time.process_time) if profile else None
        started = time.process_time()
        try:
            if profiler:
                return profiler.runcall(work, self, *args, **kwargs)
            return work(self, *args, **kwargs)
        finally:
            print(f"cpu {time.process_time() - started:.4f}", flush=True)
            if profiler:
                profiler.dump_stats(profile)

    commands.Worker.work = timed
    # The job's own share, apart from RQ's handling of it (RQ finds the job by its dotted name at each run).
    import workers.dispatch
    job, spent = workers.dispatch.dispatch_ticket, [0.0]

    def dispatch_ticket(ticket_id):
        started = time.process_time()
        try:
            return job(ticket_id)
        finally:
            spent[0] += time.process_time() - started

    workers.dispatch.dispatch_ticket = dispatch_ticket
    import atexit
    atexit.register(lambda: print(f"job {spent[0]:.4f}", flush=True))
    commands.worker.main(["--burst"], standalone_mode=False)


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        return run_worker(sys.argv[2] if len(sys.argv) > 2 else None)
    sys.path.insert(0, str(BENCH))
    from pipeline import PROBLEMS, SlowWeChat, send_all, task_pushes
    from stack import REPO, Stack

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=120)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds WeChat takes to answer a push")
    parser.add_argument("--profile", help="write the worker's cProfile here")
    args = parser.parse_args()
    wechat = SlowWeChat(args.delay)
    with Stack(standin=wechat, buildings=args.tickets // len(PROBLEMS) + 1) as stack:
        replies = send_all(stack.urls, args.tickets, 0, concurrency=8)
        time.sleep(2)  # the last jobs reach Redis
        worker = [sys.executable, __file__, "--worker", *([args.profile] if args.profile else [])]
        started = time.monotonic()
        out = subprocess.run(worker, env=stack.env, cwd=str(REPO), capture_output=True, text=True)
        if out.returncode:
            sys.exit(f"the worker failed:\n{out.stderr[-3000:]}")
        out = out.stdout
        cpu = float(out.split("cpu ")[-1].split()[0])
        in_jobs = float(out.split("job ")[-1].split()[0])
        wall = time.monotonic() - started
        pushes = task_pushes(wechat)
        sent = sum(len(times) for times in pushes.values())
        twice = sum(1 for times in pushes.values() if len(times) > 1)
        print(f"tickets {len(replies)}, task pushes {sent} (twice: {twice}); worker CPU {cpu:.2f} s ({wall:.1f} s wall with start-up) "
              f"= {1000 * cpu / max(sent, 1):.1f} ms per push, of which the dispatch job {1000 * in_jobs / max(sent, 1):.1f} ms")


if __name__ == "__main__":
    main()
