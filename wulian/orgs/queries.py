"""What other apps read about organisations, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from wulian.core import versions
from wulian.orgs.models import Membership, Organization
from wulian.places.models import Region


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    n: int


@dataclass(frozen=True)
class MemberOf:
    """An organisation a person belongs to, as the navigation names it."""

    id: int
    name: str
    role: str
    kind: str = ""


def organisation_counts(community: Region) -> list[KindCount]:
    """Active organisations registered in a community, by kind."""
    kinds = dict(Organization.Kind.choices)
    rows = (
        Organization.objects.filter(region=community, is_active=True)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    return [KindCount(row["kind"], str(kinds[row["kind"]]), row["n"]) for row in rows]


def memberships_of(user: Any) -> list[MemberOf]:
    """The organisations a person belongs to, kept until their version moves (a membership
    or a unit's new name moves it: orgs.apps.WATCHES) and on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached: list[MemberOf] | None = getattr(user, "_memberships_of", None)
    if cached is None:
        cached = versions.for_person(
            user,
            "memberships",
            lambda: [
                MemberOf(
                    m.organization_id,
                    m.organization.short_name or m.organization.name,
                    m.role,
                    m.organization.kind,
                )
                for m in Membership.objects.filter(user=user).select_related("organization")
            ],
        )
        user._memberships_of = cached
    return cached
