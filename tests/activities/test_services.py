"""Convenience services: slots from the rule and its exceptions, booking per role, one active
booking per person, on behalf of elderly residents, reminders, day sheet, no-shows."""

from __future__ import annotations

import datetime

import pytest

from tests.activities.conftest import H, at
from tests.conftest import fresh
from wulian.accounts.models import User
from wulian.activities import services
from wulian.activities.models import Helper, ServiceBooking
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.lists.models import Resource
from wulian.notifications.models import Notification


@pytest.fixture
def haircuts(world, venue):
    """The school's haircuts: Wednesdays 14:00–17:00 in the training salon, 20 minutes, 3 chairs."""
    return services.create_service(
        fresh(world["unit_contact"]),
        world.unit,
        world.community,
        services.ServiceInput(
            title="义务理发",
            weekday=3,
            starts=datetime.time(14),
            ends=datetime.time(17),
            slot_minutes=20,
            seats=3,
            venue=venue,
            days_off=[datetime.date(2026, 11, 11)],
        ),
    )


def test_slots_come_from_the_rule_and_skip_the_days_off(world, haircuts, clock):
    slots = services.slots_on(haircuts, datetime.date(2026, 11, 4))
    assert len(slots) == 9 and slots[0].starts_at == at(4, 14) and slots[-1].ends_at == at(4, 17)
    assert all(s.seats == 3 and s.free == 3 for s in slots)
    assert services.slots_on(haircuts, datetime.date(2026, 11, 5)) == []  # a Thursday
    assert services.slots_on(haircuts, datetime.date(2026, 11, 11)) == []  # a day off
    first = services.next_free_slot(haircuts)
    assert first is not None and first.starts_at == at(4, 14)


def test_the_first_saturday_of_the_month(world, clock):
    eye_tests = services.create_service(
        fresh(world["community_staff"]),
        world.unit,
        world.community,
        services.ServiceInput("视力检查", 6, datetime.time(9), datetime.time(11), 30, nth=1),
    )
    days = [
        datetime.date(2026, 11, 1) + datetime.timedelta(days=n)
        for n in range(60)
        if services.slots_on(eye_tests, datetime.date(2026, 11, 1) + datetime.timedelta(days=n))
    ]
    assert days == [datetime.date(2026, 11, 7), datetime.date(2026, 12, 5)]


def test_a_resident_books_one_chair_and_the_fourth_finds_the_slot_full(world, haircuts, clock):
    people = [
        User.objects.create_user(f"1380000{i:04d}", "pw-123456789", real_name=f"居民{i}")
        for i in range(4)
    ]
    seats = [services.book_slot(p, haircuts, at(4, 14)).seat for p in people[:3]]
    assert seats == [1, 2, 3]
    with pytest.raises(Conflict) as full:
        services.book_slot(people[3], haircuts, at(4, 14))
    assert full.value.code == "slot.full"
    with pytest.raises(Conflict) as twice:
        services.book_slot(people[0], haircuts, at(4, 15))
    assert twice.value.code == "slot.already"
    services.cancel_slot(people[0], ServiceBooking.objects.get(person=people[0]))
    assert services.book_slot(people[3], haircuts, at(4, 14)).seat == 1


@pytest.mark.parametrize(
    ("start", "code"),
    [(at(4, 14, 10), "slot.no_slot"), (at(5, 14), "slot.no_slot"), (at(1, 14), "slot.past")],
)
def test_a_time_that_is_no_slot_is_refused(world, haircuts, clock, start, code):
    with pytest.raises(DomainError) as refused:
        services.book_slot(fresh(world["resident"]), haircuts, start)
    assert refused.value.code == code
    assert not ServiceBooking.objects.exists()


def test_booking_on_behalf_needs_staff_the_provider_or_a_recorded_family_member(
    world, haircuts, clock
):
    elder = User.objects.create_user("13800009999", "pw-123456789", real_name="张阿姨")
    son = fresh(world["resident"])
    with pytest.raises(NotAllowed):
        services.book_slot(son, haircuts, at(4, 14), person=elder)
    with pytest.raises(NotAllowed):
        services.book_slot(fresh(world["outsider"]), haircuts, at(4, 14), person=elder)
    Helper.objects.create(resident=elder, helper=son, relation="儿子")
    booking = services.book_slot(son, haircuts, at(4, 14), person=elder)
    assert booking.person == elder and booking.booked_by == son
    services.cancel_slot(son, booking)
    staff_booking = services.book_slot(
        fresh(world["community_staff"]), haircuts, at(4, 14), person=elder
    )
    assert staff_booking.booked_by == world["community_staff"]


def test_a_reminder_the_day_before_once_and_the_provider_checks_in_from_the_day_sheet(
    world, haircuts, clock
):
    resident = fresh(world["resident"])
    booking = services.book_slot(resident, haircuts, at(4, 14, 20))
    clock.move_to(at(3, 10))
    assert services.sweep_services()["reminded"] == 1
    assert services.sweep_services()["reminded"] == 0
    assert Notification.objects.filter(recipient=resident, kind="service.reminder").count() == 1
    with pytest.raises(Conflict):
        services.check_in_slot(fresh(world["unit_contact"]), booking)
    clock.move_to(at(4, 14, 15))
    sheet = services.day_sheet(haircuts, datetime.date(2026, 11, 4))
    assert [len(b) for _s, b in sheet][:2] == [0, 1]
    with pytest.raises(NotAllowed):
        services.check_in_slot(resident, booking)
    services.check_in_slot(fresh(world["unit_contact"]), booking)
    services.check_in_slot(fresh(world["unit_contact"]), booking)  # twice: nothing changes
    booking.refresh_from_db()
    assert booking.state == ServiceBooking.State.ATTENDED


def test_three_no_shows_in_90_days_and_a_resident_may_only_book_on_the_day(world, haircuts, clock):
    resident = fresh(world["resident"])
    for week in range(3):
        day = at(4, 14) + datetime.timedelta(weeks=week * 2)  # skips the day off
        clock.move_to(day - 2 * H)
        services.book_slot(resident, haircuts, day)
        clock.move_to(day + 3 * H)
        assert services.sweep_services()["no_show"] == 1
    assert ServiceBooking.objects.filter(state="no_show").count() == 3
    clock.move_to(at(30, 9))  # Monday 30 November
    with pytest.raises(Conflict) as refused:
        services.book_slot(
            resident, haircuts, datetime.datetime(2026, 12, 2, 14, tzinfo=at(1, 0).tzinfo)
        )
    assert refused.value.code == "slot.same_day_only"
    clock.move_to(datetime.datetime(2026, 12, 2, 9, tzinfo=at(1, 0).tzinfo))
    assert services.book_slot(
        resident, haircuts, datetime.datetime(2026, 12, 2, 14, tzinfo=at(1, 0).tzinfo)
    )


def test_a_listed_service_resource_becomes_a_bookable_service(world, clock):
    resource = Resource.objects.create(
        community=world.community,
        title="眼镜清洗",
        kind=Resource.Kind.SERVICE,
        provider_kind="school",
        provider_org=world.unit,
        weekdays="3",
        hours_from=datetime.time(14),
        hours_to=datetime.time(16),
        capacity_number=2,
    )
    service = services.service_from_resource(fresh(world["unit_contact"]), resource)
    assert service.resource == resource and service.seats == 2 and service.weekday == 3
    with pytest.raises(NotAllowed):
        services.service_from_resource(
            fresh(world["outsider"]),
            Resource.objects.create(
                community=world.community,
                title="x",
                kind="service",
                provider_kind="school",
                provider_org=world.unit,
                weekdays="1",
                hours_from=datetime.time(9),
                hours_to=datetime.time(10),
            ),
        )
