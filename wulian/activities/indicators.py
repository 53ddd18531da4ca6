"""Venues, activities and convenience services in numbers (阵地联享, 活动联办)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.activities.models import Activity, Booking, ServiceBooking, SignUp
from wulian.core.indicators import Fact, Indicator, Scope, grouped, to_local_date

HOUR = 3600


def _held(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        Activity.objects.filter(state=Activity.State.PUBLISHED),
        "starts_at",
        compound="compound_id",
    )


def _cohosted(scope: Scope) -> Iterable[Fact]:
    """Each host of an activity, on the day it takes place."""
    return grouped(
        scope,
        Activity.hosts.through.objects.filter(activity__state=Activity.State.PUBLISHED),
        "activity__starts_at",
        community="activity__community_id",
        unit="organization_id",
    )


def _checked_in(role: str) -> object:
    def formula(scope: Scope) -> Iterable[Fact]:
        return grouped(
            scope,
            SignUp.objects.filter(role=role, checked_in_at__isnull=False),
            "checked_in_at",
            community="activity__community_id",
            compound="activity__compound_id",
        )

    return formula


def _hours(scope: Scope, bookings: object) -> Iterable[Fact]:
    rows = scope.filter(bookings, "starts_at", "venue__community_id").values_list(  # type: ignore[arg-type]
        "venue__community_id", "venue__compound_id", "venue__owner_id", "starts_at", "ends_at"
    )
    sums: dict[tuple[int, int, int, object], float] = {}
    for community, compound, owner, starts, ends in rows:
        slot = (community, compound or 0, owner, to_local_date(starts))
        sums[slot] = sums.get(slot, 0) + (ends - starts).total_seconds() / HOUR
    for (community, compound, owner, day), hours in sums.items():
        yield Fact(community, day, round(hours, 2), compound=compound, unit=owner)  # type: ignore[arg-type]


def _hours_booked(scope: Scope) -> Iterable[Fact]:
    return _hours(scope, Booking.objects.filter(state=Booking.State.APPROVED))


def _hours_shared(scope: Scope) -> Iterable[Fact]:
    """Approved hours booked by others than the venue's owner: the owner's venue shared."""
    return _hours(
        scope,
        Booking.objects.filter(state=Booking.State.APPROVED).filter(
            Q(organization__isnull=True) | ~Q(organization_id=F("venue__owner_id"))
        ),
    )


def _slots(state: str) -> object:
    def formula(scope: Scope) -> Iterable[Fact]:
        return grouped(
            scope,
            ServiceBooking.objects.filter(state=state),
            "starts_at",
            community="service__community_id",
            unit="service__provider_id",
        )

    return formula


def _no_shows(scope: Scope) -> Iterable[Fact]:
    yield from _slots(ServiceBooking.State.NO_SHOW)(scope)  # type: ignore[operator]
    yield from grouped(
        scope,
        SignUp.objects.filter(no_show=True),
        "activity__starts_at",
        community="activity__community_id",
        compound="activity__compound_id",
    )


LIST = ("activities:list", "")
VENUES = ("activities:venues", "")

INDICATORS = [
    Indicator(
        "activities.held",
        "activities",
        _("Activities held"),
        _("Activities not cancelled, on the day they take place."),
        _held,
        list_url=LIST,
        public=True,
        headline=True,
        order=10,
    ),
    Indicator(
        "activities.cohosted",
        "activities",
        _("Activities co-hosted by units"),
        _("Each unit hosting an activity counts once for it."),
        _cohosted,
        per_unit=True,
        order=11,
    ),
    Indicator(
        "activities.participants",
        "activities",
        _("Participants checked in"),
        _("Participants who checked in at an activity."),
        _checked_in(SignUp.Role.PARTICIPANT),  # type: ignore[arg-type]
        headline=True,
        public=True,
        order=12,
    ),
    Indicator(
        "activities.volunteers",
        "activities",
        _("Volunteers checked in at activities"),
        _("Volunteers who checked in at an activity."),
        _checked_in(SignUp.Role.VOLUNTEER),  # type: ignore[arg-type]
        order=13,
    ),
    Indicator(
        "activities.service_visits",
        "activities",
        _("Service slots used"),
        _("Convenience-service slots where the resident came, by the slot's day."),
        _slots(ServiceBooking.State.ATTENDED),  # type: ignore[arg-type]
        per_unit=True,
        order=14,
    ),
    Indicator(
        "activities.service_booked",
        "activities",
        _("Service slots booked and awaited"),
        _("Convenience-service slots booked and not yet come to."),
        _slots(ServiceBooking.State.BOOKED),  # type: ignore[arg-type]
        per_unit=True,
        order=15,
    ),
    Indicator(
        "activities.no_shows",
        "activities",
        _("No-shows"),
        _("Residents who booked a service slot or signed up and did not come."),
        _no_shows,
        order=16,
    ),
    Indicator(
        "activities.venue_hours",
        "venues",
        _("Venue hours booked"),
        _("Hours of approved bookings, counted for the venue's owner on the booking's day."),
        _hours_booked,
        list_url=VENUES,
        per_unit=True,
        headline=True,
        public=True,
        unit_of_measure=pgettext_lazy("unit of measure", "hours"),
        order=10,
    ),
    Indicator(
        "activities.venue_hours_shared",
        "venues",
        _("Venue hours shared"),
        _("Approved hours others booked in a unit's venue: the venue shared (阵地联享)."),
        _hours_shared,
        list_url=VENUES,
        per_unit=True,
        headline=True,
        unit_of_measure=pgettext_lazy("unit of measure", "hours"),
        order=11,
    ),
]
