"""The organisers' export shows masked mobile numbers; full ones only to organisers who ask,
and every export is in the audit."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.activities.conftest import at
from tests.conftest import fresh
from tests.rules import allowed_roles
from wulian.accounts.models import User
from wulian.activities import services
from wulian.audit.models import AuditEntry
from wulian.core.errors import NotAllowed


@pytest.fixture
def activity(world, clock):
    activity = services.create_activity(
        fresh(world["community_staff"]),
        world.community,
        services.ActivityInput(
            title="反诈防暑进站点",
            starts_at=at(6, 14),
            ends_at=at(6, 16),
            capacity=5,
            hosts=[world.unit],
            place="骑手驿站",
        ),
    )
    rider = User.objects.create_user(
        "13712345678", "secret-pass-1", real_name="骑手王", community=world.community
    )
    services.sign_up(rider, activity)
    return activity


def _numbers(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(fresh(user))
    return client


def test_the_export_masks_numbers_by_default_and_records_who_exported(world, activity):
    page = _client(world["unit_contact"]).get(reverse("activities:export", args=[activity.pk]))
    assert page.status_code == 200
    assert _numbers(page.content) == ["137****5678"]
    entry = AuditEntry.objects.get(action="activity.exported")
    assert entry.actor == world["unit_contact"]
    assert entry.after == {"rows": 1, "numbers": "masked"}


def test_an_organiser_who_asks_gets_the_full_numbers_and_the_audit_says_so(world, activity):
    client = _client(world["unit_admin"])
    manage = client.get(reverse("activities:manage", args=[activity.pk])).content.decode()
    assert 'id="export-full"' in manage and "data-confirm" in manage
    full = client.post(reverse("activities:export", args=[activity.pk]), {"numbers": "full"})
    assert _numbers(full.content) == ["13712345678"]
    assert "full" in full["Content-Disposition"]
    entry = AuditEntry.objects.get(action="activity.exported")
    assert entry.actor == world["unit_admin"] and (entry.after or {}).get("numbers") == "full"


def test_a_get_never_gives_full_numbers(world, activity):
    page = _client(world["unit_admin"]).get(
        reverse("activities:export", args=[activity.pk]) + "?numbers=full"
    )
    assert _numbers(page.content) == ["137****5678"]


def test_who_may_export_full_numbers(world, activity):
    organisers = {"community_staff", "subdistrict_staff", "unit_contact", "unit_admin"}
    assert allowed_roles(world, "activities.export_numbers", activity) == organisers
    for role in ("resident", "outsider"):
        with pytest.raises(NotAllowed):
            services.export_signups(fresh(world[role]), activity, full_numbers=True)
        assert _client(world[role]).post(
            reverse("activities:export", args=[activity.pk]), {"numbers": "full"}
        ).status_code in {403, 404}
    assert not AuditEntry.objects.filter(action="activity.exported").exists()
