"""The adapter between the lists and the matching engine, and recommendations on a need page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.lists.conftest import sign_both
from wulian.lists import matching, services
from wulian.lists.models import Category, Need, Resource

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_engines")]


@pytest.fixture
def lawyer(world: Any, db: Any) -> Resource:
    parent, _ = Category.objects.get_or_create(name="平安法治", parent=None)
    law = Category.objects.get_or_create(name="法律咨询", parent=parent)[0]
    return services.create_resource(
        world["community_staff"],
        world.community,
        services.ResourceInput(
            title="律师坐班法律咨询",
            description="律师在社区坐班，解答婚姻家庭、物业纠纷。",
            category=law,
            tags=["法律", "纠纷"],
        ),
        provider_name="晴川律师事务所",
        provider_kind="enterprise",
    )


def test_it_builds_a_need_record_with_places_category_and_tags(world: Any, need: Need) -> None:
    record = matching.need_record(need)
    assert record.id == str(need.pk)
    assert record.category == ("便民服务", "理发")
    assert set(record.tags) == {"老人", "理发"}
    assert record.compound_id == f"c{world.compound.pk}"
    assert record.community_id == f"r{world.community.pk}"
    assert record.subdistrict_id == f"r{world.subdistrict.pk}"
    assert record.region_path == (f"r{world.city.pk}", f"r{world.district.pk}")
    assert record.slots == 1


def test_it_builds_a_resource_record_with_area_schedule_and_capacity(
    world: Any, barber: Resource
) -> None:
    records, providers = matching.resource_records([barber])
    record = records[0]
    assert record.id == str(barber.pk)
    assert record.provider_id == f"org{world.unit.pk}"
    assert record.category == ("便民服务", "理发")
    assert record.service_area[-1] == f"r{world.community.pk}"  # listed there, serves there
    assert record.availability.weekdays == frozenset({2})  # Wednesday, Monday = 0
    assert (record.availability.start_hour, record.availability.end_hour) == (14, 17)
    assert record.capacity_remaining == 40
    assert record.capacity_unit == "人次"
    assert providers == []  # no history yet


def test_capacity_left_counts_this_months_claims_in_the_category(
    world: Any, need: Need, barber: Resource
) -> None:
    services.claim_need(world["unit_admin"], need, organization=world.unit)
    records, _ = matching.resource_records([barber])
    assert records[0].capacity_remaining == 39
    later = datetime.datetime(2099, 1, 5, tzinfo=datetime.UTC)
    records, _ = matching.resource_records([barber], now=later)
    assert records[0].capacity_remaining == 40  # a new month


def test_the_providers_record_comes_from_projects_and_ratings(
    world: Any, need: Need, barber: Resource
) -> None:
    claim = services.claim_need(world["unit_admin"], need, organization=world.unit)
    project = claim.project
    sign_both(world, project)
    services.complete_project(
        world["unit_admin"], project, services.Outcomes(summary="理了 14 位老人的头发")
    )
    services.rate_project(world["resident"], project, 4)
    _, providers = matching.resource_records([barber])
    assert len(providers) == 1
    assert providers[0].id == f"org{world.unit.pk}"
    assert providers[0].completion_rate == 1.0
    assert providers[0].mean_rating == 4.0


def test_records_take_a_bounded_number_of_queries(
    world: Any, haircut: Category, barber: Resource, lawyer: Resource
) -> None:
    for n in range(10):
        services.create_resource(
            world["unit_admin"],
            world.community,
            services.ResourceInput(
                title=f"服务{n}", category=haircut, tags=[f"标签{n}"], capacity_text="5 次/周"
            ),
            provider_org=world.unit,
        )
    with CaptureQueriesContext(connection) as few:
        matching.resource_records(list(matching.resources_for(world.community)))
    for n in range(10):
        services.create_resource(
            world["community_staff"],
            world.community,
            services.ResourceInput(title=f"更多{n}", tags=[f"更多{n}"]),
            provider_org=world.other_unit if n % 2 else world.unit,
        )
    with CaptureQueriesContext(connection) as many:
        matching.resource_records(list(matching.resources_for(world.community)))
    assert len(many) == len(few) <= 5


def test_need_records_take_three_queries_for_any_number(world: Any, need: Need) -> None:
    with CaptureQueriesContext(connection) as queries:
        records = matching.need_records(matching.need_rows(Need.objects.all()))
    assert len(records) == 1
    assert len(queries) <= 3


def test_it_recommends_the_schools_haircuts_with_reasons_in_the_readers_language(
    world: Any, need: Need, barber: Resource, lawyer: Resource
) -> None:
    results = matching.recommend_for_need(need, k=5, lang="en")
    assert [r.resource.pk for r in results] == [barber.pk]
    best = results[0]
    assert 0 < best.score <= 1
    assert best.organization == world.unit
    assert "Same category: Convenience services · 理发" in best.reasons
    assert "Available on Wed afternoons" in best.reasons
    assert "40 visits of capacity left" in best.reasons
    chinese = matching.recommend_for_need(need, k=5, lang="zh-hans")[0].reasons
    assert "类别相符: 便民服务·理发" in chinese
    traditional = matching.recommend_for_need(need, k=5, lang="zh-hant")[0].reasons
    assert "類別相符: 便民服務·理髮" in traditional


def test_it_maps_djangos_language_codes_to_the_engines() -> None:
    assert matching.engine_lang("en") == "en"
    assert matching.engine_lang("en-us") == "en"
    assert matching.engine_lang("zh-hant") == "zh-hant"
    assert matching.engine_lang("zh-hans") == "zh-hans"
    with translation.override("en"):
        assert matching.engine_lang() == "en"


def test_the_engine_is_rebuilt_when_a_resource_changes(
    world: Any, need: Need, barber: Resource
) -> None:
    first = matching.engine_for(world.community)
    assert matching.engine_for(world.community) is first
    services.set_resource_status(world["unit_admin"], barber, Resource.Status.PAUSED)
    second = matching.engine_for(world.community)
    assert second is not first
    assert matching.recommend_for_need(need) == []


def test_a_resource_elsewhere_does_not_serve_this_community(
    world: Any, need: Need, haircut: Category
) -> None:
    services.create_resource(
        world["outsider"],
        world.other_community,
        services.ResourceInput(title="上门理发", category=haircut, tags=["理发", "老人"]),
        provider_org=None,
    )
    assert matching.recommend_for_need(need) == []


def test_a_district_wide_resource_serves_this_community(
    world: Any, need: Need, haircut: Category
) -> None:
    far = services.create_resource(
        world["outsider"],
        world.other_community,
        services.ResourceInput(
            title="上门理发", category=haircut, tags=["理发", "老人"], service_area=world.district
        ),
    )
    assert [r.resource.pk for r in matching.recommend_for_need(need)] == [far.pk]


# ---------------------------------------------------------------- the need page


def test_staff_see_recommended_providers_with_reasons_on_the_need_page(
    client: Any, world: Any, need: Need, barber: Resource
) -> None:
    client.force_login(world["community_staff"])
    with translation.override("en"):
        response = client.get(reverse("lists:need", args=[need.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    recommendations = response.context["recommendations"]()
    assert [r.resource.pk for r in recommendations] == [barber.pk]
    body = response.content.decode()
    assert f'id="recommendation-{barber.pk}"' in body
    assert reverse("lists:need_invite", args=[need.pk]) in body
    assert recommendations[0].reasons[0] in body


def test_the_raiser_sees_recommendations_but_cannot_invite(
    client: Any, world: Any, need: Need, barber: Resource
) -> None:
    client.force_login(world["resident"])
    response = client.get(reverse("lists:need", args=[need.pk]))
    assert [r.resource.pk for r in response.context["recommendations"]()] == [barber.pk]
    assert reverse("lists:need_invite", args=[need.pk]) not in response.content.decode()


@pytest.mark.parametrize("role", ["unit_contact", "outsider", "anonymous"])
def test_others_see_no_recommendations(
    client: Any, world: Any, need: Need, barber: Resource, role: str
) -> None:
    if role != "anonymous":
        client.force_login(world[role])
    response = client.get(reverse("lists:need", args=[need.pk]))
    assert response.status_code == 200
    assert response.context["recommendations"]() is None
    assert f'id="recommendation-{barber.pk}"' not in response.content.decode()


def test_with_no_suitable_resource_the_page_says_so_and_offers_to_invite_anyway(
    client: Any, world: Any, need: Need, lawyer: Resource
) -> None:
    client.force_login(world["community_staff"])
    response = client.get(reverse("lists:need", args=[need.pk]))
    assert response.context["recommendations"]() == []
    body = response.content.decode()
    assert 'id="no-recommendation"' in body
    assert 'id="invite-anyway"' in body
    assert f'value="{world.unit.pk}"' in body  # the community's units to choose from


def test_the_need_page_with_recommendations_takes_a_bounded_number_of_queries(
    client: Any, world: Any, need: Need, barber: Resource, lawyer: Resource
) -> None:
    client.force_login(world["community_staff"])
    url = reverse("lists:need", args=[need.pk])
    client.get(url)  # build the engine once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= 40
