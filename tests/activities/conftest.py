from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from wulian.activities.models import OpeningHours, Venue

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
#: Monday 2 November 2026, 09:00 in Wuhan
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
H = datetime.timedelta(hours=1)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A time in November 2026, Wuhan time."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def venue(world):
    """The vocational school's training salon: 30 places, open 08:00–21:00 Monday to
    Saturday, bookings approved by the school."""
    salon = Venue.objects.create(
        owner=world.unit,
        community=world.community,
        name="实训美发室",
        capacity=30,
        facilities="理发椅, 投影仪",
        needs_approval=True,
    )
    for weekday in range(1, 7):
        OpeningHours.objects.create(
            venue=salon, weekday=weekday, opens=datetime.time(8), closes=datetime.time(21)
        )
    return salon
