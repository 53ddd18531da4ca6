"""Twenty phones of one member check in to one session at the same moment: one attendance.

On PostgreSQL the unique constraint also refuses a second attendance written past the
service."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from wulian.training import services
from wulian.training.models import Attendance


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_check_ins_of_one_member_make_one_attendance(tw):
    session = tw.session()
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n):
        try:
            barrier.wait()
            result = services.check_in(tw.resident, session, session.token, f"nonce-{n}")
            outcome = "new" if result.created else "again"
        except Exception as exc:  # anything else fails the test
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["again"] * 19 + ["new"], outcomes
    assert Attendance.objects.filter(session=session, person=tw.resident).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_attendance_written_past_the_service(tw):
    session = tw.session()
    first = services.check_in(tw.resident, session, session.token, "n").attendance
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            session=session,
            person=tw.resident,
            organization=first.organization,
            state="present",
            method="confirmed",
            rule="actual",
            year=2026,
        )
