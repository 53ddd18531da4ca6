"""Each role's home on a phone and at a desk: it opens, reads well to axe, fits the screen, and
its navigation opens group by group. With SCREENSHOTS=1 the homes are saved to docs/homes/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import DESK, PHONE, assert_fits_width, check_accessibility
from tests.site.conftest import Make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).parents[2] / "docs" / "homes"
ROLES = [
    ("visitor", None),
    ("resident", "13900000001"),
    ("unit", "13900000003"),
    ("staff", "13900000004"),
    ("subdistrict", "13900000005"),
]


@pytest.fixture
def homes_world(world: Any) -> Any:
    make = Make(world)
    make.need(title="42号小区楼道扶手松动")
    make.need(title="老人上门理发", urgency=2)
    make.need(published=False, title="单元门禁损坏")
    make.claimed(make.need(title="周末辅导小学生作业"))
    make.finished()
    make.invitation()
    make.whistle(late=True)
    make.whistle()
    make.event()
    return world


def _sign_in(page: Any, base: str, mobile: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def _home(role: str, world: Any) -> str:
    return f"/regions/{world.subdistrict.pk}/" if role == "subdistrict" else "/"


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_each_role_has_a_home_that_reads_well(live_server, homes_world, browser, size):
    viewport = PHONE if size == "phone" else DESK
    for role, mobile in ROLES:
        extra = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
        context = browser.new_context(viewport=viewport, locale="zh-CN", **extra)
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console", lambda m, seen=errors: seen.append(m.text) if m.type == "error" else None
        )
        if mobile:
            _sign_in(page, live_server.url, mobile)
        page.goto(live_server.url + _home(role, homes_world))
        check_accessibility(page)
        assert_fits_width(page)
        assert errors == [], f"console errors on {role}'s home: {errors}"
        if os.environ.get("SCREENSHOTS"):
            DOCS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(DOCS / f"{role}-{size}.png"), full_page=size == "phone")
        nav = page.get_by_role("navigation", name="主导航")
        if size == "phone":
            page.get_by_role("button", name="☰ 菜单").click()
            assert nav.get_by_role("link", name="需求", exact=True).is_visible()
        else:
            nav.get_by_role("button", name="三张清单").click()
            assert nav.get_by_role("link", name="需求", exact=True).is_visible()
            page.keyboard.press("Escape")
            assert not nav.get_by_role("link", name="需求", exact=True).is_visible()
        check_accessibility(page)
        context.close()


def test_a_unit_claims_a_recommended_need_from_its_home(live_server, homes_world, desk):
    page = desk
    _sign_in(page, live_server.url, "13900000003")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".claim-in-place button").first.click()
    page.wait_for_url("**/lists/projects/*/")
    check_accessibility(page)
