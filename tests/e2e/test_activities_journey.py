"""On phones: a resident books Wednesday's haircut and the school checks her in from the day
sheet; another resident signs up for a full activity, waits, is offered the place when someone
cancels and confirms it; a unit books a venue, the owner approves, and a clashing booking is
refused with the reason. axe checks every page.

Time is set to a Wednesday morning (ticking), a week or more ahead of the real date."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, assert_fits_width, check_accessibility
from wulian.accounts.models import User
from wulian.activities import services
from wulian.activities.models import Booking, OpeningHours, ServiceBooking, SignUp, Venue
from wulian.orgs.models import Membership, Organization

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _wednesday_morning() -> datetime.datetime:
    today = timezone.localdate() + datetime.timedelta(days=7)
    day = today + datetime.timedelta(days=(3 - today.isoweekday()) % 7)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


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


def test_haircut_waiting_list_and_venue_booking_on_phones(live_server, world, browser):
    base = live_server.url
    start = _wednesday_morning()
    with time_machine.travel(start, tick=True):
        salon = Venue.objects.create(
            owner=world.unit, community=world.community, name="实训美发室", capacity=30
        )
        for weekday in range(1, 7):
            OpeningHours.objects.create(
                venue=salon, weekday=weekday, opens=datetime.time(8), closes=datetime.time(21)
            )
        haircuts = services.create_service(
            world["unit_contact"],
            world.unit,
            world.community,
            services.ServiceInput(
                "义务理发", 3, datetime.time(14), datetime.time(17), 20, seats=3, venue=salon
            ),
        )
        contexts = []

        # 1. A resident books Wednesday's 14:20 haircut from her phone.
        ctx, resident = _phone(browser, base, "13900000001")
        contexts.append(ctx)
        resident.goto(base + f"/activities/services/?community={world.community.pk}")
        expect(resident.locator(f"#service-{haircuts.pk}")).to_contain_text("下一个空闲时段")
        _look(resident)
        resident.locator(f"#service-{haircuts.pk} a").click()
        resident.wait_for_url(f"**/activities/services/{haircuts.pk}/")
        _look(resident)
        resident.locator("#slot-1420 button[type=submit]").click()
        resident.wait_for_url("**/activities/services/mine/")
        expect(resident.locator(".message")).to_contain_text("预约成功")
        _look(resident)
        booking = ServiceBooking.objects.get(person=world["resident"])
        assert timezone.localtime(booking.starts_at).time() == datetime.time(14, 20)

        # 2. The school's teacher checks her in from the day sheet.
        ctx, teacher = _phone(browser, base, "13900000002")
        contexts.append(ctx)
        teacher.goto(base + f"/activities/services/{haircuts.pk}/sheet/")
        row = teacher.locator(f"#sheet-{booking.pk}")
        expect(row).to_contain_text("居民甲")
        expect(row).to_contain_text("139****0001")
        _look(teacher)
        row.locator("button[type=submit]").click()
        expect(teacher.locator(f"#sheet-{booking.pk}")).to_contain_text("✓")
        booking.refresh_from_db()
        assert booking.state == ServiceBooking.State.ATTENDED

        # 3. A full activity: the outsider waits, is offered the freed place and confirms.
        talk = services.create_activity(
            world["community_staff"],
            world.community,
            services.ActivityInput(
                title="反诈防暑进站点",
                starts_at=start + datetime.timedelta(days=2),
                ends_at=start + datetime.timedelta(days=2, hours=2),
                capacity=1,
                hosts=[world.unit],
                place="骑手驿站",
            ),
        )
        resident.goto(base + f"/activities/{talk.pk}/")
        _look(resident)
        resident.locator("form[action$='/sign-up/'] button").click()
        expect(resident.locator("#my-signup")).to_contain_text("已报名")
        ctx, other = _phone(browser, base, "13900000006")
        contexts.append(ctx)
        other.goto(base + f"/activities/{talk.pk}/")
        other.locator("form[action$='/sign-up/'] button").click()
        expect(other.locator("#my-signup")).to_contain_text("候补中")
        _look(other)
        resident.locator("form[action$='/cancel/'] button").click()
        expect(resident.locator(".message")).to_contain_text("报名已取消")
        other.reload()
        expect(other.locator("#my-signup")).to_contain_text("请在")
        _look(other)
        other.locator("form[action$='/confirm/'] button").click()
        expect(other.locator("#my-signup")).to_contain_text("已报名")
        expect(other.locator("#my-signup img")).to_be_visible()  # the check-in code
        assert SignUp.objects.get(person=world["outsider"]).state == "confirmed"

        # 4. Another unit books the classroom; the school approves; a clash is refused.
        estate = Organization.objects.create(
            name="江汉北物业", kind=Organization.Kind.ENTERPRISE, region=world.community
        )
        contact = User.objects.create_user("13900000007", "secret-pass-1", real_name="物业庚")
        Membership.objects.create(organization=estate, user=contact, role=Membership.Role.ADMIN)
        ctx, unit = _phone(browser, base, "13900000007")
        contexts.append(ctx)
        day = (start + datetime.timedelta(days=1)).date().isoformat()

        def book(from_, to):
            unit.goto(base + f"/activities/venues/{salon.pk}/book/")
            unit.locator("input[name=date]").fill(day)
            unit.locator("input[name=starts]").fill(from_)
            unit.locator("input[name=ends]").fill(to)
            unit.locator("input[name=purpose]").fill("员工安全培训")
            unit.locator("input[name=attendance]").fill("20")
            unit.locator("select[name=organization]").select_option(str(estate.pk))
            unit.locator("main form button[type=submit]").click()

        book("14:00", "16:00")
        unit.wait_for_url(f"**/activities/venues/{salon.pk}/")
        expect(unit.locator(".message")).to_contain_text("已提交所属单位审批")
        _look(unit)
        pending = Booking.objects.get(organization=estate)

        ctx, owner = _phone(browser, base, "13900000003")
        contexts.append(ctx)
        owner.goto(base + f"/activities/venues/{salon.pk}/")
        _look(owner)
        owner.locator(f"#booking-{pending.pk} form[action$='/approve/'] button").click()
        expect(owner.locator(".message")).to_contain_text("已批准")
        pending.refresh_from_db()
        assert pending.state == Booking.State.APPROVED

        book("15:00", "17:00")
        expect(unit.locator(".errors")).to_contain_text("已被预约")
        expect(unit.locator(".errors")).to_contain_text("14:00")
        _look(unit)
        assert Booking.objects.count() == 1
        for context in contexts:
            context.close()
