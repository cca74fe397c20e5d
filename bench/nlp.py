"""Measure nlp.analyze latency per message and cold start (fresh process: import nlp + first analyze).

Run: python bench/nlp.py [FILE.jsonl] [--runs N]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "tests" / "data" / "blind" / "round1.jsonl"  # messages as residents write them, written blind
COLD = """
import time
start = time.perf_counter()
import nlp
nlp.analyze("3号楼2单元楼道灯坏了")
print(time.perf_counter() - start)
"""


def cold_start(runs):
    """Seconds from a fresh interpreter to the first answer, measured inside the child process."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
        times.append((float(out.stdout.strip().splitlines()[-1]), wall))
    return times


def latency(texts, repeat):
    sys.path.insert(0, str(ROOT))
    import nlp

    nlp.warm_up()
    timings, cpu = [], []
    for _ in range(repeat):
        for text in texts:
            start, used = time.perf_counter(), time.process_time()
            nlp.analyze(text)
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - used)
    timings.sort()
    return (statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))], len(timings),
            statistics.median(cpu))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=5, help="fresh processes for cold start")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the file for latency")
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    texts.append("楼" * 10000)
    cold = cold_start(args.runs)
    median, p99, n, cpu = latency(texts, args.repeat)
    inside = sorted(c for c, _ in cold)
    wall = sorted(w for _, w in cold)
    print(f"messages          {n} ({len(texts)} distinct x {args.repeat})")
    print(f"latency median    {median * 1000:.3f} ms")
    print(f"latency p99       {p99 * 1000:.3f} ms")
    # On a shared machine the wall clock also counts other processes' turns; the CPU time is the reader's own.
    print(f"CPU time median   {cpu * 1000:.3f} ms")
    print(f"cold start        median {statistics.median(inside):.3f} s, max {inside[-1]:.3f} s "
          f"(import nlp + first analyze, {args.runs} fresh processes)")
    print(f"cold start + interpreter  median {statistics.median(wall):.3f} s, max {wall[-1]:.3f} s")


if __name__ == "__main__":
    main()
