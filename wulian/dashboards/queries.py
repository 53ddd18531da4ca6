"""Reading the rollups: each indicator's figure for a region and a period, in a fixed number
of queries whatever the size of the region (the pages' and the reports' only source)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.http import HttpRequest
from django.utils.translation import get_language

from wulian.core import versions
from wulian.core.indicators import DISTINCT, MEDIAN, RATIO, RUNNING, Indicator
from wulian.dashboards.catalogue import indicators
from wulian.dashboards.models import MonthlyFigure
from wulian.places.models import Region

Grain = MonthlyFigure.Grain


# How long a page's rendered figures are kept at most. They are keyed by the rollups' version,
# which every write of the rollups moves, so new figures show at once; the limit only bounds
# how long a renamed region or unit may keep its old name on a page nobody's figures have
# changed since.
FRAGMENT_SECONDS = 600


def fragment_key(request: HttpRequest, *parts: object) -> str:
    """What a page's rendered figures depend on: the rollups as last written, the language,
    and the page's own parts (region, month, sorting). Read after the permission check: the
    fragment holds nothing that differs between the people allowed to see it."""
    rollups = versions.for_request(request, ("rollups", None))
    return ":".join(str(part) for part in (rollups, get_language(), *parts))


def months_back(last: datetime.date, count: int) -> list[datetime.date]:
    """`count` first-of-month dates ending with `last`'s month, oldest first."""
    months = [last.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    return months[::-1]


def shift_year(month: datetime.date, years: int = -1) -> datetime.date:
    return month.replace(year=month.year + years)


def median_of(histogram: dict[str, float]) -> float | None:
    """The median of cases counted per whole length (the histogram's keys)."""
    counts = sorted((int(length), n) for length, n in histogram.items() if n > 0)
    total = sum(n for _length, n in counts)
    if not total:
        return None
    lower, upper = None, None
    seen = 0.0
    for length, n in counts:
        seen += n
        if lower is None and seen >= total / 2:
            lower = length
        if seen > total / 2:
            upper = length
            break
    assert lower is not None and upper is not None
    return (lower + upper) / 2 if total % 2 == 0 else float(upper)


class Figures:
    """One region's (or several regions') monthly rollups over some months, loaded at once."""

    def __init__(
        self, regions: Sequence[Region], months: Iterable[datetime.date], *, by_unit: bool = True
    ) -> None:
        self.regions = list(regions)
        self.months = sorted(set(months))
        ids = [r.pk for r in self.regions]
        first, last = self.months[0], self.months[-1]
        self._cells: dict[tuple[int, str, datetime.date], dict[str, float]] = defaultdict(dict)
        rows = MonthlyFigure.objects.filter(
            region_id__in=ids, grain=Grain.REGION, month__in=self.months
        ).values_list("region_id", "indicator", "month", "breakdown", "value")
        for region, key, month, breakdown, value in rows:
            self._cells[(region, key, month)][breakdown] = value
        running = [i.key for i in indicators().values() if i.kind == RUNNING]
        self._before: dict[tuple[int, str], float] = defaultdict(float)
        for row in (
            MonthlyFigure.objects.filter(
                region_id__in=ids, grain=Grain.REGION, indicator__in=running, month__lt=first
            )
            .values("region_id", "indicator")
            .annotate(v=Sum("value"))
            .order_by()
        ):
            self._before[(row["region_id"], row["indicator"])] = row["v"]
        self._units: dict[tuple[int, datetime.date], set[int]] = defaultdict(set)
        sources = sorted(
            {s for i in indicators().values() if i.kind == DISTINCT for s in i.sources}
        )
        if by_unit and sources:
            under = Q()
            if all(place.is_community for place in self.regions):
                under = Q(region_id__in=ids)
            else:
                for place in self.regions:
                    under |= Q(region__path__startswith=place.path)
            paths = {r.pk: r.path for r in self.regions}
            for path, unit, month in (
                MonthlyFigure.objects.filter(
                    under,
                    grain=Grain.UNIT,
                    indicator__in=sources,
                    month__gte=first,
                    month__lte=last,
                    value__gt=0,
                )
                .values_list("region__path", "unit_id", "month")
                .distinct()
            ):
                for region_id, region_path in paths.items():
                    if path.startswith(region_path):
                        self._units[(region_id, month)].add(unit)

    def _sum(self, region: Region, key: str, months: Iterable[datetime.date]) -> float:
        return sum(sum(self._cells.get((region.pk, key, m), {}).values()) for m in months)

    def breakdown(
        self, region: Region, key: str, months: Iterable[datetime.date]
    ) -> dict[str, float]:
        parts: dict[str, float] = defaultdict(float)
        for month in months:
            for part, value in self._cells.get((region.pk, key, month), {}).items():
                parts[part] += value
        return dict(parts)

    def value(
        self, region: Region, key: str, months: Iterable[datetime.date] | None = None
    ) -> float | None:
        """The indicator's figure over these months (all loaded ones when None)."""
        indicator = indicators()[key]
        months = list(self.months if months is None else months)
        if indicator.kind == RATIO:
            whole = self.value(region, indicator.denominator, months)
            part = self.value(region, indicator.numerator, months)
            return round(part / whole, 4) if whole and part is not None else None
        if indicator.kind == MEDIAN:
            return median_of(self.breakdown(region, key, months))
        if indicator.kind == DISTINCT:
            units: set[int] = set()
            for month in months:
                units |= self._units.get((region.pk, month), set())
            return float(len(units))
        if indicator.kind == RUNNING:
            end = max(months)
            earlier = [m for m in self.months if m <= end]
            return self._before[(region.pk, key)] + self._sum(region, key, earlier)
        return self._sum(region, key, months)

    def trend(self, region: Region, key: str) -> list[float | None]:
        return [self.value(region, key, [m]) for m in self.months]


@dataclass
class UnitFigures:
    """A unit's per-unit figures over some months, in every community it worked in."""

    unit_id: int
    values: dict[str, float]


def unit_figures(
    unit_ids: Iterable[int], months: Sequence[datetime.date], region: Region | None = None
) -> dict[int, dict[str, float]]:
    """Per unit: each per-unit indicator's sum (ratios computed) over the months."""
    rows = MonthlyFigure.objects.filter(
        grain=Grain.UNIT, unit_id__in=list(unit_ids), month__in=list(months)
    )
    if region is not None:
        rows = rows.filter(region__path__startswith=region.path)
    return _per_unit(rows)


def peers_figures(region: Region, months: Sequence[datetime.date]) -> dict[int, dict[str, float]]:
    """Every unit that did something in the region over the months: the scorecard's peers."""
    return _per_unit(
        MonthlyFigure.objects.filter(
            grain=Grain.UNIT, region__path__startswith=region.path, month__in=list(months)
        )
    )


def _per_unit(rows: object) -> dict[int, dict[str, float]]:
    sums: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for unit, key, value in (
        rows.values("unit_id", "indicator")  # type: ignore[attr-defined]
        .annotate(v=Sum("value"))
        .order_by()
        .values_list("unit_id", "indicator", "v")
    ):
        sums[unit][key] += value
    for values in sums.values():
        for indicator in indicators().values():
            if indicator.kind == RATIO and indicator.per_unit:
                whole = values.get(indicator.denominator, 0)
                if whole:
                    values[indicator.key] = round(values.get(indicator.numerator, 0) / whole, 4)
    return {unit: dict(values) for unit, values in sums.items()}


def is_ratio(indicator: Indicator) -> bool:
    return indicator.kind == RATIO


def compound_figures(
    community: Region, months: Sequence[datetime.date]
) -> dict[int, dict[str, float]]:
    """Per compound of a community: each indicator's sum over the months (one query)."""
    sums: dict[int, dict[str, float]] = defaultdict(dict)
    for compound, key, value in (
        MonthlyFigure.objects.filter(region=community, grain=Grain.COMPOUND, month__in=list(months))
        .values("compound_id", "indicator")
        .annotate(v=Sum("value"))
        .order_by()
        .values_list("compound_id", "indicator", "v")
    ):
        sums[compound][key] = value
    return dict(sums)
