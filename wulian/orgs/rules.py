"""Who may see and act on organisations, their members and partnerships."""

from __future__ import annotations

from typing import Any

import rules

from wulian.core.access import Finder
from wulian.orgs.models import Membership, Organization, Partnership
from wulian.orgs.queries import memberships_of
from wulian.places.rules import covers, is_region_staff


def membership_roles(user: Any) -> dict[int, str]:
    """{organisation id: role} for a person, from the memberships cached for the request."""
    return {m.id: m.role for m in memberships_of(user)}


@rules.predicate
def is_org_member(user: Any, org: Organization | None) -> bool:
    return org is not None and org.pk in membership_roles(user)


@rules.predicate
def is_org_admin(user: Any, org: Organization | None) -> bool:
    return org is not None and membership_roles(user).get(org.pk) == Membership.Role.ADMIN


@rules.predicate
def is_org_staff(user: Any, org: Organization | None) -> bool:
    return org is not None and covers(user, org.region)


@rules.predicate
def is_partnership_party(user: Any, partnership: Partnership | None) -> bool:
    if partnership is None:
        return False
    roles = membership_roles(user)
    return partnership.host_id in roles or partnership.partner_id in roles


@rules.predicate
def is_partnership_staff(user: Any, partnership: Partnership | None) -> bool:
    return partnership is not None and covers(user, partnership.community)


rules.add_perm("orgs.view_organization", rules.always_allow)
rules.add_perm("orgs.view_members", is_org_member | is_org_staff)
rules.add_perm("orgs.change_organization", is_org_admin | is_org_staff)
rules.add_perm("orgs.manage_members", is_org_admin | is_org_staff)
rules.add_perm("orgs.add_partnership", is_region_staff)
rules.add_perm("orgs.view_partnership", is_partnership_party | is_partnership_staff)
rules.add_perm("orgs.change_partnership", is_partnership_staff)


get_organization_for: Finder[Organization] = Finder(
    Organization.objects.select_related("region"), "orgs.view_organization"
)


get_partnership_for: Finder[Partnership] = Finder(
    Partnership.objects.select_related("community", "host", "partner"), "orgs.view_partnership"
)
