from __future__ import annotations

import pytest

from wulian.accounts.models import User
from wulian.places.models import Region
from wulian.site.demo import DemoBuilder
from wulian.whistle.demo import CASES, build_whistles
from wulian.whistle.models import Whistle, WhistleCall
from wulian.whistle.scorecard import parse_period, scorecard


@pytest.mark.django_db
def test_the_demo_whistles_fill_the_scorecard_and_are_built_once():
    DemoBuilder().build()
    community = Region.objects.get(name="江汉北路社区")
    secretary = User.objects.get(mobile="13800000001")
    build_whistles(community, secretary)
    assert Whistle.objects.count() == len(CASES)
    assert build_whistles(community, secretary) == 0
    states = set(WhistleCall.objects.values_list("state", flat=True))
    assert states >= {"called", "signed", "arrived", "handled", "rerouted"}
    assert WhistleCall.objects.filter(escalated_at__isnull=False).exists()
    rows = scorecard(community, parse_period(None))
    rates = ("response_rate", "on_time_rate", "resolution_rate", "satisfaction_rate")
    full = [r for r in rows if all(getattr(r, rate) is not None for rate in rates)]
    assert len(full) >= 3
    assert all(r.calls >= 2 for r in full)
