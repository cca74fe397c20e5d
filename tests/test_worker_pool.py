"""`minhu worker --processes N`: the process that starts the workers owns them, and stops every one on SIGTERM."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


# What is checked is the pool's own: who starts and stops the processes. The workers' jobs on PostgreSQL are the
# in-process tests' (each store test runs on both) and the deploy units' and scale-out tests' (real workers on it).
@pytest.mark.sqlite_only
def test_two_workers_push_the_task_and_all_stop_on_sigterm(wechat, runtime, env, fake_wechat):
    from rq import Worker

    wechat.say("3号楼2单元楼顶漏水了")  # its dispatch job waits in the queue for the workers
    pool = subprocess.Popen([sys.executable, "-m", "bot.cli.main", "worker", "--processes", "2"], cwd=REPO,
                            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        fake_wechat.wait_for(lambda: fake_wechat.texts_to("o_demo_grid1_li"), timeout=60)
        deadline = time.monotonic() + 60
        while Worker.count(connection=runtime.redis) < 2:
            assert time.monotonic() < deadline and pool.poll() is None
            time.sleep(0.2)
        workers = children_of(pool.pid)
        assert len(workers) == 2
    finally:
        pool.send_signal(signal.SIGTERM)
        code = pool.wait(timeout=120)
    assert code == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    assert "新工单待处理" in fake_wechat.texts_to("o_demo_grid1_li")[0]
