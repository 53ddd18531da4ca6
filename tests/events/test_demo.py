from __future__ import annotations

import pytest
from django.core.management import call_command

from wulian.accounts.models import User
from wulian.events import reports
from wulian.events.demo import FIRST_EVENT, NEXT_EVENT, build_events
from wulian.events.models import ReleaseEvent
from wulian.places.models import Region


@pytest.mark.django_db
def test_it_builds_the_articles_event_once(capsys):
    call_command("demo")
    capsys.readouterr()
    community = Region.objects.get(name="江汉北路社区")
    secretary = User.objects.get(mobile="13800000001")
    build_events(community, secretary)
    assert build_events(community, secretary) == 0  # idempotent

    held = ReleaseEvent.objects.get(title=FIRST_EVENT)
    assert held.state == "closed"
    data = reports.build_report(held).as_json()
    assert (data["needs"], data["claimed"], data["unclaimed"]) == (49, 49, 0)
    assert data["agreements_signed"] == 49
    assert data["raisers_by_kind"] == {
        "community": 1,
        "enterprise": 23,
        "school": 0,
        "agency": 0,
        "social_organization": 0,
        "volunteer_team": 6,
        "resident": 4,
    }
    assert data["claimants_by_kind"]["resident"] == 0
    assert sum(data["claimants_by_kind"].values()) > 20

    upcoming = ReleaseEvent.objects.get(title=NEXT_EVENT)
    board = reports.board_state(upcoming)
    assert upcoming.state == "upcoming" and board["total"] == 6 and board["claimed"] == 0
