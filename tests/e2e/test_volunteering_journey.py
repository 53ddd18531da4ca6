"""On phones: a volunteer checks in and out of an activity, sees the hours, asks for a
correction; the organiser corrects the record; the volunteer downloads the certificate, whose
QR code opens the verification page. axe checks the pages.

Time is set a week ahead of the real date (ticking), so the activity is always in the future
when it is put on."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, PHONE, assert_fits_width, check_accessibility
from tests.events.qr import decode_pdf
from wulian.accounts.models import User
from wulian.activities import services as activities
from wulian.orgs.models import Membership, Organization
from wulian.volunteering.models import CorrectionRequest, VolunteerRecord

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(browser, base, mobile, viewport=PHONE):
    context = browser.new_context(
        viewport=viewport, is_mobile=viewport == PHONE, has_touch=viewport == PHONE, locale="zh-CN"
    )
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


def test_check_in_and_out_hours_correction_and_a_verified_certificate(
    live_server, world, browser, tmp_path
):
    base = live_server.url
    day = timezone.localdate() + datetime.timedelta(days=7)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    with time_machine.travel(start - datetime.timedelta(days=2), tick=True) as clock:
        team = Organization.objects.create(
            name="红色邻里志愿服务队", kind=Organization.Kind.VOLUNTEER_TEAM, region=world.community
        )
        captain = User.objects.create_user(
            "13950000001", "secret-pass-1", real_name="张秀英", community=world.community
        )
        second = User.objects.create_user("13950000002", "secret-pass-1", real_name="李建国")
        Membership.objects.create(organization=team, user=captain, role=Membership.Role.ADMIN)
        Membership.objects.create(organization=team, user=second)
        activity = activities.create_activity(
            captain,
            world.community,
            activities.ActivityInput(
                title="楼栋清洁日",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=3),
                capacity=10,
                hosts=[team],
                place="42号小区广场",
                volunteers_wanted=5,
                volunteer_tasks="清扫",
            ),
        )
        activities.sign_up(world["resident"], activity, role="volunteer", task="清扫")
        contexts = []

        # 1. The volunteer scans the activity's code at the start and checks in.
        clock.move_to(start - datetime.timedelta(minutes=5))
        ctx, phone = _login(browser, base, "13900000001")
        contexts.append(ctx)
        checkin = base + f"/activities/{activity.pk}/checkin/?t={activity.token}"
        phone.goto(checkin)
        _look(phone)
        phone.locator("main form button[type=submit]").click()
        phone.wait_for_load_state()

        # 2. Two hours later, the same code checks the volunteer out.
        clock.move_to(start + datetime.timedelta(hours=2))
        phone.goto(checkin)
        expect(phone.locator("main form button[type=submit]")).to_contain_text("签退")
        phone.locator("main form button[type=submit]").click()
        phone.wait_for_load_state()
        record = VolunteerRecord.objects.get(person=world["resident"])
        assert record.source == "activity" and Decimal("2") <= record.hours < Decimal("2.2")

        # 3. The hours show on the volunteer's page, verified hours apart.
        phone.goto(base + f"/hours/?period={day.year}")
        expect(phone.locator("#verified-hours")).to_have_text(str(record.hours))
        expect(phone.locator(f"#record-{record.pk}")).to_contain_text("楼栋清洁日")
        _look(phone)

        # 4. The volunteer asks for a correction: the work went on to 11:30.
        phone.locator(f"#record-{record.pk} a").first.click()
        phone.wait_for_url(f"**/hours/records/{record.pk}/")
        _look(phone)
        form = phone.locator("#ask-correction")
        form.locator("textarea[name=reason]").fill("签退晚了，实际服务到11点半")
        form.locator("input[name=hours]").fill("2.5")
        form.locator("button[type=submit]").click()
        expect(phone.locator(".messages")).to_contain_text("已发送给组织方")
        request = CorrectionRequest.objects.get()

        # 5. The team's second organiser corrects the record on the desk.
        ctx, desk = _login(browser, base, "13950000002", DESK)
        contexts.append(ctx)
        desk.goto(base + f"/hours/bodies/{team.pk}/")
        expect(desk.locator("#open-corrections")).to_contain_text("楼栋清洁日")
        _look(desk)
        desk.locator("#open-corrections a").first.click()
        desk.wait_for_url(f"**/hours/corrections/{request.pk}/")
        expect(desk.locator("#correct input[name=hours]")).to_have_value("2.50")
        desk.locator("#correct button[type=submit]").click()
        expect(desk.locator("#correction-state")).to_have_text("已更正")

        # 6. The volunteer downloads the certificate; its QR opens the verification page.
        phone.goto(base + f"/hours/?period={day.year}")
        expect(phone.locator("#total-hours")).to_have_text("2.50")
        with phone.expect_download() as download:
            phone.locator("#certificate").click()
        pdf = tmp_path / "certificate.pdf"
        download.value.save_as(pdf)
        (url,) = decode_pdf(pdf)
        assert url.startswith(base + "/hours/verify/")
        phone.goto(url)
        expect(phone.locator("#genuine")).to_contain_text("真实有效")
        expect(phone.locator("main")).not_to_contain_text("居民甲")
        _look(phone)
        for context in contexts:
            context.close()
