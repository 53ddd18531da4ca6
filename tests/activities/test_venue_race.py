"""Twenty units race for overlapping times of one venue: exactly one booking is made.

On PostgreSQL the exclusion constraint decides even without the service's check (the second
test writes rows directly); on SQLite the write transactions are serialised."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from tests.activities.conftest import at
from wulian.activities import services
from wulian.activities.models import Booking
from wulian.core.errors import Conflict


def _units(world, count):
    from wulian.accounts.models import User
    from wulian.orgs.models import Membership, Organization

    people = []
    for i in range(count):
        org = Organization.objects.create(
            name=f"企业{i}", kind="enterprise", region=world.community
        )
        user = User.objects.create_user(f"1360000{i:04d}", "pw-123456789", real_name=f"联络人{i}")
        Membership.objects.create(organization=org, user=user, role="admin")
        people.append((org, user))
    return people


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_asking_overlapping_times_make_exactly_one_booking(world, venue):
    units = _units(world, 20)
    barrier = threading.Barrier(len(units))
    outcomes: list[str] = []
    lock = threading.Lock()
    base = at(3, 9) + datetime.timedelta(days=7 * 52)  # a Tuesday a year ahead

    def attempt(n, org, user):
        start = base + datetime.timedelta(minutes=5 * n)  # every range covers 10:40–11:00
        try:
            barrier.wait()
            services.book_venue(
                user,
                venue,
                services.BookingInput(start, base + datetime.timedelta(hours=2), "会议", 10, org),
            )
            result = "ok"
        except Conflict as exc:
            result = exc.code
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=attempt, args=(n, org, user)) for n, (org, user) in enumerate(units)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) == {"ok", "booking.conflict"}, outcomes
    assert Booking.objects.filter(state__in=["pending", "approved"]).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's exclusion constraint")
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_overlap_written_past_the_service(world, venue):
    first = Booking.objects.create(
        venue=venue,
        starts_at=at(3, 9),
        ends_at=at(3, 11),
        purpose="a",
        attendance=1,
        booked_by=world["community_staff"],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            venue=venue,
            starts_at=at(3, 10),
            ends_at=at(3, 12),
            purpose="b",
            attendance=1,
            booked_by=world["community_staff"],
        )
    # touching, cancelled, or at another venue: allowed
    Booking.objects.create(
        venue=venue,
        starts_at=at(3, 11),
        ends_at=at(3, 12),
        purpose="c",
        attendance=1,
        booked_by=world["community_staff"],
    )
    Booking.objects.create(
        venue=venue,
        starts_at=at(3, 9),
        ends_at=at(3, 10),
        purpose="d",
        attendance=1,
        booked_by=world["community_staff"],
        state="declined",
    )
    Booking.objects.filter(pk=first.pk).update(state="cancelled")
    Booking.objects.create(
        venue=venue,
        starts_at=at(3, 9),
        ends_at=at(3, 11),
        purpose="e",
        attendance=1,
        booked_by=world["community_staff"],
    )
    assert Booking.objects.filter(state="pending").count() == 2
