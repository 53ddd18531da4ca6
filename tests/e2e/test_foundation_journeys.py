from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_fits_width, check_accessibility

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_resident_signs_in_on_a_phone_switches_language_and_signs_out(live_server, world, phone):
    page = phone
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "江汉北路社区"
    assert page.locator(".compounds li").count() == 1
    check_accessibility(page)
    assert_fits_width(page)

    page.get_by_role("link", name="登录").click()
    page.get_by_label("手机号").fill("13900000001")
    page.get_by_label("密码").fill("secret-pass-1")
    check_accessibility(page)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator(".who").inner_text() == "居民甲"

    page.get_by_role("button", name="☰ 菜单").click()
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="我的", exact=True
    ).click()
    assert page.locator("h1").inner_text() == "我的"
    check_accessibility(page)
    assert_fits_width(page)

    page.get_by_label("语言").select_option("zh-hant")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "我的"
    assert page.get_by_text("個人資料").first.is_visible()
    check_accessibility(page)

    page.get_by_label("語言").select_option("en")
    page.get_by_role("button", name="切換").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My account"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("link", name="Sign in").is_visible()
    assert page.get_by_text("You have signed out.").is_visible()


def test_community_staff_sign_in_at_a_desk_and_see_the_staff_navigation(live_server, world, desk):
    page = desk
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("手机号").fill("13900000004")
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name="居民").is_visible()
    nav.get_by_role("button", name="组织联动").click()
    assert nav.get_by_role("link", name="组织联动").is_visible()
    check_accessibility(page)
    page.keyboard.press("Escape")

    nav.get_by_role("link", name="居民").click()
    assert "居民" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="居民甲").is_visible()
    check_accessibility(page)

    page.get_by_role("link", name="居民甲").click()
    page.get_by_role("button", name="认证为本社区居民").click()
    assert page.get_by_text("已认证为本社区居民").is_visible()
    assert page.get_by_text("认证了居民身份").is_visible()
    check_accessibility(page)

    nav.get_by_role("button", name="组织联动").click()
    nav.get_by_role("link", name="组织联动").click()
    page.get_by_role("link", name="武汉市第一商业学校").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="共建中").click()
    assert page.get_by_text("共建状态已变更").is_visible()
    check_accessibility(page)


def test_a_resident_does_not_see_the_staff_navigation(live_server, world, phone):
    page = phone
    page.goto(live_server.url + "/accounts/login/code/")
    check_accessibility(page)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("手机号").fill("13900000001")
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("button", name="☰ 菜单").click()
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name="我的", exact=True).is_visible()
    assert nav.get_by_role("link", name="居民").count() == 0
