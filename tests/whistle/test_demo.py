from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from wulian.accounts.models import User
from wulian.audit.services import timeline
from wulian.places.models import Region
from wulian.site.demo import DemoBuilder
from wulian.whistle.demo import CASES, build_whistles
from wulian.whistle.models import Whistle, WhistleCall
from wulian.whistle.scorecard import Period, scorecard

SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def demo(db):
    DemoBuilder().build()
    community = Region.objects.get(name="江汉北路社区")
    secretary = User.objects.get(mobile="13800000001")
    build_whistles(community, secretary)
    return community, secretary


def _past_month() -> Period:
    now = timezone.now()
    return Period(now - datetime.timedelta(days=32), now + SECOND, "past month")


def test_the_demo_whistles_fill_the_scorecard_and_are_built_once(demo):
    community, secretary = demo
    assert Whistle.objects.count() == len(CASES)
    assert build_whistles(community, secretary) == 0
    states = set(WhistleCall.objects.values_list("state", flat=True))
    assert states >= {"called", "signed", "arrived", "handled", "rerouted"}
    assert WhistleCall.objects.filter(escalated_at__isnull=False).exists()
    rows = scorecard(community, _past_month())
    rates = ("response_rate", "on_time_rate", "resolution_rate", "satisfaction_rate")
    full = [r for r in rows if all(getattr(r, rate) is not None for rate in rates)]
    assert len(full) >= 3
    assert all(r.calls >= 2 for r in full)


def test_the_demo_timeline_agrees_with_the_whistles_times_and_the_scorecard(demo):
    community, _ = demo
    medians = [r.median_minutes_to_report for r in scorecard(community, _past_month())]
    reported = [m for m in medians if m is not None]
    assert len(reported) >= 4
    assert all(20 <= m <= 30 * 60 for m in reported), medians
    assert len(set(reported)) > 1
    now = timezone.now()
    for whistle in Whistle.objects.all():
        entries = list(timeline(whistle))
        assert abs(entries[0].created_at - whistle.created_at) < SECOND
        assert all(whistle.created_at - SECOND <= e.created_at <= now for e in entries)
        for call in whistle.calls.select_related("organization"):
            for action, moment in [
                ("whistle.signed", call.signed_at),
                ("whistle.arrived", call.arrived_at),
                ("whistle.handled", call.handled_at),
                ("whistle.escalated", call.escalated_at),
            ]:
                mine = [
                    e
                    for e in entries
                    if e.action == action and (e.after or {}).get("unit") == call.organization.name
                ]
                if moment is None:
                    continue
                assert mine, (whistle.title, action)
                assert abs(mine[0].created_at - moment) < SECOND, (whistle.title, action)
        if whistle.closed_at is not None:
            closed = [e for e in entries if e.action == "whistle.closed"]
            assert abs(closed[0].created_at - whistle.closed_at) < SECOND
