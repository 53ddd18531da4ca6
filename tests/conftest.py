"""Shared fixtures: a small world with one person in every role."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

os.environ.setdefault("WULIAN_ENV", "test")


@pytest.fixture(autouse=True)
def site_language() -> Any:
    """Each test starts in the site's language: a page request in another language leaves it
    active in the thread, and the next test would read its messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    """Each test starts with nothing cached: its database starts again, so its ids, and the
    rollups' generation, may repeat what an earlier test cached."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def versions_move_at_once(request: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test's transaction never commits, so what would move a kept page's version after
    the commit moves it at once (tests marked `django_db(transaction=True)` commit for real)."""
    from wulian.core import versions

    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        monkeypatch.setattr(versions, "_after_commit", lambda move, using, changed=(): move())


ROLES = [
    "resident",
    "unit_contact",
    "unit_admin",
    "community_staff",
    "subdistrict_staff",
    "outsider",
    "anonymous",
]


@dataclass
class World:
    city: Any
    district: Any
    subdistrict: Any
    community: Any
    other_community: Any
    compound: Any
    other_compound: Any
    party_committee: Any
    unit: Any
    other_unit: Any
    partnership: Any
    people: dict[str, Any]

    def __getitem__(self, role: str) -> Any:
        return self.people[role]


@pytest.fixture
def world(db: Any) -> World:
    from wulian.accounts.models import User
    from wulian.orgs import services as orgs
    from wulian.orgs.models import Membership, Organization
    from wulian.places import services as places
    from wulian.places.models import Compound, Region

    city = places.create_region("武汉市", Region.Level.CITY)
    district = places.create_region("江岸区", Region.Level.DISTRICT, city)
    subdistrict = places.create_region("西马街道", Region.Level.SUBDISTRICT, district)
    community = places.create_region(
        "江汉北路社区", Region.Level.COMMUNITY, subdistrict, population=9702, party_members=357
    )
    other = places.create_region("西马路社区", Region.Level.COMMUNITY, subdistrict)
    compound = Compound.objects.create(community=community, name="江汉北路42号小区")
    other_compound = Compound.objects.create(community=other, name="长春街小区")

    def person(mobile: str, name: str, **extra: Any) -> Any:
        return User.objects.create_user(mobile, "secret-pass-1", real_name=name, **extra)

    people: dict[str, Any] = {
        "resident": person("13900000001", "居民甲", community=community, compound=compound),
        "unit_contact": person("13900000002", "联络员乙"),
        "unit_admin": person("13900000003", "管理员丙"),
        "community_staff": person("13900000004", "社工丁"),
        "subdistrict_staff": person("13900000005", "街道戊"),
        "outsider": person("13900000006", "外人己", community=other, compound=other_compound),
        "anonymous": AnonymousUser(),
    }
    places.assign_staff(None, people["community_staff"], community)
    places.assign_staff(None, people["subdistrict_staff"], subdistrict)
    places.assign_staff(None, people["outsider"], other)

    party_committee = Organization.objects.create(
        name="社区党委", kind=Organization.Kind.COMMUNITY, region=community
    )
    unit = Organization.objects.create(
        name="武汉市第一商业学校",
        kind=Organization.Kind.SCHOOL,
        region=community,
        contact_name="联络员乙",
        contact_mobile="13900000002",
    )
    other_unit = Organization.objects.create(
        name="长春街超市", kind=Organization.Kind.ENTERPRISE, region=other
    )
    Membership.objects.create(organization=unit, user=people["unit_contact"])
    Membership.objects.create(
        organization=unit, user=people["unit_admin"], role=Membership.Role.ADMIN
    )
    partnership = orgs.create_partnership(
        people["community_staff"],
        community,
        party_committee,
        unit,
        started_on=datetime.date(2021, 3, 1),
        content="共建“身边学习圈”",
    )
    return World(
        city,
        district,
        subdistrict,
        community,
        other,
        compound,
        other_compound,
        party_committee,
        unit,
        other_unit,
        partnership,
        people,
    )


@pytest.fixture
def sms_outbox() -> Any:
    from wulian.accounts.sms import MemoryBackend

    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def fresh(user: Any) -> Any:
    """The same person without cached role lookups, as a new request would see them."""
    if getattr(user, "pk", None) is None:
        return user
    return type(user).objects.get(pk=user.pk)
