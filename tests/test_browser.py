"""In a real browser (Debian's Chromium, driven by Playwright): sign in, filter, close a ticket, use the simulator.

Set MINHU_SCREENSHOTS=docs/screenshots to save the README's screenshots on the way.
"""
import os
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.desk import PASSWORD, add_user, seed_month

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = os.environ.get("MINHU_SCREENSHOTS")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium; skipped on a developer machine without it, a failure in CI."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not CHROMIUM.exists():
        message = "browser tests need Debian's chromium (apt-get install chromium) and playwright"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def live(app):
    """The app on a real HTTP server on loopback, with threads (the simulator calls its own webhook)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def test_sign_in_filter_open_a_ticket_and_close_it(page, live, runtime):
    add_user(runtime)
    seed_month(runtime)
    page.goto(f"{live}/tickets")
    assert "/login" in page.url
    page.get_by_label("用户名").fill("wang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live}/tickets")
    assert page.locator("table.list tbody tr").count() == 22
    shot(page, "dashboard")

    page.get_by_label("类别").select_option(label="漏水渗水")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**category=leak**")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 5 and all("漏水渗水" in text for text in rows.all_inner_texts())

    rows.first.get_by_role("link").click()
    page.get_by_text("3号楼2单元楼顶漏水，下雨天天花板滴水").wait_for()
    page.get_by_label("关闭说明").fill("已联系物业修补防水层")
    page.get_by_role("button", name="关闭工单").click()
    page.get_by_text("工单已处理，居民会收到处理结果").wait_for()
    assert page.locator("h1 .status").inner_text() == "已处理，待评价"
    assert "已联系物业修补防水层" in page.locator("ol.timeline").inner_text()
    shot(page, "ticket")

    page.get_by_role("link", name="统计").click()
    page.get_by_text("楼栋热力表").wait_for()
    assert page.locator("svg").count() == 2
    shot(page, "stats")


def test_simulator_resident_reports_and_grid_worker_gets_the_push(page, live, wechat):
    page.goto(f"{live}/simulator")
    resident, worker = page.locator(".phone").nth(0), page.locator(".phone").nth(1)
    assert "张阿姨" in resident.locator("select.who option:checked").inner_text()
    assert "李建国" in worker.locator("select.who option:checked").inner_text()
    resident.get_by_label("消息").fill("3号楼2单元楼顶漏水了")
    resident.get_by_role("button", name="发送").click()
    resident.locator(".msg.reply").filter(has_text="工单号").wait_for()
    assert wechat.ticket_count() == 1

    deadline = time.monotonic() + 15
    pushes = worker.locator(".msg.push")
    while pushes.count() == 0 and time.monotonic() < deadline:
        wechat.run_jobs()  # the worker's part, in this process
        page.wait_for_timeout(300)
    assert pushes.count() >= 1
    assert "漏水" in pushes.first.inner_text() and "3号楼2单元" in pushes.first.inner_text()
    shot(page, "simulator")
