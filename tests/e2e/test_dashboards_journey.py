"""Staff open the community's dashboard, follow a number to the list behind it, switch to the
big screen, and download the month's report as PDF and .xlsx (read back and checked)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.dashboards.conftest import at, live
from tests.e2e.conftest import (
    DESK,
    PHONE,
    assert_fits_width,
    check_accessibility,
    watch_policy,
)
from wulian.dashboards import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, mobile):
    page.goto(base + "/accounts/login/")
    page.locator("input[name=mobile]").fill(mobile)
    page.locator("input[name=password]").fill("secret-pass-1")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(base + "/")


def test_staff_read_the_dashboard_follow_a_number_and_take_the_report(
    live_server, world, browser, tmp_path: Path
):
    with time_machine.travel(at(10, 1), tick=False) as traveller:
        live(world, traveller)
        traveller.move_to(at(11, 20))
        services.rebuild()
    base = live_server.url
    context = browser.new_context(viewport=DESK, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    blocked = watch_policy(page)
    _sign_in(page, base, "13900000004")
    dashboard = f"{base}/dashboards/regions/{world.community.pk}/?month=2026-11"
    page.goto(dashboard)
    for title in ("组织联动", "阵地联享", "活动联办", "党员联训", "发展联促"):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator("#link-development .chart svg").first).to_be_visible()  # ECharts drew
    check_accessibility(page)

    # The number of needs raised leads to the needs list, filtered to the month.
    number = page.locator('[data-key="lists.needs_raised"] dd a')
    expect(number).to_have_text("1")
    number.click()
    page.wait_for_url("**/lists/needs/**")
    assert "since=2026-11-01" in page.url and "until=2026-11-30" in page.url
    expect(page.get_by_text("代买药").first).to_be_visible()

    # The big screen, at the station's resolution.
    page.goto(dashboard)
    page.locator("#to-screen").click()
    page.wait_for_url("**/screen/")
    page.set_viewport_size({"width": 1920, "height": 1080})
    expect(page.locator(".screen-link")).to_have_count(5)
    expect(page.locator(".screen .chart svg").first).to_be_visible()

    # The month's report, as PDF and as .xlsx, read back.
    page.set_viewport_size(DESK)
    page.goto(dashboard)
    with page.expect_download() as pdf_download:
        page.locator("a[href$='2026-11.pdf']").click()
    pdf_path = tmp_path / "report.pdf"
    pdf_download.value.save_as(pdf_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "江汉北路社区" in text and "本月" in text and "共建项目完成" in text
    with page.expect_download() as xlsx_download:
        page.locator("a[href$='2026-11.xlsx']").click()
    xlsx_path = tmp_path / "report.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    book = load_workbook(io.BytesIO(xlsx_path.read_bytes()))
    rows = {row[-1]: row for row in book["发展联促"].iter_rows(values_only=True)}
    assert rows["lists.needs_raised"][:2] == ("需求提出", 1)
    assert rows["lists.projects_done"][1] == 1
    context.close()
    assert blocked == [], "the Content-Security-Policy blocked something"

    # On a phone the dashboard fits the screen.
    phone_ctx = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    phone = phone_ctx.new_page()
    _sign_in(phone, base, "13900000004")
    phone.goto(dashboard)
    assert_fits_width(phone)
    phone_ctx.close()
