from __future__ import annotations

import pytest

from wulian.accounts.models import User
from wulian.places.models import Region
from wulian.site.demo import DemoBuilder
from wulian.volunteering import services
from wulian.volunteering.demo import build_volunteering
from wulian.volunteering.models import Award, CorrectionRequest, VolunteerRecord


@pytest.fixture
def demo(db):
    DemoBuilder().build()
    return Region.objects.get(name="江汉北路社区"), User.objects.get(mobile="13800000001")


def test_the_demo_has_a_year_of_records_and_zhang_ayi_is_a_good_captain(demo):
    community, secretary = demo
    records = VolunteerRecord.objects.filter(community=community)
    assert records.values("person").distinct().count() >= 30
    assert records.filter(source="activity").exists()
    assert records.filter(source="manual", state="pending").exists()
    assert CorrectionRequest.objects.filter(state="open").exists()
    days = records.dates("date", "month")
    assert len(days) >= 11
    aunt = User.objects.get(mobile="13900000042")
    codes = set(Award.objects.filter(person=aunt).values_list("badge__code", flat=True))
    assert {"good-captain", "first-service", "hours-10"} <= codes
    roll = services.honour_roll(community, services.current_period())
    assert roll and roll[0].rank == 1
    assert build_volunteering(community, secretary) == 0
