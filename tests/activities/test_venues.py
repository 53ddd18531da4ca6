"""Venue bookings: rules per role, opening hours and closed dates, approval, weekly repetition,
and the rule that two active bookings of one venue never overlap."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.activities.conftest import at
from tests.conftest import fresh
from wulian.activities import services
from wulian.activities.models import Booking, ClosedDate, Venue
from wulian.audit.models import AuditEntry
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.notifications.models import Notification


def data(start, end, purpose="党建活动", attendance=20, organization=None):
    return services.BookingInput(start, end, purpose, attendance, organization)


def book(world, venue, start, end, who="community_staff", **extra):
    return services.book_venue(fresh(world[who]), venue, data(start, end, **extra))


@pytest.fixture
def enterprise(world):
    """A second unit of the community whose contact books the school's rooms."""
    from wulian.accounts.models import User
    from wulian.orgs.models import Membership, Organization

    org = Organization.objects.create(
        name="江汉北物业", kind=Organization.Kind.ENTERPRISE, region=world.community
    )
    contact = User.objects.create_user("13900000007", "secret-pass-1", real_name="物业庚")
    Membership.objects.create(organization=org, user=contact, role=Membership.Role.ADMIN)
    world.people["enterprise_contact"] = contact
    return org


def test_it_approves_at_once_what_the_owner_books_and_asks_the_owner_otherwise(
    world, venue, enterprise, clock
):
    own = book(world, venue, at(3, 9), at(3, 11), who="unit_contact")
    assert own.state == Booking.State.APPROVED
    other = book(
        world, venue, at(3, 14), at(3, 16), who="enterprise_contact", organization=enterprise
    )
    assert other.state == Booking.State.PENDING
    assert Notification.objects.filter(recipient=world["unit_admin"], kind="venue.pending").exists()
    services.approve_booking(fresh(world["unit_admin"]), other)
    other.refresh_from_db()
    assert other.state == Booking.State.APPROVED and other.decided_by == world["unit_admin"]
    assert Notification.objects.filter(
        recipient=world["enterprise_contact"], kind="venue.approved"
    ).exists()
    assert AuditEntry.objects.filter(action="venue.approved").count() == 1


def test_a_decline_needs_a_reason_and_tells_the_booker(world, venue, enterprise, clock):
    pending = book(world, venue, at(3, 14), at(3, 16), who="enterprise_contact")
    with pytest.raises(DomainError) as refused:
        services.decline_booking(fresh(world["unit_admin"]), pending, " ")
    assert refused.value.code == "booking.no_reason"
    services.decline_booking(fresh(world["unit_admin"]), pending, "当天学校考试")
    pending.refresh_from_db()
    assert pending.state == Booking.State.DECLINED and pending.reason == "当天学校考试"
    note = Notification.objects.get(recipient=world["enterprise_contact"], kind="venue.declined")
    assert note.body == "当天学校考试"
    # the time is free again
    assert book(world, venue, at(3, 14), at(3, 16)).state == Booking.State.APPROVED


@pytest.mark.parametrize(
    ("who", "bookers", "allowed"),
    [
        ("unit_contact", "owner", True),
        ("community_staff", "owner", True),
        ("enterprise_contact", "owner", False),
        ("enterprise_contact", "units", True),
        ("resident", "units", False),
        ("resident", "everyone", True),
        ("outsider", "everyone", False),
        ("subdistrict_staff", "units", True),
    ],
)
def test_who_may_book_is_the_venues_choice(world, venue, enterprise, clock, who, bookers, allowed):
    Venue.objects.filter(pk=venue.pk).update(bookers=bookers)
    venue.refresh_from_db()
    if allowed:
        assert book(world, venue, at(3, 9), at(3, 10), who=who).pk
    else:
        with pytest.raises(NotAllowed):
            book(world, venue, at(3, 9), at(3, 10), who=who)
        assert not Booking.objects.exists()


def test_only_the_owner_or_staff_decide_and_the_booker_or_owner_cancel(
    world, venue, enterprise, clock
):
    pending = book(world, venue, at(3, 14), at(3, 16), who="enterprise_contact")
    for who in ("enterprise_contact", "resident", "outsider"):
        with pytest.raises(NotAllowed):
            services.approve_booking(fresh(world[who]), pending)
    with pytest.raises(NotAllowed):
        services.cancel_booking(fresh(world["resident"]), pending)
    services.cancel_booking(fresh(world["enterprise_contact"]), pending)
    pending.refresh_from_db()
    assert pending.state == Booking.State.CANCELLED
    with pytest.raises(Conflict):
        services.approve_booking(fresh(world["unit_admin"]), pending)


@pytest.mark.parametrize(
    ("start", "end", "code", "words"),
    [
        (at(3, 11), at(3, 10), "booking.bad_time", "after the start"),
        (at(1, 9), at(1, 10), "booking.bad_time", "passed"),
        (at(3, 7), at(3, 9), "booking.bad_time", "08:00–21:00"),
        (at(3, 20), at(3, 22), "booking.bad_time", "08:00–21:00"),
        (at(8, 9), at(8, 10), "booking.bad_time", "not open"),  # a Sunday
        (at(5, 9), at(5, 10), "booking.bad_time", "closed on 2026-11-05"),
    ],
)
def test_wrong_times_are_refused_with_the_reason_and_nothing_is_written(
    world, venue, clock, start, end, code, words
):
    ClosedDate.objects.create(venue=venue, date=datetime.date(2026, 11, 5), reason="消防检查")
    with translation.override("en"), pytest.raises(DomainError) as refused:
        book(world, venue, start, end)
    assert refused.value.code == code
    assert words in str(refused.value.message)
    assert not Booking.objects.exists()


def test_over_capacity_is_refused(world, venue, clock):
    with pytest.raises(DomainError) as refused:
        book(world, venue, at(3, 9), at(3, 10), attendance=31)
    assert refused.value.code == "booking.over_capacity"
    assert "30" in str(refused.value.message)


def test_an_overlap_is_refused_naming_the_booked_time_but_touching_ends_are_fine(
    world, venue, clock
):
    book(world, venue, at(3, 9), at(3, 11))
    with pytest.raises(Conflict) as refused:
        book(world, venue, at(3, 10), at(3, 12), who="unit_contact")
    assert refused.value.code == "booking.conflict"
    assert "2026-11-03 09:00" in str(refused.value.message)
    assert book(world, venue, at(3, 11), at(3, 12)).state == Booking.State.APPROVED
    assert Booking.objects.count() == 2


def test_a_weekly_repetition_lists_every_conflicting_date_and_books_the_rest_on_request(
    world, venue, clock
):
    ClosedDate.objects.create(venue=venue, date=datetime.date(2026, 11, 17), reason="消防检查")
    book(world, venue, at(24, 15), at(24, 16))
    wanted = data(at(3, 14), at(3, 16), purpose="每周书法课")
    plan = services.plan_weekly(venue, wanted, 6)
    assert [p.ok for p in plan] == [True, True, False, False, True, True]
    assert "消防检查" in plan[2].problem and "15:00" in plan[3].problem
    with pytest.raises(Conflict) as refused:
        services.book_weekly(fresh(world["community_staff"]), venue, wanted, 6)
    assert "2026-11-17" in str(refused.value.message)
    assert "2026-11-24" in str(refused.value.message)
    assert Booking.objects.count() == 1  # nothing written
    booked, skipped = services.book_weekly(
        fresh(world["community_staff"]), venue, wanted, 6, skip_conflicts=True
    )
    assert [b.starts_at.date() for b in booked] == [
        datetime.date(2026, 11, 3),
        datetime.date(2026, 11, 10),
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 8),
    ]
    assert len(skipped) == 2 and len({b.series for b in booked}) == 1


# ------------------------------------------------------------------ the range logic

minutes = st.integers(min_value=0, max_value=24 * 60)


@given(minutes, minutes, minutes, minutes)
def test_overlap_is_exactly_sharing_a_minute(a, b, c, d):
    """Against a brute-force model: two half-open ranges overlap when some minute is in both."""
    base = datetime.datetime(2026, 11, 3, tzinfo=datetime.UTC)
    a, b = sorted((a, b))
    c, d = sorted((c, d))
    if a == b or c == d:
        return
    shared = set(range(a, b)) & set(range(c, d))
    m = datetime.timedelta(minutes=1)
    assert services.overlaps(base + a * m, base + b * m, base + c * m, base + d * m) == bool(shared)


ranges = st.lists(
    st.tuples(st.integers(min_value=8 * 4, max_value=20 * 4), st.integers(1, 12)),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(requests=ranges)
def test_whatever_is_asked_the_active_bookings_never_overlap(world, venue, requests):
    """Random quarter-hour requests, one after another: each is booked exactly when it
    overlaps none already booked."""
    Booking.objects.all().delete()
    staff = fresh(world["community_staff"])
    quarter = datetime.timedelta(minutes=15)
    day = datetime.datetime(2030, 6, 4, tzinfo=datetime.UTC).astimezone(at(3, 0).tzinfo)
    day = day.replace(hour=0)
    accepted: list[tuple[datetime.datetime, datetime.datetime]] = []
    for first, length in requests:
        start = day + first * quarter
        end = min(start + length * quarter, day.replace(hour=21))
        if end <= start:
            continue
        expected = not any(services.overlaps(start, end, s, e) for s, e in accepted)
        try:
            services.book_venue(staff, venue, data(start, end))
        except Conflict:
            assert not expected
        else:
            assert expected
            accepted.append((start, end))
    active = list(Booking.objects.filter(state__in=["pending", "approved"]))
    for i, one in enumerate(active):
        for other in active[i + 1 :]:
            assert not services.overlaps(one.starts_at, one.ends_at, other.starts_at, other.ends_at)
