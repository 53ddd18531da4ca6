"""API tokens: honoured on every read as the session would be, issued on a page and on the
command line, scoped, revocable, the secret shown once and kept only as a digest."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wulian.accounts import services
from wulian.accounts.models import ApiToken
from wulian.core.errors import DomainError


def _bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _issue(world, role="community_staff", scope="write"):
    _token, secret = services.issue_token(
        None, name="系统", scope=scope, user=world[role], organization=None
    )
    return _bearer(secret)


def test_a_staff_token_reads_back_the_need_it_created(client, world):
    auth = _issue(world)
    created = client.post(
        "/api/needs",
        {"title": "楼道灯坏了", "community_id": world.community.pk},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    need_id = created.json()["id"]
    assert client.get(f"/api/needs/{need_id}", **auth).status_code == 200
    assert need_id in [n["id"] for n in client.get("/api/needs", **auth).json()["items"]]
    client.force_login(world["community_staff"])
    assert client.get(f"/api/needs/{need_id}").status_code == 200


def test_a_token_sees_no_more_than_its_persons_session(client, world):
    staff = _issue(world)
    need_id = client.post(
        "/api/needs",
        {"title": "楼道灯坏了", "community_id": world.community.pk},
        content_type="application/json",
        **staff,
    ).json()["id"]
    outsider = _issue(world, "outsider")
    assert client.get(f"/api/needs/{need_id}", **outsider).status_code == 404


def test_a_read_only_token_reads_but_may_not_write(client, world):
    auth = _issue(world, scope="read")
    assert client.get("/api/me", **auth).json()["mobile"] == world["community_staff"].mobile
    refused = client.post(
        "/api/needs",
        {"title": "楼道灯坏了", "community_id": world.community.pk},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "token.read_only"


def test_a_revoked_or_unknown_token_is_refused(client, world):
    token, secret = services.issue_token(None, name="系统", scope="read", user=world["resident"])
    assert client.get("/api/me", **_bearer(secret)).status_code == 200
    services.revoke_token(None, token)
    assert client.get("/api/me", **_bearer(secret)).status_code == 401
    assert client.get("/api/needs", **_bearer("wl_nothing")).status_code == 401


def test_the_secret_is_kept_only_as_a_digest(world):
    token, secret = services.issue_token(None, name="系统", scope="read", user=world["resident"])
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in [str(v) for v in stored.values()]
    assert stored["digest"] == ApiToken.digest_of(secret)


def test_a_unit_admin_issues_lists_and_revokes_on_the_units_page(client, world):
    client.force_login(world["unit_admin"])
    url = f"/accounts/units/{world.unit.pk}/tokens/"
    page = client.post(url, {"name": "值班系统", "scope": "read"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "只显示这一次" in html
    token = ApiToken.objects.get(organization=world.unit)
    secret = html.split('<code class="secret">')[1].split("</code>")[0]
    assert ApiToken.digest_of(secret) == token.digest
    assert token.user == world["unit_admin"] and token.scope == "read"
    again = client.get(url).content.decode()
    assert "值班系统" in again and secret not in again
    client.post(url, {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/me", **_bearer(secret)).status_code == 401


@pytest.mark.parametrize("role", ["unit_contact", "community_staff", "outsider", "resident"])
def test_only_the_units_admins_reach_its_token_page(client, world, role):
    client.force_login(world[role])
    assert client.get(f"/accounts/units/{world.unit.pk}/tokens/").status_code == 403


def test_an_admin_of_one_unit_cannot_revoke_anothers_token(client, world):
    token, _secret = services.issue_token(
        world["unit_admin"], name="系统", scope="read", organization=world.unit
    )
    with pytest.raises(DomainError):
        services.revoke_token(world["outsider"], token)
    with pytest.raises(DomainError):
        services.issue_token(
            world["unit_admin"], name="x", scope="read", organization=world.other_unit
        )


def test_the_token_command_issues_lists_and_revokes(world):
    out = StringIO()
    call_command(
        "token",
        "issue",
        "--mobile",
        "13900000003",
        "--name",
        "排班",
        "--scope",
        "write",
        "--unit",
        str(world.unit.pk),
        stdout=out,
    )
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(digest=ApiToken.digest_of(secret))
    assert token.scope == "write" and token.organization == world.unit
    listing = StringIO()
    call_command("token", "list", "--unit", str(world.unit.pk), stdout=listing)
    assert "排班" in listing.getvalue() and secret not in listing.getvalue()
    call_command("token", "revoke", token.prefix, stdout=StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_admin_offers_no_add_form_that_would_save_an_empty_key(client, world):
    from wulian.accounts.models import User

    admin = User.objects.create_superuser("13800000000", "admin-pass-1", real_name="管理员")
    client.force_login(admin)
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    token, _secret = services.issue_token(None, name="系统", scope="read", user=world["resident"])
    assert client.get(f"/admin/accounts/apitoken/{token.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/apitoken/").status_code == 200


def test_a_token_is_marked_used_to_the_minute_without_a_write_per_call(client, world):
    token, secret = services.issue_token(
        None, name="系统", scope="read", user=world["community_staff"], organization=None
    )
    start = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert client.get("/api/needs", **_bearer(secret)).status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == start
        clock.move_to(start + datetime.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert services.token_for_secret(secret) is not None
        assert not [q for q in queries if q["sql"].startswith("UPDATE")]
        token.refresh_from_db()
        assert token.last_used_at == start
        clock.move_to(start + datetime.timedelta(minutes=2))
        client.get("/api/needs", **_bearer(secret))
        token.refresh_from_db()
        assert token.last_used_at == start + datetime.timedelta(minutes=2)


def test_a_tokens_prefix_never_reads_as_a_command_line_option(monkeypatch):
    bodies = iter(["-starts-with-a-dash", "_fine-after-that"])
    monkeypatch.setattr("secrets.token_urlsafe", lambda n: next(bodies))
    secret = ApiToken.new_secret()
    assert secret == "wl__fine-after-that"
