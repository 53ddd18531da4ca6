"""Units' administrators and the community's staff set venues and convenience services up:
capacity, facilities, photos, hours per weekday, closed dates, who may book; slot rules,
days off and places per slot."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.activities.conftest import at
from tests.conftest import fresh
from tests.rules import allowed_roles
from wulian.activities import services
from wulian.activities.models import Service, Venue
from wulian.audit.models import AuditEntry
from wulian.core.errors import DomainError, NotAllowed
from wulian.places.models import Compound

SETTERS = {"community_staff", "subdistrict_staff", "unit_admin"}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_SERVE = "stream"
    return settings.MEDIA_ROOT


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(fresh(user))
    return client


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 180)).save(out, "JPEG")
    return SimpleUploadedFile("教室.jpg", out.getvalue(), content_type="image/jpeg")


def _venue_post(world: Any, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "owner": world.unit.pk,
        "name": "第三教室",
        "capacity": "40",
        "compound": world.compound.pk,
        "address": "江汉北路 12 号 3 楼",
        "facilities": "投影仪, 40 把椅子",
        "bookers": "everyone",
        "needs_approval": "on",
        "is_active": "on",
        "closed": "2026-11-11 期中考试\n2026-11-12",
    }
    for day in range(1, 6):
        data[f"opens_{day}"] = "08:00"
        data[f"closes_{day}"] = "21:00"
    data.update(extra)
    return data


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


def test_who_may_set_venues_and_services_up(world, venue, haircuts):
    assert allowed_roles(world, "activities.add_venue", world.community) == SETTERS
    assert allowed_roles(world, "activities.add_service", world.community) == SETTERS
    assert allowed_roles(world, "activities.edit_venue", venue) == SETTERS
    assert allowed_roles(world, "activities.edit_service", haircuts) == SETTERS


@pytest.mark.parametrize("role", ["resident", "unit_contact", "outsider"])
def test_others_cannot_open_the_set_up_pages(world, venue, haircuts, role):
    client = _client(world[role])
    for url in (
        reverse("activities:venue_create", args=[world.community.pk]),
        reverse("activities:venue_edit", args=[venue.pk]),
        reverse("activities:service_create", args=[world.community.pk]),
        reverse("activities:service_edit", args=[haircuts.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_a_units_admin_shares_a_room_with_hours_closed_dates_and_a_photo(world, clock):
    client = _client(world["unit_admin"])
    listing = client.get(reverse("activities:venues") + f"?community={world.community.pk}")
    assert 'id="venue-create"' in listing.content.decode()
    url = reverse("activities:venue_create", args=[world.community.pk])
    form = client.get(url).content.decode()
    assert "周一开门" in form and "周日关门" in form
    sent = client.post(url, {**_venue_post(world), "photos": [_jpeg()]})
    venue = Venue.objects.get(name="第三教室")
    assert sent.status_code == 302 and sent["Location"] == reverse(
        "activities:venue", args=[venue.pk]
    )
    assert venue.owner == world.unit and venue.capacity == 40 and venue.compound == world.compound
    assert venue.bookers == "everyone" and venue.needs_approval
    assert [h.weekday for h in venue.hours.all()] == [1, 2, 3, 4, 5]
    assert [(c.date.day, c.reason) for c in venue.closed_dates.all()] == [
        (11, "期中考试"),
        (12, ""),
    ]
    assert venue.photos.count() == 1
    assert AuditEntry.objects.filter(action="venue.created").count() == 1
    page = client.get(reverse("activities:venue", args=[venue.pk])).content.decode()
    assert 'id="venue-edit"' in page and "投影仪" in page
    # The rules written on the page hold for bookings.
    booker = fresh(world["unit_contact"])
    with pytest.raises(DomainError) as closed:
        services.book_venue(
            booker,
            venue,
            services.BookingInput(at(11, 9), at(11, 10), "班会", 20, organization=world.unit),
        )
    assert "期中考试" in str(closed.value.message)
    with pytest.raises(DomainError):
        services.book_venue(
            booker,
            venue,
            services.BookingInput(at(7, 9), at(7, 10), "周六活动", 20, organization=world.unit),
        )


def test_a_unit_admin_may_not_share_another_units_room(world, clock):
    client = _client(world["unit_admin"])
    url = reverse("activities:venue_create", args=[world.community.pk])
    page = client.post(url, _venue_post(world, owner=world.party_committee.pk))
    assert page.status_code == 200 and not Venue.objects.exists()
    with pytest.raises(NotAllowed):
        services.create_venue(
            fresh(world["unit_admin"]),
            world.party_committee,
            world.community,
            services.VenueInput(name="党群服务中心", capacity=50),
        )


def test_wrong_hours_and_a_foreign_compound_are_refused_and_nothing_is_written(world, clock):
    client = _client(world["community_staff"])
    url = reverse("activities:venue_create", args=[world.community.pk])
    backwards = client.post(url, _venue_post(world, opens_2="21:00", closes_2="08:00"))
    assert "周二的关门时间须晚于开门时间。" in backwards.content.decode()
    assert not Venue.objects.exists()
    half = client.post(url, _venue_post(world, closes_3=""))
    assert "请同时填写开门和关门时间，或都不填。" in half.content.decode()
    bad_date = client.post(url, _venue_post(world, closed="11月11日"))
    assert "第 1 行" in bad_date.content.decode()
    assert not Venue.objects.exists()
    other = Compound.objects.create(community=world.other_community, name="别处小区")
    with pytest.raises(DomainError) as refused:
        services.create_venue(
            fresh(world["community_staff"]),
            world.unit,
            world.community,
            services.VenueInput(name="x", capacity=5, compound=other),
        )
    assert refused.value.code == "venue.bad_compound"


def test_staff_edit_a_venue_and_the_change_is_audited(world, venue, clock):
    client = _client(world["community_staff"])
    url = reverse("activities:venue_edit", args=[venue.pk])
    form = client.get(url).content.decode()
    assert 'value="实训美发室"' in form and 'value="08:00"' in form
    data = _venue_post(world, name="实训美发室", capacity="12", bookers="owner", closed="")
    del data["owner"]
    del data["needs_approval"]
    sent = client.post(url, data)
    assert sent.status_code == 302
    venue.refresh_from_db()
    assert venue.capacity == 12 and venue.bookers == "owner" and not venue.needs_approval
    assert [h.weekday for h in venue.hours.all()] == [1, 2, 3, 4, 5]
    entry = AuditEntry.objects.get(action="venue.changed")
    assert (entry.before or {}).get("capacity") == 30 and (entry.after or {}).get("capacity") == 12


def test_a_double_click_sets_a_service_up_once(world, venue, clock):
    client = _client(world["unit_admin"])
    url = reverse("activities:service_create", args=[world.community.pk])
    token = re.search(r'name="submission_token" value="([^"]+)"', client.get(url).content.decode())
    assert token is not None
    data = {
        "submission_token": token.group(1),
        "provider": world.unit.pk,
        "title": "手部护理",
        "venue": venue.pk,
        "weekday": "3",
        "starts": "14:00",
        "ends": "16:00",
        "slot_minutes": "30",
        "seats": "2",
        "per_person": "1",
    }
    first = client.post(url, data)
    second = client.post(url, data)
    assert Service.objects.filter(title="手部护理").count() == 1
    assert second["Location"] == first["Location"]


def test_a_provider_sets_up_a_service_with_days_off_and_slots_follow_it(world, venue, clock):
    client = _client(world["unit_admin"])
    listing = client.get(reverse("activities:services") + f"?community={world.community.pk}")
    assert 'id="service-create"' in listing.content.decode()
    url = reverse("activities:service_create", args=[world.community.pk])
    sent = client.post(
        url,
        {
            "provider": world.unit.pk,
            "title": "义务理发",
            "venue": venue.pk,
            "weekday": "3",
            "nth": "",
            "starts": "14:00",
            "ends": "17:00",
            "slot_minutes": "20",
            "seats": "3",
            "per_person": "1",
            "days_off": "2026-11-11 学校运动会",
            "is_active": "on",
        },
    )
    service = Service.objects.get(title="义务理发")
    assert sent.status_code == 302
    assert services.slots_on(service, datetime.date(2026, 11, 11)) == []
    slots = services.slots_on(service, datetime.date(2026, 11, 4))
    assert len(slots) == 9 and slots[0].seats == 3
    page = client.get(reverse("activities:service", args=[service.pk])).content.decode()
    assert "学校运动会" in page and 'id="service-edit"' in page


def test_the_first_saturday_rule_and_a_bad_rule_through_the_form(world, clock):
    client = _client(world["community_staff"])
    url = reverse("activities:service_create", args=[world.community.pk])
    base = {
        "provider": world.unit.pk,
        "title": "视力检查",
        "place": "社区卫生站",
        "weekday": "6",
        "nth": "1",
        "starts": "09:00",
        "ends": "11:00",
        "slot_minutes": "30",
        "seats": "2",
        "per_person": "1",
    }
    backwards = client.post(url, {**base, "ends": "08:00"})
    assert "结束时间必须晚于开始时间。" in backwards.content.decode()
    assert not Service.objects.exists()
    client.post(url, base)
    service = Service.objects.get()
    assert service.nth == 1
    assert services.slots_on(service, datetime.date(2026, 11, 7))
    assert not services.slots_on(service, datetime.date(2026, 11, 14))


def test_staff_change_a_services_places_and_pause_it(world, haircuts, clock):
    client = _client(world["community_staff"])
    url = reverse("activities:service_edit", args=[haircuts.pk])
    form = client.get(url).content.decode()
    assert 'value="义务理发"' in form
    sent = client.post(
        url,
        {
            "title": "义务理发",
            "venue": haircuts.venue_id,
            "weekday": "3",
            "starts": "14:00",
            "ends": "16:00",
            "slot_minutes": "30",
            "seats": "2",
            "per_person": "2",
            "days_off": "2026-11-18 教师培训",
        },
    )
    assert sent.status_code == 302
    haircuts.refresh_from_db()
    assert (haircuts.seats, haircuts.slot_minutes, haircuts.per_person) == (2, 30, 2)
    assert not haircuts.is_active
    assert [e.reason for e in haircuts.exceptions.all()] == ["教师培训"]
    assert AuditEntry.objects.filter(action="service.changed").count() == 1
    with pytest.raises(NotAllowed):
        services.update_service(
            fresh(world["unit_contact"]), haircuts, services.service_input_of(haircuts)
        )
