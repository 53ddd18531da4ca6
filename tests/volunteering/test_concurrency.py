"""Real threads, each with its own database connection: one check-out recorded by two
deliveries at once, one record corrected twice at once, one entry confirmed twice at once."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection

from tests.conftest import fresh
from tests.volunteering.conftest import Ledger, at
from wulian.activities import services as activities
from wulian.core.errors import Conflict
from wulian.volunteering import services
from wulian.volunteering.models import CorrectionRequest, VolunteerRecord

pytestmark = pytest.mark.django_db(transaction=True)


def race(count: int, work: Callable[[int], Any]) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait()
            work(n)
            result = "ok"
        except Conflict as exc:
            result = exc.code
        except Exception as exc:  # anything else is a failure of the test
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def served(world):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    with time_machine.travel(at(3, 1, 8), tick=False) as clock:
        ledger = Ledger(world, clock)
        activity = ledger.activity(at(3, 7, 9))
        activities.volunteer_hours_recorded.disconnect(dispatch_uid="volunteering.ledger")
        try:
            ledger.serve(ledger.volunteer, activity, 90)
        finally:
            from wulian.volunteering.apps import _record_check_outs

            activities.volunteer_hours_recorded.connect(
                _record_check_outs, dispatch_uid="volunteering.ledger"
            )
        clock.move_to(at(3, 8, 8))
        yield ledger, activity


def test_two_deliveries_of_one_check_out_write_one_record(served):
    _ledger, activity = served
    items = activities.activity_volunteer_hours(activity)
    outcomes = race(8, lambda n: services.record_activity_hours(items))
    assert outcomes == ["ok"] * 8
    assert VolunteerRecord.objects.count() == 1


def test_one_record_asked_to_be_corrected_twice_at_once_gets_one_request(served):
    ledger, _activity = served
    services.sweep_activity_hours()
    record = VolunteerRecord.objects.get()
    outcomes = race(
        6, lambda n: services.ask_correction(fresh(ledger.volunteer), record, f"第{n}次")
    )
    assert sorted(outcomes) == ["correction.open"] * 5 + ["ok"], outcomes
    assert CorrectionRequest.objects.count() == 1


def test_a_manual_entry_confirmed_twice_at_once_is_confirmed_once(served):
    ledger, _activity = served
    record = ledger.manual(ledger.volunteer, datetime.date(2026, 3, 7), "2")
    people = [ledger.second, ledger.world["community_staff"], ledger.world["subdistrict_staff"]]
    outcomes = race(3, lambda n: services.confirm_hours(fresh(people[n]), record))
    assert sorted(outcomes) == ["ok", "record.bad_state", "record.bad_state"], outcomes
    record.refresh_from_db()
    assert record.state == "confirmed"
