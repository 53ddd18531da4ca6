"""Volunteering in numbers: confirmed hours (the system-verified apart) and volunteers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.core.indicators import Fact, Indicator, Scope, grouped
from wulian.volunteering.models import VolunteerRecord


def _hours(scope: Scope, verified_only: bool = False) -> Iterable[Fact]:
    records = VolunteerRecord.objects.counted()
    if verified_only:
        records = records.filter(source=VolunteerRecord.Source.ACTIVITY)
    return grouped(scope, records, "date", unit="organization_id", value=Sum("hours"), dated=True)


def _verified(scope: Scope) -> Iterable[Fact]:
    return _hours(scope, verified_only=True)


def _volunteers(scope: Scope) -> Iterable[Fact]:
    """Each person with confirmed hours in a month, once, on the month's first day in scope:
    a month's figure is how many people volunteered in it."""
    rows = (
        scope.filter_dates(VolunteerRecord.objects.counted(), "date")
        .values_list("community_id", "person_id", "date")
        .order_by()
    )
    hours: dict[tuple[int, int, datetime.date], bool] = {}
    for community, person, day in rows:
        month = day.replace(day=1)
        if scope.start is not None and month < scope.start:
            month = scope.start
        hours[(community, person, month)] = True
    people: dict[tuple[int, datetime.date], int] = {}
    for community, _person, month in hours:
        people[(community, month)] = people.get((community, month), 0) + 1
    for (community, month), n in people.items():
        yield Fact(community, month, n)


LIST = ("volunteering:roll_index", "")

INDICATORS = [
    Indicator(
        "volunteering.hours",
        "activities",
        _("Volunteer hours"),
        _(
            "Confirmed hours in the volunteer-hours ledger, corrections included, on the day "
            "served, counted for the organising body."
        ),
        _hours,
        list_url=LIST,
        per_unit=True,
        public=True,
        headline=True,
        unit_of_measure=pgettext_lazy("unit of measure", "hours"),
        order=20,
    ),
    Indicator(
        "volunteering.verified_hours",
        "activities",
        _("Volunteer hours verified by check-in"),
        _("The confirmed hours that come from activity check-in and check-out."),
        _verified,
        per_unit=True,
        unit_of_measure=pgettext_lazy("unit of measure", "hours"),
        order=21,
    ),
    Indicator(
        "volunteering.volunteers",
        "activities",
        _("Volunteers with hours"),
        _(
            "People with confirmed volunteer hours in the month; over several months, a "
            "person counts once a month."
        ),
        _volunteers,
        list_url=LIST,
        public=True,
        order=22,
    ),
]
