"""Indicators: each app defines its figures once, here typed, and the dashboards compute them.

An app declares `indicators = "wulian.APP.indicators.INDICATORS"` on its `WulianApp`; the
module lists `Indicator`s and imports nothing from the dashboards. A formula reads the app's
raw tables for a `Scope` (some communities, a span of days) and yields `Fact`s: a count (or a
sum) for one community on one day, with the compound and the unit it concerns when that
applies and, for a breakdown, the value it is broken down by. The dashboards' worker writes
the facts into rollup tables and every page reads those, never the raw tables.

Kinds of indicator:

- ``sum``: facts add up over days, compounds, units and regions (needs raised, hours booked);
- ``running``: facts are +1/−1 changes; the figure at a date is the sum of every fact before
  it (partnerships in force);
- ``median``: each fact counts cases whose duration in whole days is its `breakdown`; the
  figure for any period and region is the median of that histogram;
- ``ratio``: no formula; `numerator` over `denominator`, two other indicators' keys;
- ``distinct``: facts mark a unit as active on a day; the figure is how many units were.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncDate
from django.utils.functional import Promise

#: the five links, in the article's order, with their sections' keys
LINKS = ("organisation", "venues", "activities", "training", "development")

SUM, RUNNING, MEDIAN, RATIO, DISTINCT = "sum", "running", "median", "ratio", "distinct"


@dataclass(frozen=True)
class Scope:
    """What to compute: these communities (all when None), days from `start` to before `end`
    (open-ended when None), in the site's time zone."""

    communities: tuple[int, ...] | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        zone = ZoneInfo(settings.TIME_ZONE)

        def moment(day: datetime.date | None) -> datetime.datetime | None:
            return datetime.datetime.combine(day, datetime.time(), zone) if day else None

        return moment(self.start), moment(self.end)

    def filter(self, qs: QuerySet, moment: str, community: str = "community_id") -> QuerySet:  # type: ignore[type-arg]
        """The rows whose `moment` (a datetime field path) falls in the scope."""
        start, end = self.bounds()
        if self.communities is not None:
            qs = qs.filter(**{f"{community}__in": self.communities})
        if start is not None:
            qs = qs.filter(**{f"{moment}__gte": start})
        if end is not None:
            qs = qs.filter(**{f"{moment}__lt": end})
        return qs

    def filter_dates(self, qs: QuerySet, day: str, community: str = "community_id") -> QuerySet:  # type: ignore[type-arg]
        """The rows whose `day` (a date field path) falls in the scope."""
        if self.communities is not None:
            qs = qs.filter(**{f"{community}__in": self.communities})
        if self.start is not None:
            qs = qs.filter(**{f"{day}__gte": self.start})
        if self.end is not None:
            qs = qs.filter(**{f"{day}__lt": self.end})
        return qs

    def holds(self, day: datetime.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Fact:
    community: int
    day: datetime.date
    value: float = 1
    compound: int = 0
    unit: int = 0
    breakdown: str = ""


Formula = Callable[[Scope], Iterable[Fact]]


@dataclass(frozen=True)
class Indicator:
    key: str
    link: str
    name: str | Promise
    help: str | Promise
    formula: Formula | None = None
    kind: str = SUM
    numerator: str = ""
    denominator: str = ""
    #: how the breakdown values read, when the facts carry one (value → label)
    breakdown_labels: Callable[[], dict[str, str]] | None = None
    #: the list behind the number: `(url name, query)`; the query may hold `{community}` (the
    #: community's id), `{start}` and `{end}` (the period's first and last days)
    list_url: tuple[str, str] | None = None
    #: the URL's keyword argument that takes the community's id, when its pattern has one
    list_kwarg: str = ""
    #: shown to the public among the published figures
    public: bool = False
    #: shown on the unit scorecard (its facts carry units)
    per_unit: bool = False
    #: for `distinct`: the per-unit indicators whose facts make a unit active
    sources: tuple[str, ...] = ()
    #: for `median`: the bucket's length, e.g. "days"

    #: a headline number of its link's section
    headline: bool = False
    unit_of_measure: str | Promise = ""
    #: for `ratio`: shown as a percentage (else as a plain number, e.g. stars per rating)
    as_percent: bool = True
    order: int = field(default=50)


def local_day(field_name: str) -> TruncDate:
    """The local calendar day of a datetime field, for `.annotate(day=...)`."""
    return TruncDate(field_name, tzinfo=ZoneInfo(settings.TIME_ZONE))


def to_local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def grouped(
    scope: Scope,
    qs: QuerySet,  # type: ignore[type-arg]
    moment: str,
    *,
    community: str = "community_id",
    compound: str | None = None,
    unit: str | None = None,
    breakdown: str | None = None,
    value: Any = None,
    dated: bool = False,
) -> Iterable[Fact]:
    """Facts counting (or summing `value` over) the rows of `qs` per community and local day
    of `moment`, and per compound, unit and breakdown when their field paths are given.
    With `dated`, `moment` is a date field rather than a datetime."""
    qs = (scope.filter_dates if dated else scope.filter)(qs, moment, community)
    names: dict[str, Any] = {"c": F(community), "day": F(moment) if dated else local_day(moment)}
    if compound:
        names["k"] = F(compound)
    if unit:
        names["u"] = F(unit)
    if breakdown:
        names["b"] = F(breakdown)
    rows = (
        qs.annotate(**names).values(*names).annotate(n=value if value is not None else Count("pk"))
    )
    for row in rows.order_by():
        amount = row["n"]
        if not amount:
            continue
        yield Fact(
            community=int(row["c"]),
            day=row["day"],
            value=float(amount),
            compound=int(row.get("k") or 0),
            unit=int(row.get("u") or 0),
            breakdown="" if row.get("b") is None else str(row["b"]),
        )


def durations(
    pairs: Iterable[tuple[int, datetime.datetime, datetime.datetime]], per: float
) -> Iterable[Fact]:
    """Median facts from `(community, start, end)`: each case counted in the bucket of its
    duration in whole `per` seconds, dated by its end."""
    buckets: dict[tuple[int, datetime.date, str], float] = {}
    for community, began, ended in pairs:
        whole = max(0, int((ended - began).total_seconds() // per))
        slot = (community, to_local_date(ended), str(whole))
        buckets[slot] = buckets.get(slot, 0) + 1
    for (community, day, bucket), n in buckets.items():
        yield Fact(community=community, day=day, value=n, breakdown=bucket)
