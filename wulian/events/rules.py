"""Who may see and run release events.

Staff covering every community of an event run it (a district-wide event is run from the
district or subdistrict). Once announced, an event's page, board and report are public: they
carry no personal data.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q, QuerySet

from wulian.core.access import get_for
from wulian.events.models import ReleaseEvent
from wulian.places.models import Region
from wulian.places.rules import covered_regions, covers


def covers_all(user: Any, communities: list[Region]) -> bool:
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return True
    return bool(communities) and all(covers(user, community) for community in communities)


def event_communities(event: ReleaseEvent) -> list[Region]:
    cached: list[Region] | None = getattr(event, "_wulian_communities", None)
    if cached is None:
        cached = list(event.communities.all())
        event._wulian_communities = cached  # type: ignore[attr-defined]
    return cached


@rules.predicate
def is_event_staff(user: Any, event: ReleaseEvent | None) -> bool:
    return event is not None and covers_all(user, event_communities(event))


@rules.predicate
def is_public_event(user: Any, event: ReleaseEvent | None) -> bool:
    return event is not None and event.is_public


rules.add_perm("events.view_event", is_public_event | is_event_staff)
rules.add_perm("events.manage_event", is_event_staff)


def get_event_for(user: Any, pk: Any, perm: str = "events.view_event") -> ReleaseEvent:
    """The event, or 404 when the person may not see it, 403 when they may not do `perm`."""
    return get_for(
        user,
        ReleaseEvent.objects.all(),  # its communities are read when a check needs them
        pk,
        perm,
        view_perm="events.view_event",
    )


def visible_events(user: Any) -> QuerySet[ReleaseEvent]:
    """Announced events, and drafts in the regions the person runs."""
    public = ReleaseEvent.objects.exclude(state=ReleaseEvent.State.DRAFT)
    if getattr(user, "is_superuser", False):
        return ReleaseEvent.objects.all()
    regions = covered_regions(user)
    if not getattr(user, "is_authenticated", False) or not regions.exists():
        return public
    draft_ids = ReleaseEvent.objects.filter(
        state=ReleaseEvent.State.DRAFT, communities__in=regions
    ).values("pk")
    return ReleaseEvent.objects.filter(~Q(state=ReleaseEvent.State.DRAFT) | Q(pk__in=draft_ids))


def manageable_communities(user: Any) -> QuerySet[Region]:
    if getattr(user, "is_superuser", False):
        return Region.objects.filter(level=Region.Level.COMMUNITY)
    return covered_regions(user).filter(level=Region.Level.COMMUNITY)
