"""Who sees which figures: a region's staff see it and all below it; a unit's people see its
own scorecard (as do the staff of its community); everyone sees the published figures."""

from __future__ import annotations

from typing import Any

import rules

from wulian.core.access import get_for
from wulian.orgs.models import Organization
from wulian.orgs.rules import membership_roles
from wulian.places.models import Region
from wulian.places.rules import covers, is_region_staff


@rules.predicate
def is_unit_member_or_staff(user: Any, unit: Organization | None) -> bool:
    if unit is None:
        return False
    return unit.pk in membership_roles(user) or covers(user, unit.region)


rules.add_perm("dashboards.view_region", is_region_staff)
rules.add_perm("dashboards.manage_reports", is_region_staff)
rules.add_perm("dashboards.view_unit", is_unit_member_or_staff)


def get_region_dashboard_for(user: Any, pk: Any, perm: str = "dashboards.view_region") -> Region:
    """A region whose dashboard this person may open (404 for everyone else: another
    community's figures are not theirs to know about)."""
    return get_for(user, Region.objects.all(), pk, perm)


def get_unit_for(user: Any, pk: Any) -> Organization:
    return get_for(user, Organization.objects.select_related("region"), pk, "dashboards.view_unit")
