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
    page.get_by_label("处理说明").fill("已联系物业修补防水层")
    page.get_by_role("button", name="办结", exact=True).click()
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


def sign_in(page, live, runtime):
    add_user(runtime)
    page.goto(f"{live}/login")
    page.get_by_label("用户名").fill("wang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live}/tickets")


def test_the_desk_enters_a_phone_ticket_closes_a_duplicate_merges_and_corrects_a_category(page, live, runtime,
                                                                                        wechat, fake_wechat):
    from tests.test_media import photo_with_position

    page.set_viewport_size({"width": 1366, "height": 900})
    fake_wechat.put_media("PHOTO_ROOF", photo_with_position())
    wechat.say("3号楼2单元楼顶漏水了，家里天花板都湿了", sender="o_roof")
    wechat.image(sender="o_roof", media_id="PHOTO_ROOF")
    wechat.say("5号楼门口路灯不亮", sender="o_lamp")
    wechat.say("6号楼路灯不亮", sender="o_lamp2")  # the same lamp, between buildings 5 and 6
    wechat.say("3号楼楼道里堆满了纸箱，走路都绊脚", sender="o_boxes")
    wechat.run_jobs()
    leak, lamp, lamp2, boxes = (t.number for t in wechat.tickets())
    sign_in(page, live, runtime)

    # A phone call about the lamp, taken down on the desk.
    page.get_by_role("link", name="登记工单").click()
    page.get_by_label("来源").select_option(label="电话")
    page.get_by_label("反映的问题").fill("5号楼门口的路灯好几天不亮了，晚上看不见路")
    page.get_by_label("楼号").fill("5")
    page.get_by_label("联系方式").fill("13800003333")
    shot(page, "new_ticket")
    page.get_by_role("button", name="登记并派单").click()
    page.get_by_text("已登记工单").wait_for()
    assert "电话" in page.locator("dl").inner_text() and "13800003333" in page.locator("dl").inner_text()
    phone = page.locator("h1").inner_text().split()[1]

    # The list at 1366 px: the phone ticket is tagged, and no time or grid cell wraps.
    page.goto(f"{live}/tickets")
    assert "电话" in page.locator("table.list tbody tr").filter(has_text=phone).inner_text()
    line = page.locator("table.list tbody td.grid").first.evaluate("c => parseFloat(getComputedStyle(c).lineHeight)")
    for column in ("td.when", "td.grid"):
        heights = page.locator(f"table.list tbody {column}").evaluate_all("cells => cells.map(c => c.clientHeight)")
        assert max(heights) < 2 * line

    # The resident's photo and its thumbnail, kept on the desk.
    page.goto(f"{live}/tickets/{leak}")
    thumb = page.locator(".photos img").first
    thumb.wait_for()
    assert "/thumb" in thumb.get_attribute("src")
    assert thumb.evaluate("img => img.complete && img.naturalWidth") == 320
    full = page.request.get(live + thumb.locator("xpath=..").get_attribute("href"))
    assert full.ok and full.headers["content-type"] == "image/jpeg" and len(full.body()) > 1000
    shot(page, "ticket_photo")

    # Boxes piled in a stairwell are a fire hazard: the category corrected.
    page.goto(f"{live}/tickets/{boxes}")
    page.get_by_label("正确的类别").select_option(label="治安消防")
    page.get_by_role("button", name="更正").click()
    page.get_by_text("类别已改为治安消防").wait_for()
    assert "更正类别" in page.locator("ol.timeline").inner_text()

    # The second lamp report closed as a duplicate of the first.
    page.goto(f"{live}/tickets/{lamp2}")
    page.locator("input[name=reason][value=duplicate]").check()
    page.get_by_label("重复的工单号").fill(lamp)
    page.get_by_role("button", name="关闭工单").click()
    page.wait_for_url(f"**/tickets/{lamp}")
    assert f"工单{lamp2}并入本工单" in page.locator("ol.timeline").inner_text()

    # The phone ticket merged into the lamp ticket: one problem, one ticket.
    page.goto(f"{live}/tickets/{phone}")
    page.get_by_label("并入工单号").fill(lamp)
    page.get_by_role("button", name="合并", exact=True).click()
    page.wait_for_url(f"**/tickets/{lamp}")
    timeline = page.locator("ol.timeline").inner_text()
    assert f"工单{phone}并入本工单" in timeline and "工作人员代报" in timeline
    page.goto(f"{live}/tickets/{phone}")
    assert "已关闭（已合并）" in page.locator("h1").inner_text()
