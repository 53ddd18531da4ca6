"""What the dashboard pages and the monthly report show, built from the rollups alone.

A `Board` is one region's month: the five links as sections, each with its numbers (the
figure, last month's and last year's, the list behind it) and its charts (the trend over the
last twelve months, the month's breakdowns). It costs the queries of one `Figures` load.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.core.indicators import LINKS, MEDIAN, RATIO, SUM, Indicator
from wulian.dashboards.catalogue import by_link, indicators
from wulian.dashboards.queries import Figures, months_back, shift_year
from wulian.places.models import Region

LINK_TITLES: dict[str, str | Promise] = {
    "organisation": gettext_lazy("Organisation linkage"),
    "venues": gettext_lazy("Shared venues"),
    "activities": gettext_lazy("Joint activities"),
    "training": gettext_lazy("Joint training"),
    "development": gettext_lazy("Joint development"),
}
TREND_MONTHS = 12


def parse_month(raw: str | None) -> datetime.date:
    """A month as YYYY-MM; this month when empty or unreadable."""
    if raw:
        try:
            return datetime.date.fromisoformat(f"{raw}-01")
        except ValueError:
            pass
    return timezone.localdate().replace(day=1)


def month_label(month: datetime.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def format_value(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return "—"
    if indicator.kind == RATIO:
        if not indicator.as_percent:
            return f"{value:.1f}"
        return f"{round(value * 100)}%"
    text = f"{int(value)}" if float(value).is_integer() else f"{value:.1f}"
    return f"{text} {indicator.unit_of_measure}" if indicator.unit_of_measure else text


@dataclass
class Number:
    key: str
    name: str
    help: str
    value: float | None
    text: str
    last_month: str
    last_year: str
    url: str
    headline: bool


@dataclass
class Chart:
    id: str
    title: str
    kind: str
    labels: list[str]
    series: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "labels": self.labels,
            "series": self.series,
        }


@dataclass
class Section:
    link: str
    title: str
    numbers: list[Number] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    @property
    def headlines(self) -> list[Number]:
        return [n for n in self.numbers if n.headline]


@dataclass
class Board:
    region: Region
    month: datetime.date
    label: str
    sections: list[Section]
    values: dict[str, float | None]

    def charts_data(self) -> dict[str, Any]:
        return {c.id: c.as_dict() for s in self.sections for c in s.charts}


def list_url(indicator: Indicator, region: Region, month: datetime.date) -> str:
    if indicator.list_url is None or not region.is_community:
        return ""
    name, query = indicator.list_url
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    try:
        url = reverse(
            name, kwargs={indicator.list_kwarg: region.pk} if indicator.list_kwarg else {}
        )
    except NoReverseMatch:
        return ""
    last = following - datetime.timedelta(days=1)
    query = query.format(community=region.pk, start=month.isoformat(), end=last.isoformat())
    return f"{url}?{query}" if query else url


def shown(indicator: Indicator, public: bool) -> bool:
    if public and not indicator.public:
        return False
    return indicator.kind != SUM or indicator.breakdown_labels is None


def load(regions: list[Region], month: datetime.date) -> Figures:
    months = months_back(month, TREND_MONTHS + 1)  # the trend, and the month a year ago
    return Figures(regions, months)


def board(region: Region, month: datetime.date, *, public: bool = False) -> Board:
    figures = load([region], month)
    return board_from(figures, region, month, public=public)


def board_from(figures: Figures, region: Region, month: datetime.date, *, public: bool) -> Board:
    previous = months_back(month, 2)[0]
    year_ago = shift_year(month)
    trend = figures.months[-TREND_MONTHS:]
    labels = [f"{m:%Y-%m}" for m in trend]
    sections: list[Section] = []
    values: dict[str, float | None] = {}
    for link, items in by_link().items():
        section = Section(link, str(LINK_TITLES[link]))
        for indicator in items:
            value = figures.value(region, indicator.key, [month])
            values[indicator.key] = value
            if not shown(indicator, public):
                continue
            section.numbers.append(
                Number(
                    indicator.key,
                    str(indicator.name),
                    str(indicator.help),
                    value,
                    format_value(indicator, value),
                    format_value(indicator, figures.value(region, indicator.key, [previous])),
                    format_value(indicator, figures.value(region, indicator.key, [year_ago])),
                    "" if public else list_url(indicator, region, month),
                    indicator.headline,
                )
            )
        counts = [
            i for i in items if i.headline and shown(i, public) and i.kind not in (MEDIAN, RATIO)
        ]
        rates = [i for i in items if i.headline and shown(i, public) and i.kind == RATIO]
        for chart_id, title, trended in (
            (f"trend-{link}", _("The last twelve months"), counts),
            (f"rates-{link}", _("Rates over the last twelve months (%)"), rates),
        ):
            if trended:
                section.charts.append(
                    Chart(
                        chart_id,
                        title,
                        "line",
                        labels,
                        [
                            {
                                "name": str(i.name),
                                "data": [
                                    _plain(i, figures.value(region, i.key, [m])) for m in trend
                                ],
                            }
                            for i in trended
                        ],
                    )
                )
        if not public:
            for indicator in items:
                if indicator.breakdown_labels is None:
                    continue
                parts = figures.breakdown(region, indicator.key, [month])
                if not parts:
                    continue
                names = indicator.breakdown_labels()
                ordered = sorted(parts.items(), key=lambda p: -p[1])
                section.charts.append(
                    Chart(
                        f"{indicator.key.replace('.', '-')}",
                        str(indicator.name),
                        "bar",
                        [names.get(part, part) for part, _n in ordered],
                        [{"name": str(indicator.name), "data": [n for _p, n in ordered]}],
                    )
                )
                values[indicator.key] = sum(parts.values())
        sections.append(section)
    assert [s.link for s in sections] == list(LINKS)
    return Board(region, month, month_label(month), sections, values)


def _plain(indicator: Indicator, value: float | None) -> float | None:
    if value is None:
        return None
    if indicator.kind == RATIO and indicator.as_percent:
        return round(value * 100, 1)
    return round(value, 2)


def indicator(key: str) -> Indicator:
    return indicators()[key]


@dataclass
class CompoundRow:
    name: str
    cells: list[str]


def by_compound(
    community: Region, month: datetime.date
) -> tuple[list[Indicator], list[CompoundRow]]:
    """The headline counts that concern a compound, per compound of the community."""
    from wulian.dashboards.queries import compound_figures
    from wulian.places.models import Compound

    figures = compound_figures(community, [month])
    if not figures:
        return [], []
    keys = {key for values in figures.values() for key in values}
    columns = [i for items in by_link().values() for i in items if i.key in keys and i.kind == SUM]
    rows = [
        CompoundRow(
            compound.name,
            [format_value(i, figures.get(compound.pk, {}).get(i.key, 0)) for i in columns],
        )
        for compound in Compound.objects.filter(community=community).order_by("id")
        if compound.pk in figures
    ]
    return columns, rows
