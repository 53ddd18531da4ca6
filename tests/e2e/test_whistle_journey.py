"""Staff blow an emergency whistle to two units; one answers on a phone, the other misses its
deadline; the worker marks it overdue and escalates; the subdistrict sees it in the inbox.

Buttons are found by their stable values, not their words, so translations may change."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, PHONE, assert_fits_width, check_accessibility
from wulian.accounts.models import User
from wulian.notifications.models import Notification
from wulian.orgs.models import Membership, Organization
from wulian.whistle.models import Whistle, WhistleCall

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, mobile):
    page.goto(base + "/accounts/login/")
    page.locator("input[name=mobile]").fill(mobile)
    page.locator("input[name=password]").fill("secret-pass-1")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(base + "/")


def test_a_whistle_is_answered_by_one_unit_and_escalated_for_the_other(live_server, world, browser):
    base = live_server.url
    estate = Organization.objects.create(
        name="江汉北物业", kind=Organization.Kind.ENTERPRISE, region=world.community
    )
    contact = User.objects.create_user("13900000007", "secret-pass-1", real_name="物业庚")
    Membership.objects.create(organization=estate, user=contact, role=Membership.Role.ADMIN)

    # Staff blow an emergency whistle from the desk.
    staff_ctx = browser.new_context(viewport=DESK, locale="zh-CN")
    staff = staff_ctx.new_page()
    _sign_in(staff, base, "13900000004")
    staff.goto(base + f"/whistles/new/{world.community.pk}/")
    check_accessibility(staff)
    staff.locator("input[name=type][value=emergency]").check()
    staff.locator("input[name=title]").fill("42号小区3栋水管爆裂")
    # The units are grouped by kind and found by typing part of a name, in either script.
    search = staff.locator(".picker-search")
    search.fill("江漢北")
    school = staff.locator(f"input[name=units][value='{world.unit.pk}']")
    expect(school).to_be_hidden()
    staff.locator(f"input[name=units][value='{estate.pk}']").check()
    expect(staff.locator(".picker-count")).to_have_text("已选 1 个")
    search.fill("")
    school.check()
    expect(staff.locator(".picker-count")).to_have_text("已选 2 个")
    assert set(staff.locator(".picker-group legend").all_inner_texts()) >= {"学校", "企业"}
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url("**/whistles/*/")
    check_accessibility(staff)
    whistle = Whistle.objects.get()
    assert whistle.report_by - whistle.created_at == datetime.timedelta(hours=2)

    # The school signs for it, reports for duty and handles it, on a phone.
    unit_ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    unit = unit_ctx.new_page()
    _sign_in(unit, base, "13900000002")
    unit.goto(base + "/whistles/calls/")
    check_accessibility(unit)
    assert_fits_width(unit)
    unit.locator("button[value=sign]").click()
    unit.wait_for_load_state()
    unit.locator("button[value=arrive]").click()
    unit.wait_for_load_state()
    unit.once("dialog", lambda dialog: dialog.accept())
    unit.locator("button[value=handle]").click()
    unit.wait_for_load_state()
    check_accessibility(unit)
    school_call = WhistleCall.objects.get(organization=world.unit)
    assert school_call.state == "handled" and school_call.arrived_on_time

    # The estate office says nothing; three hours later the worker's sweep runs.
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=3), tick=False):
        call_command("worker", once=True, verbosity=0)
    late = WhistleCall.objects.get(organization=estate)
    assert late.report_overdue and late.escalated_at is not None

    # The subdistrict user finds the escalation in the inbox and opens it.
    sub_ctx = browser.new_context(viewport=DESK, locale="zh-CN")
    sub = sub_ctx.new_page()
    _sign_in(sub, base, "13900000005")
    sub.goto(base + "/inbox/")
    check_accessibility(sub)
    item = sub.locator("li.notification", has_text="江汉北物业")
    assert item.count() == 1
    assert Notification.objects.get(recipient=world["subdistrict_staff"]).kind == (
        "whistle.escalated"
    )
    item.locator("button[type=submit]").first.click()
    sub.wait_for_url(f"**/whistles/{whistle.pk}/")
    check_accessibility(sub)
    row = sub.locator(f"tr[data-unit='{estate.pk}']")
    assert row.get_attribute("data-state") == "called"
    assert "badge red" in row.inner_html()

    # Staff see the scorecard and the school's answer on it.
    staff.goto(base + f"/whistles/scorecard/{world.community.pk}/")
    check_accessibility(staff)
    assert staff.locator(f"tr[data-unit='{world.unit.pk}']").count() == 1
    staff.goto(base + "/inbox/settings/")
    check_accessibility(staff)
    for ctx in (staff_ctx, unit_ctx, sub_ctx):
        ctx.close()
