from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.e2e.conftest import DESK, PHONE, assert_fits_width, check_accessibility
from wulian.lists.models import Need

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, mobile):
    page.goto(base + "/accounts/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def _draw_signature(page, side):
    canvas = page.locator(f"form.sign-form:has(input[value='{side}']) canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * 20, box["y"] + box["height"] * (0.3 + 0.4 * (i % 2)))
    page.mouse.up()


def _sign(page, side, name):
    form = page.locator(f"form.sign-form:has(input[value='{side}'])")
    form.get_by_label("请输入您的真实姓名").fill(name)
    _draw_signature(page, side)
    form.get_by_role("button", name="签署认领书").click()
    page.wait_for_load_state()


def test_a_need_goes_from_a_phone_to_a_rated_finished_project(
    live_server, world, browser, tmp_path
):
    base = live_server.url
    resident_ctx = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    resident = resident_ctx.new_page()
    _sign_in(resident, base, "13900000001")

    # A resident raises a need from the phone.
    resident.goto(base + "/lists/needs/new/")
    check_accessibility(resident)
    assert_fits_width(resident)
    resident.get_by_label("您有什么需求？").fill("42号小区老人上门理发")
    resident.get_by_label("详细说明").fill("十几位老人下不了楼，想请人上门理发。")
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_url("**/lists/needs/*/")
    assert resident.get_by_text("已提交").first.is_visible()
    need = Need.objects.get()
    assert need.compound == world.compound  # prefilled from the resident's profile

    # Staff publish it from the review queue.
    staff_ctx = browser.new_context(viewport=DESK, locale="zh-CN")
    staff = staff_ctx.new_page()
    _sign_in(staff, base, "13900000004")
    staff.goto(base + "/lists/needs/review/")
    check_accessibility(staff)
    staff.get_by_role("button", name="发布", exact=True).click()
    staff.wait_for_load_state()
    need.refresh_from_db()
    assert need.state == "published"

    # A unit contact claims it for the school, on a phone.
    unit_ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    unit = unit_ctx.new_page()
    _sign_in(unit, base, "13900000003")
    unit.goto(base + f"/lists/needs/{need.pk}/claim/")
    check_accessibility(unit)
    unit.get_by_label("武汉市第一商业学校").check()
    unit.once("dialog", lambda dialog: dialog.accept())
    unit.get_by_role("button", name="我要认领").click()
    unit.wait_for_url("**/lists/projects/*/")
    project_url = unit.url
    check_accessibility(unit)
    assert_fits_width(unit)

    # Both sides sign on their screens.
    _sign(unit, "claimant", "管理员丙")
    assert unit.get_by_text("签署成功").is_visible()
    resident.goto(project_url)
    _sign(resident, "need", "居民甲")
    assert resident.get_by_text("双方均已签署").first.is_visible()

    # The agreement PDF downloads and holds both parties and the need's title.
    with resident.expect_download() as download_info:
        resident.get_by_role("link", name="下载认领书").click()
    pdf_path = tmp_path / "agreement.pdf"
    download_info.value.save_as(pdf_path)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
        ).stdout
        for expected in ("居民甲", "武汉市第一商业学校", "42号小区老人上门理发", "管理员丙"):
            assert expected in text
    else:
        assert pdf_path.read_bytes().startswith(b"%PDF-")

    # Progress, then completion, by the unit.
    unit.goto(project_url)
    unit.get_by_label("进展情况").fill("已为 6 位老人上门理发。")
    unit.get_by_role("button", name="报告进展").click()
    unit.wait_for_load_state()
    assert unit.get_by_text("已为 6 位老人上门理发。").is_visible()
    unit.get_by_text("完成项目").first.click()
    unit.get_by_label("项目成效").fill("为 12 位行动不便的老人上门理发。")
    unit.get_by_label("服务人数").fill("12")
    unit.once("dialog", lambda dialog: dialog.accept())
    unit.get_by_role("button", name="完成", exact=True).click()
    unit.wait_for_load_state()

    # The resident rates it; the need shows done; the timeline shows every step.
    resident.goto(project_url)
    resident.get_by_text("★★★★★", exact=True).click()
    resident.get_by_label("评价内容").fill("非常感谢！")
    resident.get_by_role("button", name="提交评价").click()
    resident.wait_for_load_state()
    check_accessibility(resident)
    need.refresh_from_db()
    assert need.state == "done"
    resident.goto(base + f"/lists/needs/{need.pk}/")
    assert resident.get_by_text("已完成").first.is_visible()
    staff.goto(project_url)
    timeline = staff.locator(".timeline").inner_text()
    for step in ("签署了项目认领书", "报告了进展", "完成了项目", "评价了项目"):
        assert step in timeline, (step, timeline)
    staff.goto(base + f"/lists/needs/{need.pk}/")
    need_timeline = staff.locator(".timeline").inner_text()
    for step in ("提出了需求", "发布了需求", "认领了需求"):
        assert step in need_timeline, (step, need_timeline)
    for ctx in (resident_ctx, staff_ctx, unit_ctx):
        ctx.close()
