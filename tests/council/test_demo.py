from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from wulian.accounts.models import User
from wulian.council.demo import build_council
from wulian.council.models import Council, Meeting, Resolution, Topic
from wulian.places.models import Region
from wulian.site.demo import DemoBuilder


@pytest.fixture
def demo(db):
    DemoBuilder().build()
    return Region.objects.get(name="江汉北路社区"), User.objects.get(mobile="13800000001")


def test_the_demo_council_has_a_held_meeting_and_an_upcoming_one(demo):
    community, secretary = demo
    council = Council.objects.get(compound__name="江汉北路42号小区")
    roles = set(council.members.values_list("role", flat=True))
    assert roles == {"chair", "secretary", "adviser", "representative"}
    held, upcoming = Meeting.objects.filter(council=council).order_by("starts_at")
    assert held.state == "closed" and held.place == "42号小区中心广场"
    assert upcoming.state == "noticed"
    titles = set(Topic.objects.filter(state="decided").values_list("title", flat=True))
    assert titles == {"楼道粉刷", "加装电梯", "道路平整", "拆除地锁"}
    assert Topic.objects.filter(state__in=["raised", "seconded", "agenda"]).count() == 3
    assert Resolution.objects.filter(state="effective").count() == 4
    assert build_council(community, secretary) == 0


def test_the_demo_pages_commands_and_api_work(demo):
    _community, secretary = demo
    held = Meeting.objects.filter(state="closed").get()
    out = io.StringIO()
    call_command("council", "tally", str(held.pk), "--format", "json", stdout=out)
    assert {row["outcome"] for row in json.loads(out.getvalue())["motions"]} == {"passed"}
    client = Client()
    client.force_login(secretary)
    council = held.council
    for url in [
        f"/council/{council.pk}/",
        f"/council/meetings/{held.pk}/",
        f"/council/meetings/{held.pk}/projector/",
        f"/council/motions/{held.motions.earliest('id').pk}/",
        f"/api/council/meetings/{held.pk}/minutes",
    ]:
        assert client.get(url).status_code == 200, url
    aunt = Client()
    aunt.force_login(User.objects.get(mobile="13900000042"))
    home = aunt.get(f"/council/{council.pk}/").content.decode()
    assert "楼道粉刷" in home and "红色议事厅" in home
