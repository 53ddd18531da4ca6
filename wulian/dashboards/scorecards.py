"""The unit scorecard: what a unit did across the five links, ranked fairly among its peers.

Peers are the units with any figure in the unit's community that month. Ranking follows the
whistle scorecard (`wulian.whistle.scorecard`): each rate is a Bayesian average with a
sceptical prior (PRIOR_RATE weighing PRIOR_WEIGHT cases), so a unit with one perfect case
does not top a unit with fifty good ones. The four rates are the whistle's response, on-time
and resolution rates and the projects' rating (stars over 5, prior 3 stars); the score is
their mean, ties broken by volume (claims, projects done, activities co-hosted and venue hours
shared). Counts always stand beside the rates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from wulian.core.indicators import RATIO
from wulian.dashboards.catalogue import indicators
from wulian.dashboards.panels import format_value
from wulian.dashboards.queries import peers_figures, unit_figures
from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.whistle.scorecard import PRIOR_RATE, PRIOR_WEIGHT

PRIOR_STARS = 3.0
VOLUME = ("lists.claims", "lists.projects_done", "activities.cohosted")


def _smoothed(part: float, whole: float, prior: float = PRIOR_RATE) -> float:
    return (part + PRIOR_WEIGHT * prior) / (whole + PRIOR_WEIGHT)


def score_of(values: dict[str, float]) -> float:
    get = values.get
    calls = get("whistle.calls", 0)
    rates = [
        _smoothed(get("whistle.responded", 0), calls),
        _smoothed(get("whistle.on_time", 0), calls),
        _smoothed(get("whistle.resolved", 0), calls),
        _smoothed(get("lists.rating_points", 0) / 5, get("lists.ratings", 0), PRIOR_STARS / 5),
    ]
    return round(sum(rates) / len(rates), 4)


def volume_of(values: dict[str, float]) -> float:
    return sum(values.get(key, 0) for key in VOLUME) + values.get(
        "activities.venue_hours_shared", 0
    )


@dataclass
class Line:
    key: str
    name: str
    help: str
    text: str


@dataclass
class Ranked:
    unit_id: int
    name: str
    score: float
    volume: float
    rank: int = 0


@dataclass
class Scorecard:
    unit: Organization
    month: datetime.date
    lines: list[Line]
    score: float
    rank: int | None
    peers: list[Ranked] = field(default_factory=list)


def rank(region: Region, months: list[datetime.date]) -> list[Ranked]:
    figures = peers_figures(region, months)
    names = dict(Organization.objects.filter(pk__in=list(figures)).values_list("pk", "name"))
    rows = [
        Ranked(unit, names.get(unit, "—"), score_of(values), volume_of(values))
        for unit, values in figures.items()
        if unit in names
    ]
    rows.sort(key=lambda r: (-r.score, -r.volume, r.name))
    for n, row in enumerate(rows, start=1):
        row.rank = n
    return rows


def scorecard(unit: Organization, month: datetime.date) -> Scorecard:
    values = unit_figures([unit.pk], [month]).get(unit.pk, {})
    lines = [
        Line(
            i.key,
            str(i.name),
            str(i.help),
            format_value(i, values.get(i.key, None if i.kind == RATIO else 0)),
        )
        for i in sorted(indicators().values(), key=lambda i: (i.link, i.order))
        if i.per_unit
    ]
    peers = rank(unit.region, [month])
    mine = next((r for r in peers if r.unit_id == unit.pk), None)
    return Scorecard(unit, month, lines, score_of(values), mine.rank if mine else None, peers)
