"""The indicators against figures counted by hand, and the rollups rebuilt equal refreshed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dashboards.conftest import NOV, OCT, at, live
from wulian.dashboards import services
from wulian.dashboards.catalogue import by_link, indicators
from wulian.dashboards.models import DailyFigure, MonthlyFigure
from wulian.dashboards.queries import Figures, median_of

pytestmark = pytest.mark.django_db


def test_every_app_declares_its_indicators_and_each_has_a_meaning():
    found = indicators()
    apps = {key.split(".")[0] for key in found}
    assert {"lists", "events", "whistle", "council", "activities", "orgs"} <= apps
    assert all(str(i.name) and str(i.help) for i in found.values())
    for indicator in found.values():
        for other in (indicator.numerator, indicator.denominator, *indicator.sources):
            assert not other or other in found, f"{indicator.key} names {other}"
    assert set(by_link()) == {"organisation", "venues", "activities", "training", "development"}


def test_the_median_of_a_histogram():
    assert median_of({}) is None
    assert median_of({"1": 1}) == 1
    assert median_of({"1": 1, "36": 1}) == 18.5
    assert median_of({"2": 2, "9": 1}) == 2


def test_it_counts_the_small_world_as_by_hand(lived: Any):
    services.rebuild()
    world = lived
    figures = Figures([world.community, world.subdistrict, world.district], [OCT, NOV])
    c = world.community

    def v(key: str, month: Any = None, region: Any = c) -> Any:
        return figures.value(region, key, None if month is None else [month])

    assert (v("lists.needs_raised", OCT), v("lists.needs_raised", NOV)) == (2, 1)
    assert v("lists.needs_published") == 2
    assert (v("lists.claims", OCT), v("lists.claims", NOV)) == (1, 1)
    assert v("lists.needs_done", OCT) == 0
    assert v("lists.needs_done", NOV) == 1
    assert v("lists.days_to_claim") == 1
    assert v("lists.days_to_done") == 36
    assert v("lists.projects_done", NOV) == 1
    assert v("lists.people_served") == 12
    assert v("lists.average_rating") == 4
    assert figures.breakdown(c, "lists.needs_by_channel", [OCT]) == {"web": 1, "phone": 1}
    assert figures.breakdown(c, "lists.needs_by_raiser", [OCT, NOV]) == {"resident": 3}
    assert v("whistle.calls", OCT) == 1
    for rate in ("response_rate", "on_time_rate", "resolution_rate", "satisfaction_rate"):
        assert v(f"whistle.{rate}", OCT) == 1
    assert v("whistle.minutes_to_report") == 30
    assert v("orgs.partnerships", OCT) == 1  # the fixture's partnership since 2021
    assert v("orgs.units_active", OCT) == 1  # the school claimed and answered
    assert v("orgs.units_active", NOV) == 0
    # up the region tree: the subdistrict and the district hold the same figures
    for region in (world.subdistrict, world.district):
        assert v("lists.needs_raised", None, region) == 3
        assert v("orgs.units_active", OCT, region) == 1
        assert v("lists.days_to_done", None, region) == 36
    # per compound and per unit
    compound_rows = MonthlyFigure.objects.filter(
        grain="compound", indicator="lists.needs_raised", compound_id=world.compound.pk
    )
    assert sum(r.value for r in compound_rows) == 3  # the resident lives there
    unit_claims = MonthlyFigure.objects.filter(
        grain="unit", indicator="lists.claims", unit_id=world.unit.pk
    )
    assert [(r.month, r.value) for r in unit_claims] == [(OCT, 1)]


def _table() -> tuple[list[Any], list[Any]]:
    daily = sorted(
        DailyFigure.objects.values_list(
            "indicator", "community_id", "compound_id", "unit_id", "breakdown", "day", "value"
        )
    )
    monthly = sorted(
        MonthlyFigure.objects.values_list(
            "indicator",
            "region_id",
            "grain",
            "compound_id",
            "unit_id",
            "breakdown",
            "month",
            "value",
        )
    )
    return daily, monthly


def test_rebuilt_equals_refreshed_after_every_step(world: Any, clock: Any):
    refreshed_rounds = []

    def refresh() -> None:
        refreshed_rounds.append(services.refresh())

    live(world, clock, after_each=refresh)
    clock.move_to(at(11, 20))
    services.refresh()
    incremental = _table()
    assert incremental[0], "the refreshes wrote figures"
    assert any(r["communities"] == 1 for r in refreshed_rounds[1:]), "only the touched community"
    services.rebuild()
    assert _table() == incremental


def test_a_refresh_with_nothing_new_recomputes_nothing(lived: Any):
    services.refresh()
    assert services.refresh() == {"communities": 0, "facts": 0}
