"""The whistle's figures: calls to units, the three rates and the on-time rate, time to report.

Counted as the scorecard counts them (`wulian.whistle.scorecard`): each call on the day it was
made, re-routed calls left out, so a month's rates read the same on both.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from wulian.core.indicators import MEDIAN, RATIO, Fact, Indicator, Scope, durations, grouped
from wulian.whistle.models import Whistle, WhistleCall
from wulian.whistle.scorecard import SATISFIED_FROM


def _calls(extra: Q | None = None) -> QuerySet[WhistleCall]:
    calls = WhistleCall.objects.exclude(state=WhistleCall.State.REROUTED)
    return calls.filter(extra) if extra is not None else calls


def _counting(extra: Q | None = None) -> object:
    def formula(scope: Scope) -> Iterable[Fact]:
        return grouped(
            scope,
            _calls(extra),
            "called_at",
            community="whistle__community_id",
            compound="whistle__compound_id",
            unit="organization_id",
        )

    return formula


def _whistles(scope: Scope) -> Iterable[Fact]:
    return grouped(scope, Whistle.objects.all(), "created_at", compound="compound_id")


def _minutes_to_report(scope: Scope) -> Iterable[Fact]:
    calls = scope.filter(
        _calls(Q(arrived_at__isnull=False)), "arrived_at", "whistle__community_id"
    ).values_list("whistle__community_id", "called_at", "arrived_at")
    return durations(calls, 60)


RESPONDED = Q(signed_at__isnull=False) | Q(declined_at__isnull=False)
ON_TIME = Q(arrived_at__isnull=False, arrived_at__lte=F("report_by"))
RESOLVED = Q(confirmed_at__isnull=False)
RATED = RESOLVED & Q(whistle__rating__isnull=False)
SATISFIED = RESOLVED & Q(whistle__rating__gte=SATISFIED_FROM)


def _rate(key: str, name: object, meaning: object, part: str, whole: str, order: int) -> Indicator:
    return Indicator(
        key,
        "organisation",
        name,  # type: ignore[arg-type]
        meaning,  # type: ignore[arg-type]
        kind=RATIO,
        numerator=part,
        denominator=whole,
        per_unit=True,
        headline=True,
        order=order,
    )


INDICATORS = [
    Indicator(
        "whistle.whistles",
        "organisation",
        _("Whistles blown"),
        _("Urgent calls the community sent to units, by the day they were blown."),
        _whistles,
        # No link until the whistles' list filters by community and month (it lists them all).
        public=True,
        order=20,
    ),
    Indicator(
        "whistle.calls",
        "organisation",
        _("Calls to units"),
        _("Each unit called by a whistle, re-routed calls left out."),
        _counting(),  # type: ignore[arg-type]
        per_unit=True,
        order=21,
    ),
    Indicator(
        "whistle.responded",
        "organisation",
        _("Calls answered"),
        _("Calls the unit signed for or declined."),
        _counting(RESPONDED),  # type: ignore[arg-type]
        per_unit=True,
        order=22,
    ),
    Indicator(
        "whistle.on_time",
        "organisation",
        _("Reported for duty on time"),
        _("Calls the unit reported for (报到) by the report-by time."),
        _counting(ON_TIME),  # type: ignore[arg-type]
        per_unit=True,
        order=23,
    ),
    Indicator(
        "whistle.resolved",
        "organisation",
        _("Calls resolved"),
        _("Calls handled and confirmed closed by the community."),
        _counting(RESOLVED),  # type: ignore[arg-type]
        per_unit=True,
        order=24,
    ),
    Indicator(
        "whistle.rated",
        "organisation",
        _("Resolved calls rated"),
        _("Resolved calls whose whistle a resident rated."),
        _counting(RATED),  # type: ignore[arg-type]
        per_unit=True,
        order=25,
    ),
    Indicator(
        "whistle.satisfied",
        "organisation",
        _("Resolved calls rated 4 or 5"),
        _("Resolved calls whose whistle was rated 4 or 5 stars."),
        _counting(SATISFIED),  # type: ignore[arg-type]
        per_unit=True,
        order=26,
    ),
    _rate(
        "whistle.response_rate",
        _("Response rate (响应率)"),
        _("Calls answered over calls."),
        "whistle.responded",
        "whistle.calls",
        27,
    ),
    _rate(
        "whistle.resolution_rate",
        _("Resolution rate (办结率)"),
        _("Calls resolved over calls."),
        "whistle.resolved",
        "whistle.calls",
        28,
    ),
    _rate(
        "whistle.satisfaction_rate",
        _("Satisfaction rate (满意率)"),
        _("Rated calls rated 4 or 5 over rated calls."),
        "whistle.satisfied",
        "whistle.rated",
        29,
    ),
    _rate(
        "whistle.on_time_rate",
        _("On-time rate"),
        _("Calls reported for on time over calls."),
        "whistle.on_time",
        "whistle.calls",
        30,
    ),
    Indicator(
        "whistle.minutes_to_report",
        "organisation",
        _("Median minutes to report"),
        _("Half the units reported for duty sooner than this after the call."),
        _minutes_to_report,
        kind=MEDIAN,
        unit_of_measure=_("minutes"),
        order=31,
    ),
]
