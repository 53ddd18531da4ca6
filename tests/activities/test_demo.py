from __future__ import annotations

import pytest
from django.db.models import F

from wulian.accounts.models import User
from wulian.activities.demo import SERVICES, build_activities
from wulian.activities.models import Activity, Booking, Service, ServiceBooking, SignUp, Venue
from wulian.places.models import Region
from wulian.site.demo import DemoBuilder


@pytest.fixture
def demo(db):
    DemoBuilder().build()  # builds every app's part, this one included
    return Region.objects.get(name="江汉北路社区"), User.objects.get(mobile="13800000001")


def test_the_demo_has_the_schools_venues_services_and_the_talk_from_the_article(demo):
    community, secretary = demo
    names = set(Venue.objects.values_list("name", flat=True))
    assert {"实训美发室", "多媒体教室", "新时代文明实践站"} <= names
    assert set(Service.objects.values_list("title", flat=True)) == {s[0] for s in SERVICES}
    talk = Activity.objects.get(title="AI 反诈与防暑降温进站点")
    hosts = set(talk.hosts.values_list("short_name", flat=True))
    assert {"市委网信办", "市互联网行业党委", "市职防院"} <= hosts
    assert talk.signups.filter(checked_in_at__isnull=False).count() > 30
    assert talk.signups.filter(role="volunteer", checked_out_at__isnull=False).count() == 3
    assert Activity.objects.filter(starts_at__gt=talk.ends_at).count() >= 3
    assert SignUp.objects.filter(state="waiting").exists()
    assert set(Booking.objects.values_list("state", flat=True)) >= {
        "pending",
        "approved",
        "declined",
    }
    states = set(ServiceBooking.objects.values_list("state", flat=True))
    assert states >= {"booked", "attended", "no_show"}
    assert ServiceBooking.objects.exclude(booked_by=F("person")).exists()
    assert build_activities(community, secretary) == 0
