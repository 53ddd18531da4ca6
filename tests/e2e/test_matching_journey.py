"""Staff open a need, see the recommended providers with reasons and invite one; the unit's
contact finds the need first among their opportunities."""

from __future__ import annotations

import datetime

import pytest

from tests.e2e.conftest import DESK, PHONE, assert_fits_width, check_accessibility
from wulian.lists import matching, services
from wulian.lists.models import Category, Invitation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, mobile):
    page.goto(base + "/accounts/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def test_staff_invite_a_recommended_provider_who_sees_the_need_first(live_server, world, browser):
    matching.clear_cache()
    base = live_server.url
    parent, _ = Category.objects.get_or_create(name="便民服务", parent=None)
    haircut = Category.objects.get_or_create(name="理发", parent=parent)[0]
    need = services.publish_need(
        world["community_staff"],
        services.raise_need(
            world["resident"],
            world.community,
            services.NeedInput(
                title="42号小区老人上门理髮",
                description="行动不便的老人需要上门理发",
                category=haircut,
                tags=["老人", "理发"],
            ),
        ),
    )
    barber = services.create_resource(
        world["unit_admin"],
        world.community,
        services.ResourceInput(
            title="便民理发",
            description="美发专业师生为居民理发，老人可预约上门。",
            category=haircut,
            tags=["理发", "老人", "上门"],
            capacity_text="40 人次/月",
            weekdays="3",
            hours_from=datetime.time(14),
            hours_to=datetime.time(17),
        ),
        provider_org=world.unit,
    )
    other = services.publish_need(
        world["community_staff"],
        services.raise_need(
            world["community_staff"],
            world.community,
            services.NeedInput(
                title="长者理发", category=haircut, tags=["理发", "老人"], urgency=2
            ),
            for_org=world.party_committee,
        ),
    )

    # Staff open the need and see the school's haircuts recommended, with reasons.
    staff_ctx = browser.new_context(viewport=DESK, locale="zh-CN")
    staff = staff_ctx.new_page()
    _sign_in(staff, base, "13900000004")
    staff.goto(base + f"/lists/needs/{need.pk}/")
    recommendation = staff.locator(f"#recommendation-{barber.pk}")
    assert recommendation.is_visible()
    assert recommendation.locator(".reasons li").count() >= 3
    check_accessibility(staff)

    # One click, a confirmation, and the school is invited.
    staff.once("dialog", lambda dialog: dialog.accept())
    recommendation.get_by_role("button").click()
    staff.wait_for_load_state()
    assert Invitation.objects.filter(need=need, organization=world.unit).exists()
    assert staff.locator(f"#recommendation-{barber.pk} button").count() == 0

    # The assignment page reads well too.
    staff.goto(base + f"/lists/communities/{world.community.pk}/assign/?propose=1")
    assert staff.locator(f"#proposal-{other.pk}-{barber.pk}").is_visible()
    check_accessibility(staff)

    # The school's contact sees the invited need first, then the other fitting one.
    unit_ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    unit = unit_ctx.new_page()
    _sign_in(unit, base, "13900000002")
    unit.goto(base + "/lists/needs/opportunities/")
    check_accessibility(unit)
    assert_fits_width(unit)
    listed = unit.locator("li[data-need]")
    assert listed.nth(0).get_attribute("data-need") == str(need.pk)
    assert listed.nth(1).get_attribute("data-need") == str(other.pk)
    listed.nth(0).get_by_role("link").click()
    unit.wait_for_url(f"**/lists/needs/{need.pk}/claim/")
    assert unit.locator(".invitation").is_visible()
    check_accessibility(unit)
    for ctx in (staff_ctx, unit_ctx):
        ctx.close()
