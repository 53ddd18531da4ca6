"""Joint training's figures on the dashboards, against what was counted by hand."""

from __future__ import annotations

import datetime

import pytest

from tests.training.conftest import at
from tests.training.test_services import _check_in
from wulian.dashboards import services as dashboards
from wulian.dashboards.queries import Figures
from wulian.training import services

pytestmark = pytest.mark.django_db
NOV = datetime.date(2026, 11, 1)


def test_sessions_attendance_and_study_hours_against_the_norms(tw, clock):
    session = tw.session()  # Monday 2 November, 2.5 hours
    _check_in(session, tw.resident)
    _check_in(session, tw.school_member)
    tw.session(title="同上一堂党课", starts_at=at(3, 9), ends_at=at(3, 10))
    services.cancel_session(tw.staff, tw.session(starts_at=at(4, 9), ends_at=at(4, 10)), "下雨")
    clock.move_to(at(11, 20))  # ten days of the year: 2–11 November
    dashboards.rebuild()
    figures = Figures([tw.world.community], [NOV])

    def v(key: str) -> float | None:
        return figures.value(tw.world.community, key, [NOV])

    assert v("training.sessions") == 2  # the cancelled one not counted
    assert v("training.attendances") == 2
    assert v("training.study_hours") == 5
    # norms: two secretaries and a committee member 56 h, two members 32 h, over 365 days
    due = (56 * 3 + 32 * 2) / 365 * 10
    assert v("training.norm_due") == pytest.approx(due, abs=0.01)
    assert v("training.norm_share") == pytest.approx(5 / due, abs=0.001)
