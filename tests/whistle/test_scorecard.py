from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tests.whistle.conftest import START, blow
from wulian.orgs.models import Organization
from wulian.whistle import services
from wulian.whistle.models import WhistleCall
from wulian.whistle.scorecard import PRIOR_RATE, PRIOR_WEIGHT, parse_period, scorecard

H = datetime.timedelta(hours=1)


def _case(world, unit, member, *, arrive_after=None, close=True, rating=None):
    whistle = blow(world, [unit], raised_by=world["resident"])
    call = WhistleCall.objects.get(whistle=whistle)
    if arrive_after is not None:
        with time_machine.travel(START + arrive_after, tick=False):
            services.arrive_call(member, call)
            services.handle_call(member, call)
            if close:
                services.confirm_closure(world["community_staff"], whistle)
                if rating:
                    services.rate_whistle(world["resident"], whistle, rating)
    return call


@pytest.fixture
def history(world, second_unit):
    """The school: 1 perfect case. The estate office: 6 cases, 5 on time, 1 never answered."""
    with time_machine.travel(START, tick=False):
        _case(world, world.unit, world["unit_admin"], arrive_after=H / 2, rating=5)
        contact = world["second_contact"]
        for minutes in (20, 40, 60, 80, 100):
            _case(
                world,
                second_unit,
                contact,
                arrive_after=datetime.timedelta(minutes=minutes),
                rating=5 if minutes < 100 else 2,
            )
        _case(world, second_unit, contact)
    return world


def test_the_four_rates_counts_and_median(history, second_unit):
    rows = {r.unit: r for r in scorecard(history.community, parse_period("2026-11"))}
    school, estate = rows[history.unit.name], rows[second_unit.name]
    assert (school.calls, school.responded, school.on_time, school.resolved) == (1, 1, 1, 1)
    assert school.response_rate == school.on_time_rate == school.satisfaction_rate == 1.0
    assert (estate.calls, estate.responded, estate.on_time, estate.resolved) == (6, 5, 5, 5)
    assert estate.response_rate == round(5 / 6, 4)
    assert (estate.rated, estate.satisfied, estate.satisfaction_rate) == (5, 4, 0.8)
    assert estate.median_minutes_to_report == 60.0
    assert school.median_minutes_to_report == 30.0


def test_the_ranking_score_is_the_mean_of_the_bayesian_averages(history, second_unit):
    rows = scorecard(history.community, parse_period("2026-11"))
    school = next(r for r in rows if r.unit == history.unit.name)
    estate = next(r for r in rows if r.unit == second_unit.name)

    def smooth(part, whole):
        return (part + PRIOR_WEIGHT * PRIOR_RATE) / (whole + PRIOR_WEIGHT)

    assert school.score == round(4 * smooth(1, 1) / 4, 4)
    expected = (smooth(5, 6) * 3 + smooth(4, 5)) / 4
    assert estate.score == round(expected, 4)
    assert [r.unit for r in rows] == [second_unit.name, history.unit.name]


def test_fifty_good_cases_outrank_one_perfect_one(world, second_unit):
    with time_machine.travel(START, tick=False):
        _case(world, world.unit, world["unit_admin"], arrive_after=H / 2, rating=5)
        for i in range(50):
            _case(
                world,
                second_unit,
                world["second_contact"],
                arrive_after=H / 2 if i % 10 else 3 * H,
                rating=5 if i % 5 else 3,
            )
    rows = scorecard(world.community, parse_period("2026-11"))
    assert rows[0].unit == second_unit.name and rows[0].calls == 50


def test_rerouted_calls_do_not_count_against_the_unit_that_declined(world, second_unit):
    with time_machine.travel(START, tick=False):
        blow(world, [world.unit])
        call = WhistleCall.objects.get()
        services.decline_call(world["unit_admin"], call, "不归我们管")
        services.reroute_call(world["community_staff"], call, second_unit)
    units = [r.unit for r in scorecard(world.community, parse_period("2026-11"))]
    assert units == [second_unit.name]


def test_the_command_prints_json_and_finds_the_community_in_traditional_script(
    history, second_unit, capsys
):
    call_command(
        "whistle",
        "scorecard",
        "--community",
        "江漢北路社區",
        "--period",
        "2026-11",
        "--format",
        "json",
    )
    data = json.loads(capsys.readouterr().out)
    assert data["community"] == "江汉北路社区" and data["period"] == "2026-11"
    by_unit = {u["unit"]: u for u in data["units"]}
    estate = by_unit[second_unit.name]
    for key in (
        "calls",
        "responded",
        "on_time",
        "resolved",
        "rated",
        "satisfied",
        "response_rate",
        "on_time_rate",
        "resolution_rate",
        "satisfaction_rate",
        "median_minutes_to_report",
        "rank",
        "score",
    ):
        assert key in estate
    assert estate["calls"] == 6
    call_command("whistle", "scorecard", "--community", "江汉北路社区", "--period", "2026-11")
    assert Organization.objects.get(pk=second_unit.pk).name in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("whistle", "scorecard", "--community", "没有这个社区")
    with pytest.raises(CommandError):
        call_command("whistle", "scorecard", "--community", "江汉北路社区", "--period", "11/2026")
