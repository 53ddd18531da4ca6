from wulian.accounts.models import ApiToken


def test_the_openapi_document_is_served(client, db):
    doc = client.get("/api/openapi.json").json()
    assert doc["info"]["title"] == "Wulian API"
    assert "/api/organizations" in doc["paths"]


def test_me_needs_authentication_and_says_so_in_the_error_shape(client, db):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_token_authenticates_a_unit_system(client, world):
    ApiToken.objects.create(
        user=world["unit_admin"],
        name="系统",
        prefix="abcd",
        digest=ApiToken.digest_of("abcd-secret"),
    )
    response = client.get("/api/me", HTTP_AUTHORIZATION="Bearer abcd-secret")
    assert response.status_code == 200 and response.json()["mobile"] == "13900000003"
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_a_missing_object_is_a_404_in_the_error_shape(client, db):
    response = client.get("/api/organizations/999999")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "未找到。"}}


def test_the_organisation_list_masks_contacts_for_the_public(client, world):
    items = client.get("/api/organizations").json()["items"]
    school = next(i for i in items if i["name"] == "武汉市第一商业学校")
    assert school["contact_mobile"] == "139****0002"
