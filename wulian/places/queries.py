"""What other apps read about places: plain questions, answered without touching the models."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from wulian.places.models import Region


def assigned_regions(user: Any) -> list[Region]:
    """The regions a person works for as staff, broadest first (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached: list[Region] | None = getattr(user, "_assigned_regions", None)
    if cached is None:
        cached = list(
            Region.objects.filter(staff__user=user)
            .order_by("path")
            .only("id", "name", "level", "path")
        )
        user._assigned_regions = cached
    return cached


def home_community(user: Any) -> Region | None:
    """The community a person belongs to or works for, else the default one."""
    community: Region | None = getattr(user, "community", None)
    if community is not None:
        return community
    assigned = assigned_regions(user)
    if assigned:
        narrowest = max(assigned, key=lambda region: region.path)
        if narrowest.is_community:
            return narrowest
        below = narrowest.descendants().filter(level=Region.Level.COMMUNITY).first()
        if below is not None:
            return below
    communities = Region.objects.filter(level=Region.Level.COMMUNITY)
    return communities.filter(name=settings.DEFAULT_COMMUNITY).first() or communities.first()
