"""The scorecard: how each unit answered the community's whistles in a period.

For the calls a unit received in the period (calls it declined and staff re-routed are not
counted against it):

- response rate: calls signed for or declined, over calls;
- on-time rate: calls reported for duty (报到) by the report-by time, over calls;
- resolution rate: calls handled and confirmed closed by the community, over calls;
- satisfaction rate: rated calls the resident gave 4 or 5 stars, over rated calls;
- median time to report, in minutes, over the calls reported.

Fair ranking: a unit with one perfect case must not top a unit with fifty good ones. Each
rate is replaced by its Bayesian average (successes + m·p) / (count + m) with a sceptical
prior: p = PRIOR_RATE = 50 % ("we do not know yet"), weighing as much as m = PRIOR_WEIGHT = 5
calls. A unit earns its rates with volume: one perfect case scores (1 + 2.5) / 6 = 58 %,
fifty cases at 90 % score (45 + 2.5) / 55 = 86 %. Units are ranked by the mean of the four
smoothed rates (a rate with no cases stays at the prior), then by their number of calls.
The counts are always shown beside the rates.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from wulian.core.errors import DomainError
from wulian.places.models import Region
from wulian.whistle.models import WhistleCall

PRIOR_WEIGHT = 5
PRIOR_RATE = 0.5
SATISFIED_FROM = 4


@dataclass
class UnitScore:
    organization_id: int
    unit: str
    calls: int = 0
    responded: int = 0
    on_time: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    response_rate: float | None = None
    on_time_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    median_minutes_to_report: float | None = None
    score: float = 0.0
    rank: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def median_whole_minutes(self) -> int | None:
        """The median rounded to a whole minute, for "12 minutes" (a plural needs a count)."""
        if self.median_minutes_to_report is None:
            return None
        return round(self.median_minutes_to_report)


@dataclass(frozen=True)
class Period:
    start: datetime.datetime
    end: datetime.datetime
    label: str


def parse_period(raw: str | None) -> Period:
    """A month as YYYY-MM (in the site's time zone); the current month when empty."""
    zone = ZoneInfo(settings.TIME_ZONE)
    if raw:
        try:
            year, month = (int(part) for part in raw.split("-"))
            first = datetime.date(year, month, 1)
        except ValueError as exc:
            raise DomainError(
                "scorecard.bad_period", _("Give the period as a month, e.g. 2026-11.")
            ) from exc
    else:
        first = timezone.localdate().replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return Period(
        datetime.datetime.combine(first, datetime.time(), tzinfo=zone),
        datetime.datetime.combine(following, datetime.time(), tzinfo=zone),
        f"{first:%Y-%m}",
    )


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _smoothed(part: int, whole: int, prior: float = PRIOR_RATE) -> float:
    return (part + PRIOR_WEIGHT * prior) / (whole + PRIOR_WEIGHT)


def scorecard(community: Region, period: Period) -> list[UnitScore]:
    calls = (
        WhistleCall.objects.filter(
            whistle__community=community,
            called_at__gte=period.start,
            called_at__lt=period.end,
        )
        .exclude(state=WhistleCall.State.REROUTED)
        .select_related("organization", "whistle")
        .order_by("id")
    )
    scores: dict[int, UnitScore] = {}
    minutes: dict[int, list[float]] = {}
    for call in calls:
        score = scores.setdefault(
            call.organization_id, UnitScore(call.organization_id, call.organization.name)
        )
        score.calls += 1
        if call.signed_at is not None or call.declined_at is not None:
            score.responded += 1
        if call.arrived_at is not None:
            minutes.setdefault(call.organization_id, []).append(
                (call.arrived_at - call.called_at).total_seconds() / 60
            )
            if call.arrived_at <= call.report_by:
                score.on_time += 1
        if call.confirmed_at is not None:
            score.resolved += 1
            if call.whistle.rating is not None:
                score.rated += 1
                if call.whistle.rating >= SATISFIED_FROM:
                    score.satisfied += 1
    rows = list(scores.values())
    for row in rows:
        row.response_rate = _rate(row.responded, row.calls)
        row.on_time_rate = _rate(row.on_time, row.calls)
        row.resolution_rate = _rate(row.resolved, row.calls)
        row.satisfaction_rate = _rate(row.satisfied, row.rated)
        spent = minutes.get(row.organization_id)
        row.median_minutes_to_report = round(statistics.median(spent), 1) if spent else None
        row.score = round(
            (
                _smoothed(row.responded, row.calls, PRIOR_RATE)
                + _smoothed(row.on_time, row.calls, PRIOR_RATE)
                + _smoothed(row.resolved, row.calls, PRIOR_RATE)
                + _smoothed(row.satisfied, row.rated, PRIOR_RATE)
            )
            / 4,
            4,
        )
    rows.sort(key=lambda r: (-r.score, -r.calls, r.unit))
    for index, row in enumerate(rows, start=1):
        row.rank = index
    return rows
