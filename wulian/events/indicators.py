"""Release events' figures: needs released at an event and claimed on the spot."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wulian.core.indicators import Fact, Indicator, Scope, grouped
from wulian.events.models import EventNeed


def _released(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        EventNeed.objects.filter(event__opened_at__isnull=False),
        "event__opened_at",
        community="need__community_id",
        compound="need__compound_id",
    )


def _claimed_on_the_spot(scope: Scope) -> Iterable[Fact]:
    """Claims made while the event was open (between its opening and its closing)."""
    entries = EventNeed.objects.filter(
        Q(event__closed_at__isnull=True) | Q(need__claims__created_at__lte=F("event__closed_at")),
        event__opened_at__isnull=False,
        need__claims__state="active",
        need__claims__created_at__gte=F("event__opened_at"),
    )
    return grouped(
        scope,
        entries,
        "need__claims__created_at",
        community="need__community_id",
        unit="need__claims__organization_id",
    )


INDICATORS = [
    Indicator(
        "events.needs_released",
        "development",
        _("Needs released at events"),
        _("Needs on an opportunity list, counted on the day its release event opened."),
        _released,
        list_url=("events:list", ""),
        order=30,
    ),
    Indicator(
        "events.claimed_on_the_spot",
        "development",
        _("Needs claimed on the spot"),
        _("Claims made while a release event was open."),
        _claimed_on_the_spot,
        per_unit=True,
        order=31,
    ),
]
