"""Oversized and odd integers are answered with a 4xx, never a 500 (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.lists.test_api import _token
from wulian.core.bounds import MAX_ID, MAX_INT, parse_int
from wulian.lists import services
from wulian.lists.models import Need

HUGE = "9" * 20
PAGE = "576460752303423488"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("42", 42), (" 42 ", 42), ("0", 0), ("", None), ("abc", None), ("²", None), ("١٢", None),
     ("-3", None), ("4.5", None), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), (HUGE, None)],
)  # fmt: skip
def test_the_safe_parser_reads_plain_numbers_in_range_only(raw, expected):
    assert parse_int(raw) == expected


def test_the_safe_parser_takes_a_narrower_range():
    assert parse_int(str(MAX_INT), high=MAX_INT) == MAX_INT
    assert parse_int(str(MAX_INT + 1), high=MAX_INT) is None


@pytest.fixture
def need(world):
    raised = services.raise_need(
        world["resident"], world.community, services.NeedInput(title="楼道灯坏了")
    )
    return services.publish_need(world["community_staff"], raised)


@pytest.mark.parametrize(
    "url",
    [
        f"/api/needs?page={PAGE}",
        f"/api/resources?page={PAGE}",
        f"/api/organizations?page={PAGE}",
        f"/api/needs?community_id={HUGE}",
        f"/api/resources?community_id={HUGE}",
        f"/api/needs/{HUGE}",
        f"/api/resources/{HUGE}",
        f"/api/organizations/{HUGE}",
        f"/api/regions/{HUGE}",
        f"/api/events/{HUGE}",
        f"/api/events/{HUGE}/report",
    ],
)
@pytest.mark.django_db
def test_the_api_answers_oversized_integers_anonymously_with_a_4xx(client, world, url):
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize(
    "url",
    [
        f"/api/whistles?page={PAGE}",
        f"/api/notifications?page={PAGE}",
        f"/api/whistles/{HUGE}",
        f"/api/whistles/scorecard?community_id={HUGE}",
        f"/api/projects/{HUGE}",
    ],
)
def test_the_api_answers_oversized_integers_with_a_token_with_a_4xx(client, world, url):
    response = client.get(url, **_token(world["community_staff"], "staff-key"))
    assert 400 <= response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize(
    "payload",
    [
        {"beneficiaries": 1476635148343487496192},
        {"beneficiaries": 2**31},
        {"category_id": int(HUGE)},
        {"compound_id": int(HUGE)},
    ],
)
def test_a_patch_with_an_oversized_integer_is_refused_and_changes_nothing(
    client, world, need, payload
):
    response = client.patch(
        f"/api/needs/{need.pk}",
        payload,
        content_type="application/json",
        **_token(world["community_staff"], "staff-key"),
    )
    assert response.status_code == 422, response.content
    assert Need.objects.get(pk=need.pk).beneficiaries is None


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "x", "community_id": int(HUGE)},
        {"title": "x", "community_id": 1, "organization_id": int(HUGE)},
        {"title": "x", "community_id": 1, "beneficiaries": 2**31},
    ],
)
def test_a_create_with_an_oversized_integer_is_refused(client, world, payload):
    response = client.post(
        "/api/needs",
        payload,
        content_type="application/json",
        **_token(world["resident"], "resident-key"),
    )
    assert response.status_code == 422, response.content
    assert not Need.objects.exists()


def test_a_whistle_to_an_oversized_unit_id_is_refused(client, world):
    response = client.post(
        "/api/whistles",
        {
            "title": "井盖缺失",
            "type": "everyday",
            "community_id": world.community.pk,
            "unit_ids": [int(HUGE)],
        },
        content_type="application/json",
        **_token(world["community_staff"], "staff-key"),
    )
    assert response.status_code == 422, response.content
    assert "unit_ids" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/orgs/?region={huge}",
        "/orgs/?region=²",
        "/accounts/communities/{community}/residents/?compound={huge}",
        "/accounts/communities/{community}/residents/?compound=²",
        "/lists/communities/{community}/export/needs/?category={huge}",
        "/lists/communities/{community}/export/needs/?compound={huge}&urgency={huge}",
        "/lists/communities/{community}/export/resources/?category={huge}",
        "/lists/communities/{community}/assign/?needs={huge}",
        "/lists/communities/{community}/assign/?needs=²",
        "/lists/needs/?category={huge}",
        "/lists/needs/?compound={huge}&community={huge}",
        "/lists/resources/?category={huge}",
        "/lists/needs/{huge}/",
        "/whistle/{huge}/",
        "/events/{huge}/",
    ],
)
def test_pages_answer_oversized_integers_without_a_500(client, world, need, path):
    client.force_login(world["community_staff"])
    url = path.format(huge=HUGE, community=world.community.pk)
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    if "={huge}" in path and ("/orgs/" in path or "/residents/" in path or "/export/" in path):
        assert response.status_code == 400, url  # a number filter out of range
    if response.status_code >= 400:
        assert response.status_code in {400, 404}
