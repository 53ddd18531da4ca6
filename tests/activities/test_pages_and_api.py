"""Rules for every role, the pages in zh-Hans on a phone, the API and the commands."""

from __future__ import annotations

import datetime
import io
import json
import secrets
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.activities.conftest import at
from tests.conftest import fresh
from tests.rules import allowed_roles
from wulian.accounts.models import ApiToken
from wulian.activities import services
from wulian.activities.models import Booking, ServiceBooking, SignUp


def _client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


def _token(user: Any) -> Any:
    key = secrets.token_hex(20)
    ApiToken.objects.create(user=user, name="t", prefix=key[:4], digest=ApiToken.digest_of(key))
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def activity(world, clock):
    return services.create_activity(
        fresh(world["community_staff"]),
        world.community,
        services.ActivityInput(
            title="反诈防暑进站点",
            starts_at=at(6, 14),
            ends_at=at(6, 16),
            capacity=1,
            hosts=[world.unit],
            place="骑手驿站",
        ),
    )


@pytest.fixture
def haircuts(world, venue):
    return services.create_service(
        fresh(world["unit_contact"]),
        world.unit,
        world.community,
        services.ServiceInput(
            "义务理发", 3, datetime.time(14), datetime.time(17), 20, seats=3, venue=venue
        ),
    )


def test_who_may_do_what(world, venue, activity, haircuts):
    staff = {"community_staff", "subdistrict_staff"}
    unit = {"unit_contact", "unit_admin"}
    assert allowed_roles(world, "activities.manage_venue", venue) == staff | unit
    assert allowed_roles(world, "activities.book_venue", venue) == staff | unit
    assert allowed_roles(world, "activities.manage_activity", activity) == staff | unit
    assert allowed_roles(world, "activities.add_activity", world.community) == staff | unit
    assert allowed_roles(world, "activities.manage_service", haircuts) == staff | unit
    everyone = {r for r in world.people if r != "anonymous"}
    assert allowed_roles(world, "activities.sign_up", activity) == everyone
    signup = services.sign_up(fresh(world["resident"]), activity)
    assert allowed_roles(world, "activities.view_signup", signup) == staff | unit | {"resident"}
    assert allowed_roles(world, "activities.change_signup", signup) == {"resident"}
    booking = services.book_slot(fresh(world["resident"]), haircuts, at(4, 14))
    assert allowed_roles(world, "activities.check_in_slot", booking) == staff | unit
    assert allowed_roles(world, "activities.cancel_slot_booking", booking) == (
        staff | unit | {"resident"}
    )


def test_the_pages_show_chinese_and_work_for_each_role(world, venue, activity, haircuts):
    anonymous = _client()
    for name, args in [
        ("activities:list", []),
        ("activities:activity", [activity.pk]),
        ("activities:venues", []),
        ("activities:venue", [venue.pk]),
        ("activities:services", []),
        ("activities:service", [haircuts.pk]),
    ]:
        response = anonymous.get(
            reverse(name, args=args) + f"?community={world.community.pk}"
            if name in {"activities:list", "activities:venues", "activities:services"}
            else reverse(name, args=args)
        )
        assert response.status_code == 200, name
    page = anonymous.get(reverse("activities:services") + f"?community={world.community.pk}")
    text = page.content.decode()
    assert "义务理发" in text and "下一个空闲时段" in text
    assert "每周三 14:00" in text, "the weekday follows 每 with no space"
    month = anonymous.get(reverse("activities:venue", args=[venue.pk]) + "?view=month")
    assert month.status_code == 200
    assert (
        _client(world["resident"]).get(reverse("activities:manage", args=[activity.pk])).status_code
        == 403
    )
    assert (
        _client(world["unit_contact"])
        .get(reverse("activities:manage", args=[activity.pk]))
        .status_code
        == 200
    )
    assert (
        _client(world["resident"])
        .get(reverse("activities:day_sheet", args=[haircuts.pk]))
        .status_code
        == 403
    )
    assert (
        _client(world["unit_contact"])
        .get(reverse("activities:day_sheet", args=[haircuts.pk]))
        .status_code
        == 200
    )
    export = _client(world["unit_contact"]).get(reverse("activities:export", args=[activity.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_sign_up_in_two_taps_and_the_waiting_list_on_the_page(world, activity):
    first = _client(world["resident"])
    page = first.get(reverse("activities:activity", args=[activity.pk]))
    assert "报名" in page.content.decode()
    done = first.post(
        reverse("activities:activity_action", args=[activity.pk, "sign-up"]), follow=True
    )
    assert SignUp.objects.get(person=world["resident"]).state == "confirmed"
    assert "报名成功。" in done.content.decode()
    second = _client(world["outsider"])
    waiting = second.post(
        reverse("activities:activity_action", args=[activity.pk, "sign-up"]), follow=True
    ).content.decode()
    assert SignUp.objects.get(person=world["outsider"]).state == "waiting"
    assert "您已进入候补名单" in waiting
    assert "报名成功" not in waiting
    door = reverse("activities:self_check_in", args=[activity.pk]) + f"?t={activity.token}"
    at_door = second.get(door).content.decode()
    assert "您在候补名单中" in at_door and "self-check-in" not in at_door
    assert "self-check-in" in first.get(door).content.decode()
    mine = SignUp.objects.get(person=world["resident"])
    first.post(reverse("activities:signup_action", args=[mine.pk, "cancel"]))
    offered = SignUp.objects.get(person=world["outsider"])
    assert offered.state == "offered"
    offer_page = second.get(reverse("activities:activity", args=[activity.pk])).content.decode()
    assert "确认" in offer_page
    second.post(reverse("activities:signup_action", args=[offered.pk, "confirm"]))
    offered.refresh_from_db()
    assert offered.state == "confirmed"


def test_a_weekly_booking_page_lists_the_conflicts_then_books_the_rest(world, venue, clock):
    services.book_venue(
        fresh(world["community_staff"]),
        venue,
        services.BookingInput(at(10, 14), at(10, 15), "已有", 5),
    )
    client = _client(world["unit_contact"])
    form = {
        "date": "2026-11-03",
        "starts": "14:00",
        "ends": "16:00",
        "purpose": "书法课",
        "attendance": "12",
        "weeks": "3",
    }
    page = client.post(reverse("activities:venue_book", args=[venue.pk]), form)
    text = page.content.decode()
    assert page.status_code == 200 and "2026-11-10" in text
    assert Booking.objects.count() == 1
    client.post(reverse("activities:venue_book", args=[venue.pk]), {**form, "skip_conflicts": "on"})
    assert Booking.objects.filter(purpose="书法课").count() == 2
    bad = client.post(
        reverse("activities:venue_book", args=[venue.pk]),
        {**form, "attendance": "99", "weeks": "1"},
    )
    assert "30" in bad.content.decode() and Booking.objects.count() == 3
    # Too many people at a time the venue is closed: both said at once, each by its field.
    both = client.post(
        reverse("activities:venue_book", args=[venue.pk]),
        {**form, "attendance": "99", "weeks": "1", "starts": "06:00", "ends": "07:00"},
    )
    errors = both.context["form"].errors
    assert "30" in errors["attendance"][0] and "08:00–21:00" in errors["starts"][0]
    assert Booking.objects.count() == 3


def test_the_api_lists_books_cancels_and_checks_in(world, venue, activity, haircuts, clock):
    client = Client()
    listed = client.get(f"/api/activities?community_id={world.community.pk}").json()
    assert listed["items"][0]["title"] == "反诈防暑进站点"
    resident = _token(world["resident"])
    done = client.post(
        f"/api/activities/{activity.pk}/sign-up", "{}", content_type="application/json", **resident
    ).json()
    assert done["signup"]["state"] == "confirmed"
    slot = client.post(
        f"/api/services/{haircuts.pk}/bookings",
        json.dumps({"starts_at": at(4, 14).isoformat()}),
        content_type="application/json",
        **resident,
    )
    assert slot.status_code == 201
    full = client.post(
        f"/api/services/{haircuts.pk}/bookings",
        json.dumps({"starts_at": at(4, 14).isoformat()}),
        content_type="application/json",
        **resident,
    )
    assert full.status_code == 409 and full.json()["error"]["code"] == "slot.already"
    booking_id = slot.json()["id"]
    cancelled = client.post(
        f"/api/service-bookings/{booking_id}/cancel",
        "{}",
        content_type="application/json",
        **resident,
    )
    assert cancelled.json()["state"] == "cancelled"
    unit = _token(world["unit_contact"])

    def book(purpose: str, attendance: int) -> Any:
        backwards = {"starts_at": at(3, 9).isoformat(), "ends_at": at(3, 8).isoformat()}
        body = json.dumps({**backwards, "purpose": purpose, "attendance": attendance})
        return client.post(
            f"/api/venues/{venue.pk}/bookings", body, content_type="application/json", **unit
        )

    made = book("x", 3)
    assert made.status_code == 400 and made.json()["error"]["code"] == "booking.bad_time"
    several = book(" ", 300).json()["error"]
    assert several["code"] == "booking.invalid"
    assert set(several["fields"]) == {"purpose", "attendance", "starts_at"}
    assert not Booking.objects.exists()
    clock.move_to(at(6, 13, 30))
    code = services.person_code(world["resident"])
    for _ in range(2):
        checked = client.post(
            f"/api/activities/{activity.pk}/check-in",
            json.dumps({"code": code, "nonce": "door-1"}),
            content_type="application/json",
            **unit,
        )
        assert checked.status_code == 200 and checked.json()["signup"]["checked_in_at"]
    schema = client.get("/api/openapi.json").json()
    for path in (
        "/api/activities",
        "/api/venues/{venue_id}/bookings",
        "/api/services/{service_id}/slots",
        "/api/activities/{activity_id}/{action}",
        "/api/service-bookings/{booking_id}/{action}",
    ):
        assert path in schema["paths"], path


def test_the_commands_answer_in_json(world, activity, haircuts):
    out = io.StringIO()
    call_command(
        "activities", "list", "--community", "江漢北路社區", "--format", "json", stdout=out
    )
    listed = json.loads(out.getvalue())
    assert listed["activities"][0]["title"] == "反诈防暑进站点"
    out = io.StringIO()
    call_command(
        "services", "slots", "义务理发", "--date", "2026-11-04", "--format", "json", stdout=out
    )
    slots = json.loads(out.getvalue())["slots"]
    assert len(slots) == 9 and slots[0]["free"] == 3
    assert ServiceBooking.objects.count() == 0


def test_a_unit_puts_on_an_activity_from_the_page_and_bad_input_writes_nothing(world, clock):
    from wulian.activities.models import Activity

    client = _client(world["unit_contact"])
    path = reverse("activities:create", args=[world.community.pk])
    assert _client(world["resident"]).get(path).status_code == 403
    page = client.get(path)
    assert page.status_code == 200 and "联办单位" in page.content.decode()
    form = {
        "title": "亲子糕点课",
        "hosts": [str(world.unit.pk)],
        "starts_at": "2026-11-06T15:00",
        "ends_at": "2026-11-06T14:00",
        "place": "烹饪实训室",
        "capacity": "12",
        "audience": "children",
    }
    bad = client.post(path, form)
    assert "结束时间必须晚于开始时间" in bad.content.decode()
    assert not Activity.objects.exists()
    done = client.post(path, {**form, "ends_at": "2026-11-06T17:00"})
    activity = Activity.objects.get()
    assert done.status_code == 302 and done["Location"] == activity.get_absolute_url()
    assert list(activity.hosts.all()) == [world.unit]


def test_a_booking_is_named_by_its_wuhan_time_not_utc(world, venue, clock):
    # The new activity's booking list names each booking: 14:00 in Wuhan is 06:00 UTC.
    booking = services.book_venue(
        fresh(world["community_staff"]),
        venue,
        services.BookingInput(at(10, 14), at(10, 15), "书法课", 5),
    )
    assert str(booking) == "实训美发室 2026-11-10 14:00 书法课"


def test_the_day_sheet_opens_on_the_services_next_day_and_steps_by_service_days(
    world, haircuts, clock
):
    # Monday 2 November: the Wednesday haircuts' sheet opens on Wednesday the 4th.
    provider = _client(world["unit_contact"])
    page = provider.get(reverse("activities:day_sheet", args=[haircuts.pk])).content.decode()
    assert "2026-11-04" in page
    assert "?date=2026-11-11" in page and "?date=2026-10-28" in page


def test_the_organisers_roster_offers_check_in_only_when_it_is_open(world, activity, clock):
    services.sign_up(fresh(world["resident"]), activity)
    organiser = _client(world["unit_contact"])
    manage = reverse("activities:manage", args=[activity.pk])
    early = organiser.get(manage).content.decode()  # Monday; the activity is on Friday
    assert "签到在活动开始前一小时开放" in early
    assert f"/activities/{activity.pk}/check-in/" not in early
    clock.move_to(at(6, 13, 30))
    assert f"/activities/{activity.pk}/check-in/" in organiser.get(manage).content.decode()
