"""Edits change only what the caller sent: the API's PATCH and PUT, and the edit pages."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.lists.test_api import _token
from wulian.lists import services
from wulian.lists.models import Category, Need, Resource

pytestmark = pytest.mark.django_db

NEED_FIELDS = ["title", "description", "category_id", "compound_id", "beneficiaries"]
NEED_FIELDS += ["deadline", "urgency", "slots", "channel"]
RESOURCE_FIELDS = ["title", "description", "kind", "category_id", "capacity_text"]
RESOURCE_FIELDS += ["capacity_number", "service_area_id", "availability", "weekdays"]
RESOURCE_FIELDS += ["hours_from", "hours_to"]


@pytest.fixture
def full_need(world: Any, haircut: Category) -> Need:
    return services.raise_need(
        world["resident"],
        world.community,
        services.NeedInput(
            title="42号小区老人上门理发",
            description="十几位老人下不了楼",
            category=haircut,
            tags=["老人", "理发"],
            compound=world.compound,
            beneficiaries=12,
            deadline=timezone.localdate() + datetime.timedelta(days=90),
            urgency=Need.Urgency.URGENT,
            slots=3,
        ),
    )


@pytest.fixture
def full_resource(world: Any, haircut: Category) -> Resource:
    return services.create_resource(
        world["unit_admin"],
        world.community,
        services.ResourceInput(
            title="美发专业师生上门理发",
            description="每月两次",
            category=haircut,
            tags=["理发"],
            capacity_text="40 人次/月",
            service_area=world.community,
            availability="学期中的周三下午",
            weekdays="3",
            hours_from=datetime.time(14, 0),
            hours_to=datetime.time(17, 30),
        ),
        provider_org=world.unit,
    )


def _need_facts(need: Need) -> dict[str, Any]:
    need.refresh_from_db()
    facts = {name: getattr(need, name) for name in NEED_FIELDS}
    return {**facts, "tags": sorted(need.tags.values_list("name", flat=True))}


def _resource_facts(resource: Resource) -> dict[str, Any]:
    resource.refresh_from_db()
    facts = {name: getattr(resource, name) for name in RESOURCE_FIELDS}
    return {**facts, "tags": sorted(resource.tags.values_list("name", flat=True))}


def test_it_builds_a_need_input_from_the_need_as_it_stands(full_need: Need) -> None:
    data = services.NeedInput.from_need(full_need)
    assert data.deadline == full_need.deadline and data.compound == full_need.compound
    assert sorted(data.tags) == ["理发", "老人"] and data.slots == 3


def test_it_builds_a_resource_input_from_the_resource_as_it_stands(
    full_resource: Resource,
) -> None:
    data = services.ResourceInput.from_resource(full_resource)
    assert data.service_area == full_resource.service_area
    assert (data.hours_from, data.hours_to) == (datetime.time(14, 0), datetime.time(17, 30))
    assert data.capacity_text == "40 人次/月" and data.tags == ("理发",)


def test_it_patches_a_need_changing_only_the_title(
    client: Any, world: Any, full_need: Need
) -> None:
    before = _need_facts(full_need)
    staff = _token(world["community_staff"], "staff-key")
    answer = client.patch(
        f"/api/needs/{full_need.pk}",
        {"title": "老人上门理发（42号小区）"},
        content_type="application/json",
        **staff,
    )
    assert answer.status_code == 200, answer.content
    assert _need_facts(full_need) == {**before, "title": "老人上门理发（42号小区）"}


def test_it_clears_a_need_field_sent_as_null_and_keeps_the_rest(
    client: Any, world: Any, full_need: Need
) -> None:
    before = _need_facts(full_need)
    staff = _token(world["community_staff"], "staff-key")
    answer = client.patch(
        f"/api/needs/{full_need.pk}",
        {"deadline": None, "tags": ["助老"]},
        content_type="application/json",
        **staff,
    )
    assert answer.status_code == 200, answer.content
    assert _need_facts(full_need) == {**before, "deadline": None, "tags": ["助老"]}


def test_it_refuses_to_empty_a_need_title(client: Any, world: Any, full_need: Need) -> None:
    staff = _token(world["community_staff"], "staff-key")
    answer = client.patch(
        f"/api/needs/{full_need.pk}",
        {"title": None},
        content_type="application/json",
        **staff,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "field.required"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_it_edits_a_resource_changing_only_what_was_sent(
    client: Any, world: Any, full_resource: Resource, method: str
) -> None:
    before = _resource_facts(full_resource)
    unit = _token(world["unit_admin"], "unit-key")
    answer = getattr(client, method)(
        f"/api/resources/{full_resource.pk}",
        {"title": "美发师生上门理发", "capacity": "60 人次/月"},
        content_type="application/json",
        **unit,
    )
    assert answer.status_code == 200, answer.content
    assert _resource_facts(full_resource) == {
        **before,
        "title": "美发师生上门理发",
        "capacity_text": "60 人次/月",
        "capacity_number": 60,
    }
    body = answer.json()
    assert body["service_area_id"] == world.community.pk
    assert (body["hours_from"], body["hours_to"]) == ("14:00:00", "17:30:00")


def test_it_sets_a_resource_s_hours_and_area_through_the_api(
    client: Any, world: Any, full_resource: Resource
) -> None:
    unit = _token(world["unit_admin"], "unit-key")
    answer = client.put(
        f"/api/resources/{full_resource.pk}",
        {"hours_from": "09:00", "hours_to": None, "service_area_id": world.subdistrict.pk},
        content_type="application/json",
        **unit,
    )
    assert answer.status_code == 200, answer.content
    full_resource.refresh_from_db()
    assert full_resource.hours_from == datetime.time(9, 0) and full_resource.hours_to is None
    assert full_resource.service_area == world.subdistrict
    assert full_resource.weekdays == "3"


def test_it_keeps_what_the_need_edit_page_does_not_show(
    client: Any, world: Any, full_need: Need
) -> None:
    Need.objects.filter(pk=full_need.pk).update(channel=Need.Channel.PHONE)
    before = _need_facts(full_need)
    client.force_login(world["community_staff"])
    page = client.get(f"/lists/needs/{full_need.pk}/edit/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    answer = client.post(f"/lists/needs/{full_need.pk}/edit/", data)
    assert answer.status_code == 302, getattr(answer, "context", {}) and form.errors
    assert _need_facts(full_need) == before


def test_it_keeps_a_resource_saved_untouched_on_its_edit_page(
    client: Any, world: Any, full_resource: Resource
) -> None:
    before = _resource_facts(full_resource)
    client.force_login(world["unit_admin"])
    page = client.get(f"/lists/resources/{full_resource.pk}/edit/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    answer = client.post(f"/lists/resources/{full_resource.pk}/edit/", data)
    assert answer.status_code == 302
    assert _resource_facts(full_resource) == before
