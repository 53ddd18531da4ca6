"""`wulian demo --scale district`: the demo world and generated communities around it, with
three years of history the dashboards read, the same every time."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from wulian.dashboards.models import MonthlyFigure
from wulian.lists.models import Claim, Need, Project
from wulian.places.models import Region
from wulian.site.district import Sizes, build_district
from wulian.whistle.models import WhistleCall

SMALL = Sizes(communities=4, residents=40, needs=60, resources=10, projects=20, whistles=4,
              meetings=2, activities=3, signups=5)  # fmt: skip


def _quiet(line: str) -> None:
    pass


@pytest.fixture
def district(db):
    return build_district(SMALL, log=_quiet)


def test_the_district_surrounds_the_demo_with_communities_and_their_history(district):
    jiangan = Region.objects.get(name="江岸区")
    communities = Region.objects.filter(level=Region.Level.COMMUNITY, path__startswith=jiangan.path)
    assert communities.count() == 4  # the demo's two and two generated
    assert communities.filter(name="江汉北路社区").exists()
    made = communities.exclude(name__in=["江汉北路社区", "西马路社区"])
    assert Need.objects.filter(community__in=made).count() == 2 * 60
    # Every claimed or done need has its claim and project; the states agree.
    projects = Project.objects.filter(community__in=made)
    assert projects.count() == 2 * 20
    for project in projects.select_related("need", "claim"):
        assert project.claim.need_id == project.need_id
        done = project.state == Project.State.COMPLETED
        assert project.need.state == (Need.State.DONE if done else Need.State.CLAIMED)
        assert project.need.created_at <= project.claim.created_at
        assert (project.completed_at is not None) == done
    # The history spans years, not the moment it was built.
    years = {n.created_at.year for n in Need.objects.filter(community__in=made)}
    assert len(years) >= 3
    assert WhistleCall.objects.filter(whistle__community__in=made).count() == 2 * 4 * 2
    # The dashboards read it: rolled-up figures for the generated communities and the district.
    assert MonthlyFigure.objects.filter(region__in=made, indicator="lists.needs_raised").exists()
    assert MonthlyFigure.objects.filter(region=jiangan, indicator="lists.needs_raised").exists()


def test_building_again_changes_nothing_and_the_seed_gives_the_same_district(district):
    titles = list(Need.objects.order_by("pk").values_list("title", flat=True))
    claims = Claim.objects.count()
    assert build_district(SMALL, log=_quiet).communities == 0
    assert Claim.objects.count() == claims
    assert list(Need.objects.order_by("pk").values_list("title", flat=True)) == titles


def test_the_command_builds_the_district(db):
    out = StringIO()
    call_command("demo", "--scale", "district", "--communities", "3", "--quiet", stdout=out)
    assert "1 communities" in out.getvalue()
    assert Region.objects.filter(level=Region.Level.COMMUNITY).count() == 3


def test_staff_of_the_district_compare_its_communities(district, client):
    from wulian.places.models import StaffAssignment

    jiangan = Region.objects.get(name="江岸区")
    staff = StaffAssignment.objects.filter(region=jiangan).select_related("user").first()
    assert staff is not None
    client.force_login(staff.user)
    page = client.get(f"/dashboards/regions/{jiangan.pk}/compare/")
    assert page.status_code == 200
    made = Region.objects.filter(level=Region.Level.COMMUNITY).exclude(
        name__in=["江汉北路社区", "西马路社区"]
    )
    for community in made:
        assert community.name in page.content.decode()


def test_the_districts_bulk_rows_carry_their_parents_community(district):
    from django.apps import apps
    from django.db.models import F

    from wulian.places.models import InCommunity

    for model in apps.get_models():
        if issubclass(model, InCommunity):
            parent = f"{model.community_parent}__community_id"
            assert model.objects.count() > 0, model._meta.label
            assert not model.objects.exclude(community_id=F(parent)).exists(), model._meta.label
