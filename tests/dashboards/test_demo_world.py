"""The demo world's monthly report holds the counts the lists' own pages show."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from wulian.dashboards import reports
from wulian.dashboards.models import DailyFigure
from wulian.places.models import Region, StaffAssignment

pytestmark = pytest.mark.django_db


def _listed(client: Any, query: str) -> int:
    page = client.get(reverse("lists:needs") + "?" + query).content.decode()
    found = re.search(r'<p class="muted">(?:共\s*)?(\d+)\s*项', page) or re.search(
        r'<p class="muted">(\d+)', page
    )
    if found is None:
        assert 'class="empty"' in page, "the needs list shows its count or that it is empty"
        return 0
    return int(found.group(1))


def test_the_demo_reports_what_the_lists_show(client: Any):
    call_command("demo", "--quiet")
    community = Region.objects.get(name="江汉北路社区")
    assert DailyFigure.objects.filter(community=community).exists()  # the demo rolled up
    staff = StaffAssignment.objects.filter(region=community).first()
    assert staff is not None
    client.force_login(staff.user)
    month = timezone.localdate().replace(day=1)
    months = [month, (month - datetime.timedelta(days=1)).replace(day=1)]
    checked = 0
    for first in months:
        data = reports.build(community, first)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        last = following - datetime.timedelta(days=1)
        raised = _listed(
            client,
            f"community={community.pk}&state=all&since={first.isoformat()}&until={last.isoformat()}",
        )
        assert data["indicators"]["lists.needs_raised"]["value"] == raised
        checked += raised
    assert checked > 0, "the demo raised needs in these months"
