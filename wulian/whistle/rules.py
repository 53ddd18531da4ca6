"""Who may do what with whistles.

Staff of the community (and of the subdistrict and district above it) blow whistles, see them,
confirm closure, send calls back and re-route them. Members of a called unit see the whistle
and answer their own call. The resident who raised it sees it and rates the result. Anyone
else gets a 404.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q, QuerySet

from wulian.core.access import Finder
from wulian.orgs.rules import membership_roles
from wulian.places.models import Region
from wulian.places.rules import covered_regions, covers
from wulian.whistle.models import Whistle, WhistleCall


def unit_ids(user: Any) -> set[int]:
    return set(membership_roles(user))


@rules.predicate
def is_community_staff(user: Any, community: Region | None) -> bool:
    return community is not None and community.is_community and covers(user, community)


@rules.predicate
def is_whistle_staff(user: Any, whistle: Whistle | None) -> bool:
    return whistle is not None and covers(user, whistle.community)


@rules.predicate
def is_called_unit_member(user: Any, whistle: Whistle | None) -> bool:
    if whistle is None or not getattr(user, "is_authenticated", False):
        return False
    units = unit_ids(user)
    return bool(units) and whistle.calls.filter(organization_id__in=units).exists()


@rules.predicate
def is_whistle_raiser(user: Any, whistle: Whistle | None) -> bool:
    return (
        whistle is not None
        and getattr(user, "is_authenticated", False)
        and whistle.raised_by_id == user.pk
    )


@rules.predicate
def is_call_member(user: Any, call: WhistleCall | None) -> bool:
    return call is not None and call.organization_id in unit_ids(user)


@rules.predicate
def is_call_staff(user: Any, call: WhistleCall | None) -> bool:
    return call is not None and covers(user, call.whistle.community)


rules.add_perm("whistle.blow", is_community_staff)
rules.add_perm("whistle.view_scorecard", is_community_staff)
rules.add_perm("whistle.view_whistle", is_whistle_staff | is_called_unit_member | is_whistle_raiser)
rules.add_perm("whistle.manage_whistle", is_whistle_staff)
rules.add_perm("whistle.rate_whistle", is_whistle_raiser)
rules.add_perm("whistle.view_call", is_call_member | is_call_staff)
rules.add_perm("whistle.answer_call", is_call_member)
rules.add_perm("whistle.manage_call", is_call_staff)


@rules.predicate
def can_see_photo(user: Any, photo: Any) -> bool:
    """A whistle's photo, or the photo of a unit's action, goes with the whistle."""
    if photo is None:
        return False
    whistle = photo.whistle if photo.whistle_id is not None else photo.action.call.whistle
    return bool(user.has_perm("whistle.view_whistle", whistle))


rules.add_perm("whistle.view_photo", can_see_photo)


get_whistle_for: Finder[Whistle] = Finder(
    Whistle.objects.select_related("community", "compound", "created_by", "raised_by"),
    "whistle.view_whistle",
)


get_call_for: Finder[WhistleCall] = Finder(
    WhistleCall.objects.select_related("whistle__community", "organization"), "whistle.view_call"
)


def visible_whistles(user: Any) -> QuerySet[Whistle]:
    if not getattr(user, "is_authenticated", False):
        return Whistle.objects.none()
    query = Q(raised_by=user) | Q(calls__organization_id__in=unit_ids(user))
    regions = covered_regions(user)
    if regions.exists():
        query |= Q(community__in=regions)
    return Whistle.objects.filter(pk__in=Whistle.objects.filter(query).values("pk"))
