"""On a phone, staff set things up: households imported from the register (a bad file refused
row by row, then a good one), a venue shared with its hours, a family helper recorded; a
resident raises a topic with a photo. axe checks every new page."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from tests.council.test_register import BAD, GOOD, register_file
from tests.e2e.conftest import PHONE, assert_fits_width, check_accessibility
from wulian.activities.models import Helper, Venue
from wulian.council import services as council
from wulian.council.models import Household, Topic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _phone(browser, base, mobile):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.locator("input[name=mobile]").fill(mobile)
    page.locator("input[name=password]").fill("secret-pass-1")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(base + "/")
    return context, page


def _look(page):
    check_accessibility(page)
    assert_fits_width(page)


def test_staff_set_up_households_a_venue_and_a_helper_on_a_phone(
    live_server, world, browser, tmp_path
):
    base = live_server.url
    board = council.create_council(
        world["community_staff"], world.community, "42号小区红色议事厅", compound=world.compound
    )
    context, staff = _phone(browser, base, "13900000004")
    try:
        staff.goto(base + f"/council/{board.pk}/household/")
        staff.locator(f"a[href='/council/{board.pk}/households/import/']").click()
        staff.wait_for_url(f"**/council/{board.pk}/households/import/")
        _look(staff)
        bad = tmp_path / "花名册-有错.xlsx"
        bad.write_bytes(register_file(BAD))
        staff.locator("input[type=file]").set_input_files(str(bad))
        staff.locator("main button[type=submit]").click()
        expect(staff.locator("#import-errors")).to_contain_text("本社区没有“长春街小区”这个小区。")
        _look(staff)
        assert staff.locator("form[action$='/confirm/']").count() == 0
        staff.goto(base + f"/council/{board.pk}/households/import/")
        good = tmp_path / "花名册.xlsx"
        good.write_bytes(register_file(GOOD))
        staff.locator("input[type=file]").set_input_files(str(good))
        staff.locator("main button[type=submit]").click()
        expect(staff.locator("#to-create")).to_have_text("3")
        staff.locator("form[action$='/confirm/'] button").click()
        expect(staff.locator(".message")).to_contain_text("新建 3 户")
        assert Household.objects.filter(compound=world.compound, building="5").count() == 2

        staff.goto(base + f"/activities/venues/?community={world.community.pk}")
        staff.locator("#venue-create").click()
        staff.wait_for_url("**/activities/venues/new/**")
        _look(staff)
        staff.locator("select[name=owner]").select_option(str(world.unit.pk))
        staff.locator("input[name=name]").fill("第三教室")
        staff.locator("input[name=capacity]").fill("40")
        staff.locator("input[name=opens_3]").fill("08:00")
        staff.locator("input[name=closes_3]").fill("21:00")
        staff.locator("textarea[name=closed]").fill("2026-12-31 年终盘点")
        staff.locator("main form button[type=submit]").click()
        expect(staff.locator(".message")).to_contain_text("阵地已设立")
        venue = Venue.objects.get(name="第三教室")
        assert [h.weekday for h in venue.hours.all()] == [3]
        _look(staff)

        staff.goto(base + f"/activities/services/helpers/{world.community.pk}/")
        _look(staff)
        staff.locator("#helper-resident").fill("13900000001")
        staff.locator("#helper-helper").fill("13900000002")
        staff.locator("#helper-relation").fill("儿子")
        staff.locator("#helper-form button[type=submit]").click()
        expect(staff.locator(".message")).to_contain_text("已登记")
        assert Helper.objects.filter(resident=world["resident"]).exists()
    finally:
        context.close()

    context, resident = _phone(browser, base, "13900000001")
    try:
        resident.goto(base + f"/council/{board.pk}/topics/new/")
        _look(resident)
        resident.locator("input[name=title]").fill("楼道刷新")
        resident.locator("textarea[name=text]").fill("3栋楼道墙面脱落")
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (400, 300), (200, 180, 160)).save(out, "JPEG")
        photo = tmp_path / "楼道.jpg"
        photo.write_bytes(out.getvalue())
        resident.locator("input[name=photos]").set_input_files(str(photo))
        resident.locator("main form button[type=submit]").click()
        expect(resident.locator("#topic-photos img")).to_have_count(1)
        _look(resident)
        assert Topic.objects.get().photos.count() == 1
    finally:
        context.close()
