"""WeChat retry storm: N distinct complaints, each delivered 4 times, concurrently; print what was kept.

    python bench/retry_storm.py [--messages 2000] [--copies 4] [--concurrency 32]

Every message is a new problem (its own building and category), so each must become exactly one
ticket and one push to its grid worker, whatever order and overlap its copies arrive in: checked
ticket by ticket, so a lost push and a duplicate cannot cancel out.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Stack, pushes_per_ticket, wait  # noqa: E402

from bot.wechat.say import reply_text, signed_params, text_xml  # noqa: E402

PROBLEMS = ["{b}号楼顶楼天花板漏水了", "{b}号楼下水道堵了污水冒出来", "{b}号楼今天停水了一直没来",
            "{b}号楼楼下有外来车辆乱停占车位", "{b}号楼楼道灯坏了", "{b}号楼电梯坏了停运", "{b}号楼垃圾桶满了没人清",
            "{b}号楼燃气表坏了不走字", "{b}号楼有人飞线充电", "{b}号楼晚上装修太吵了", "{b}号楼单元门禁坏了",
            "{b}号楼门口的树枝太长挡路了", "{b}号楼楼道里堆满杂物堵住了", "{b}号楼消防栓里没有灭火器", "{b}号楼有人违章搭建"]


def storm(stack: Stack, messages: int, copies: int, concurrency: int) -> dict:
    """Send every message `copies` times in a shuffled, overlapping order; return what came back and was kept."""
    base = int(time.time() * 1000) * 1000
    letters = [(base + i, f"o_storm_{i}", PROBLEMS[i % len(PROBLEMS)].format(b=i // len(PROBLEMS) + 1))
               for i in range(messages)]
    deliveries = [letter for letter in letters for _ in range(copies)]
    random.Random(7).shuffle(deliveries)
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=concurrency, pool_maxsize=concurrency))

    def deliver(letter):
        msg_id, sender, text = letter
        try:
            response = session.post(stack.url, params=signed_params(stack.token),
                                    data=text_xml(sender, text, str(msg_id)).encode(), timeout=30)
        except requests.RequestException as exc:
            return msg_id, f"error: {exc}", None
        return msg_id, response.status_code, reply_text(response.content.decode("utf-8"))

    with ThreadPoolExecutor(concurrency) as pool:
        answers = list(pool.map(deliver, deliveries))
    by_message: dict[int, set] = {}
    for msg_id, status, reply in answers:
        number = re.search(r"工单号：(\d+)", reply or "")
        by_message.setdefault(msg_id, set()).add((status, number.group(1) if number else reply))
    return {"requests": len(answers), "errors": sum(1 for _, s, _ in answers if s != 200),
            "inconsistent": sum(1 for v in by_message.values() if len(v) > 1),
            "without_number": sum(1 for v in by_message.values() if not any(str(n).isdigit() for _, n in v)),
            "unnumbered_replies": sorted({str(n)[:60] for v in by_message.values() for _, n in v
                                          if not any(str(m).isdigit() for _, m in v)})[:5]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--wait", type=float, default=900, help="seconds to wait for the pushes (2 workers, ~5/s)")
    args = parser.parse_args()
    buildings = args.messages // len(PROBLEMS) + 1
    with Stack(rq_workers=2, buildings=buildings) as stack:
        stack.start_relay()  # as under `minhu serve`: a message spooled while SQLite was locked is answered later
        started = time.monotonic()
        result = storm(stack, args.messages, args.copies, args.concurrency)
        elapsed = time.monotonic() - started
        wait(lambda: stack.dispatched() >= args.messages, args.wait)
        time.sleep(2)  # anything still running would show up as a duplicate now
        pushes = stack.dispatched()
        tickets = stack.sql("select count(*), count(distinct source_key) from tickets")[0]
        numbers = [row[0] for row in stack.sql("select number from tickets")]
        per_ticket = pushes_per_ticket(list(stack.standin.messages), numbers, to="o_bench_grid")
        to_grid = sum(per_ticket.values())
        # A spooled message's number reaches its resident as a push once the relay has answered it.
        later = sum(1 for message in list(stack.standin.messages)
                    if message["touser"].startswith("o_storm_") and "工单号" in (message.get("content") or ""))
        # Ticket by ticket: a lost push and a duplicate of another must not cancel out in a total.
        lost = sorted(number for number, count in per_ticket.items() if count == 0)
        twice = sorted(number for number, count in per_ticket.items() if count > 1)
    print(f"retry storm: {args.messages} messages x {args.copies} deliveries = {result['requests']} requests, "
          f"{args.concurrency} concurrent, in {elapsed:.1f} s; whole run {time.monotonic() - started:.0f} s")
    print(f"  HTTP errors: {result['errors']}; messages whose copies got different answers: {result['inconsistent']}; "
          f"without a ticket number: {result['without_number']} {result['unnumbered_replies']}; "
          f"numbers pushed to residents later: {later}")
    print(f"  tickets kept: {tickets[0]} (distinct messages: {tickets[1]}); duplicates: {tickets[0] - tickets[1]}")
    print(f"  task pushes to grid workers: {to_grid}; delivery ledger 'sent': {pushes}; "
          f"tickets never pushed: {len(lost)} {lost[:10]}; tickets pushed more than once: {len(twice)} {twice[:10]}")
    ok = (tickets[0] == tickets[1] == args.messages == len(per_ticket) and not lost and not twice
          and not result["errors"] and not result["inconsistent"] and later >= result["without_number"])
    print("RESULT:", "nothing lost, nothing duplicated" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
