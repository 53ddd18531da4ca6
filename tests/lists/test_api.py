import base64

import pytest

from tests.lists.conftest import signature_png
from wulian.accounts.models import ApiToken
from wulian.lists.models import Need


def _token(user, key):
    ApiToken.objects.create(user=user, name="t", prefix=key[:4], digest=ApiToken.digest_of(key))
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def tokens(world):
    return {
        "resident": _token(world["resident"], "resident-key"),
        "staff": _token(world["community_staff"], "staff-key"),
        "unit": _token(world["unit_admin"], "unit-key"),
        "outsider": _token(world["outsider"], "outsider-key"),
    }


def test_a_unit_system_raises_publishes_claims_signs_and_completes_through_the_api(
    client, world, tokens
):
    created = client.post(
        "/api/needs",
        {"title": "老人理发", "community_id": world.community.pk, "tags": ["老人"]},
        content_type="application/json",
        **tokens["resident"],
    )
    assert created.status_code == 201, created.content
    need_id = created.json()["id"]
    assert created.json()["state"] == "submitted"
    refused = client.post(f"/api/needs/{need_id}/publish", **tokens["resident"])
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "need.not_staff"
    assert client.post(f"/api/needs/{need_id}/publish", **tokens["staff"]).status_code == 200
    claim = client.post(
        f"/api/needs/{need_id}/claim",
        {"organization_id": world.unit.pk},
        content_type="application/json",
        **tokens["unit"],
    )
    assert claim.status_code == 201 and claim.json()["need_state"] == "claimed"
    taken = client.post(
        f"/api/needs/{need_id}/claim", {}, content_type="application/json", **tokens["staff"]
    )
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "need.taken"
    project_id = claim.json()["project_id"]
    png = base64.b64encode(signature_png()).decode()
    for who, side, name in [("unit", "claimant", "管理员丙"), ("resident", "need", "居民甲")]:
        signed = client.post(
            f"/api/projects/{project_id}/sign",
            {"side": side, "typed_name": name, "signature_png_base64": png},
            content_type="application/json",
            **tokens[who],
        )
        assert signed.status_code == 200, signed.content
    assert signed.json()["agreement_signed"] is True
    assert (
        client.post(
            f"/api/projects/{project_id}/progress",
            {"text": "已完成第一次上门理发"},
            content_type="application/json",
            **tokens["unit"],
        ).status_code
        == 201
    )
    done = client.post(
        f"/api/projects/{project_id}/complete",
        {"summary": "为8位老人理发", "people_served": 8},
        content_type="application/json",
        **tokens["unit"],
    )
    assert done.json()["state"] == "completed"
    rated = client.post(
        f"/api/projects/{project_id}/rate",
        {"score": 5, "comment": "很好"},
        content_type="application/json",
        **tokens["resident"],
    )
    assert rated.status_code == 201
    assert Need.objects.get(pk=need_id).state == "done"


def test_bad_input_gets_a_422_naming_the_field(client, world, tokens):
    response = client.post(
        "/api/needs",
        {"title": "x", "community_id": world.community.pk, "slots": 0},
        content_type="application/json",
        **tokens["resident"],
    )
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid" and "slots" in str(body["fields"])


def test_an_outsider_cannot_read_a_submitted_need(client, world, tokens):
    created = client.post(
        "/api/needs",
        {"title": "草稿", "community_id": world.community.pk},
        content_type="application/json",
        **tokens["resident"],
    ).json()
    response = client.get(f"/api/needs/{created['id']}", **tokens["outsider"])
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_need_list_is_paginated_and_public_needs_need_no_token(client, world, need):
    body = client.get("/api/needs").json()
    assert body["count"] == 1 and body["items"][0]["title"] == need.title
    assert body["items"][0]["raiser"] == "居**"  # a resident, to a visitor: masked


def test_resources_are_offered_and_edited_through_the_api(client, world, tokens):
    created = client.post(
        "/api/resources",
        {
            "title": "验光配镜",
            "community_id": world.community.pk,
            "organization_id": world.unit.pk,
            "capacity": "20 人次/周",
        },
        content_type="application/json",
        **tokens["unit"],
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["capacity_number"], body["capacity_period"]) == (20, "week")
    edited = client.put(
        f"/api/resources/{body['id']}",
        {
            "title": "验光配镜、清洗眼镜",
            "community_id": world.community.pk,
            "capacity": "30 人次/周",
        },
        content_type="application/json",
        **tokens["outsider"],
    )
    assert edited.status_code == 403
    assert "/api/resources" in client.get("/api/openapi.json").json()["paths"]
