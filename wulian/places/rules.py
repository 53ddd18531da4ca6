"""Who may do what with places. Staff assigned to a region act on everything below it."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import QuerySet

from wulian.core import versions
from wulian.core.access import get_for
from wulian.places.models import Compound, Region, StaffAssignment


def staff_region_ids(user: Any) -> frozenset[int]:
    """Ids of the regions a person is assigned to, kept until their version moves (a new
    assignment moves it: places.apps.WATCHES) and on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_wulian_staff_regions", None)
    if cached is None:
        cached = versions.for_person(
            user,
            "staff_regions",
            lambda: frozenset(
                StaffAssignment.objects.filter(user=user).values_list("region_id", flat=True)
            ),
        )
        user._wulian_staff_regions = cached
    return cached


def covers(user: Any, region: Region | None) -> bool:
    """True when the person is staff of this region or of one above it."""
    if region is None:
        return False
    assigned = staff_region_ids(user)
    return bool(assigned) and any(pk in assigned for pk in region.ancestor_ids)


def is_any_staff(user: Any) -> bool:
    return bool(staff_region_ids(user))


def covered_regions(user: Any) -> QuerySet[Region]:
    """Every region the person acts for, with everything below."""
    assigned = list(Region.objects.filter(pk__in=staff_region_ids(user)))
    if not assigned:
        return Region.objects.none()
    query = Region.objects.none()
    for region in assigned:
        query = query | Region.objects.filter(path__startswith=region.path)
    return query


@rules.predicate
def is_region_staff(user: Any, region: Region | None) -> bool:
    return covers(user, region)


@rules.predicate
def is_compound_staff(user: Any, compound: Compound | None) -> bool:
    return compound is not None and covers(user, compound.community)


rules.add_perm("places.view_region", rules.always_allow)
rules.add_perm("places.change_region", is_region_staff)
rules.add_perm("places.view_residents", is_region_staff)
rules.add_perm("places.change_compound", is_compound_staff)


def get_region_for(user: Any, pk: Any, perm: str = "places.view_region") -> Region:
    return get_for(user, Region.objects.all(), pk, perm, view_perm="places.view_region")
