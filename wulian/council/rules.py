"""Who may do what in a council.

- Residents of the council's compound (for a community-wide council: of the community) see it,
  raise and second topics, comment, check in, vote and object to resolutions in notice.
- Its members with a current term: the chair and the secretary run it (meetings, agenda,
  motions, proxies, tallies, minutes); the chair and the advisers confirm a show of hands; the
  chair moderates and answers objections, as the secretary moderates too.
- Staff of the community, and of the subdistrict and district above it, set councils up
  (members, households) and may run them; the others see nothing (404).
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q, QuerySet
from django.utils import timezone

from wulian.core.access import Finder
from wulian.council.models import (
    Comment,
    Council,
    CouncilMember,
    Meeting,
    Motion,
    Objection,
    Resolution,
    Topic,
    TopicPhoto,
)
from wulian.places.models import Region
from wulian.places.rules import covered_regions, covers


def council_of(obj: Any) -> Council | None:
    """The council an object belongs to (a council, topic, meeting, motion, resolution…)."""
    if obj is None or isinstance(obj, Council):
        return obj
    if isinstance(obj, Topic | Meeting | Resolution):
        return obj.council
    if isinstance(obj, Motion):
        return obj.meeting.council
    if isinstance(obj, Comment | TopicPhoto):
        return obj.topic.council
    if isinstance(obj, Objection):
        return obj.resolution.council
    return None


def current_roles(user: Any, council: Council) -> set[str]:
    """The roles a person holds in a council today (cached on the user for the request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache: dict[int, set[str]] = user.__dict__.setdefault("_council_roles", {})
    if council.pk not in cache:
        today = timezone.localdate()
        cache[council.pk] = set(
            CouncilMember.objects.filter(council=council, user=user, starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .values_list("role", flat=True)
        )
    return cache[council.pk]


def is_resident_of(user: Any, council: Council) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if council.compound_id is not None:
        return bool(user.compound_id == council.compound_id)
    return bool(user.community_id == council.community_id)


def _role_predicate(*roles: str) -> Any:
    @rules.predicate
    def predicate(user: Any, obj: Any) -> bool:
        council = council_of(obj)
        return council is not None and bool(current_roles(user, council) & set(roles))

    return predicate


@rules.predicate
def is_resident(user: Any, obj: Any) -> bool:
    council = council_of(obj)
    return council is not None and is_resident_of(user, council)


@rules.predicate
def is_staff(user: Any, obj: Any) -> bool:
    council = council_of(obj)
    return council is not None and covers(user, council.community)


@rules.predicate
def is_community_staff(user: Any, community: Region | None) -> bool:
    return community is not None and community.is_community and covers(user, community)


@rules.predicate
def is_comment_author(user: Any, comment: Comment | None) -> bool:
    return comment is not None and comment.author_id == getattr(user, "pk", None)


is_member = _role_predicate("chair", "adviser", "representative", "secretary")
is_chair = _role_predicate("chair")
is_secretary = _role_predicate("secretary")
is_adviser = _role_predicate("adviser")
is_representative = _role_predicate("representative")
runs_council = is_chair | is_secretary | is_staff

rules.add_perm("council.create_council", is_community_staff)
rules.add_perm("council.view_council", is_resident | is_member | is_staff)
rules.add_perm("council.manage_council", is_staff)
rules.add_perm("council.run_council", runs_council)
rules.add_perm("council.take_part", is_resident | is_member)
rules.add_perm("council.moderate", is_chair | is_secretary | is_staff)
rules.add_perm("council.confirm_tally", is_chair | is_adviser)
rules.add_perm("council.answer_objection", is_chair)
rules.add_perm("council.object", is_resident)
rules.add_perm("council.view_ballots", is_member | is_staff)
rules.add_perm("council.view_photo", is_resident | is_member | is_staff)


get_council_for: Finder[Council] = Finder(
    Council.objects.select_related("community", "compound"), "council.view_council"
)


get_topic_for: Finder[Topic] = Finder(
    Topic.objects.select_related("council__community", "council__compound", "raised_by"),
    "council.view_council",
)


get_meeting_for: Finder[Meeting] = Finder(
    Meeting.objects.select_related("council__community", "council__compound"),
    "council.view_council",
)


get_motion_for: Finder[Motion] = Finder(
    Motion.objects.select_related("meeting__council__community", "meeting__council__compound"),
    "council.view_council",
)


get_resolution_for: Finder[Resolution] = Finder(
    Resolution.objects.select_related("council__community", "council__compound", "motion"),
    "council.view_council",
)


get_comment_for: Finder[Comment] = Finder(
    Comment.objects.select_related("topic__council__community", "author"), "council.view_council"
)


get_objection_for: Finder[Objection] = Finder(
    Objection.objects.select_related("resolution__council__community", "author"),
    "council.view_council",
)


def visible_councils(user: Any) -> QuerySet[Council]:
    if not getattr(user, "is_authenticated", False):
        return Council.objects.none()
    query = Q(members__user=user)
    if user.compound_id is not None:
        query |= Q(compound_id=user.compound_id)
    if user.community_id is not None:
        query |= Q(compound__isnull=True, community_id=user.community_id)
    regions = covered_regions(user)
    if regions.exists():
        query |= Q(community__in=regions)
    return Council.objects.filter(pk__in=Council.objects.filter(query).values("pk"))
