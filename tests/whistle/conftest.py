from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from wulian.orgs.models import Membership, Organization
from wulian.whistle import services

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def second_unit(world):
    """A second unit of the community, with its own contact."""
    from wulian.accounts.models import User

    unit = Organization.objects.create(
        name="江汉北物业", kind=Organization.Kind.ENTERPRISE, region=world.community
    )
    contact = User.objects.create_user("13900000007", "secret-pass-1", real_name="物业庚")
    Membership.objects.create(organization=unit, user=contact, role=Membership.Role.ADMIN)
    world.people["second_contact"] = contact
    return unit


def blow(world, units, type="emergency", **extra):
    return services.blow_whistle(
        world["community_staff"],
        world.community,
        services.WhistleInput(type=type, title="42号小区水管爆裂", units=units, **extra),
    )


def now():
    return timezone.now()
