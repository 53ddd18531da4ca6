from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import TestCase

from tests.conftest import fresh
from wulian.accounts.models import User
from wulian.activities import services as activities
from wulian.activities.models import Activity
from wulian.orgs.models import Membership, Organization
from wulian.volunteering import services

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


class Ledger:
    """The world, a volunteer team with two organisers, and volunteers of compound 42."""

    def __init__(self, world: Any, clock: Any) -> None:
        self.world = world
        self.clock = clock
        self.staff = fresh(world["community_staff"])
        self.team = Organization.objects.create(
            name="江汉北路志愿服务队", kind=Organization.Kind.VOLUNTEER_TEAM, region=world.community
        )
        self.captain = self.person("13950000001", "张阿姨")
        self.second = self.person("13950000002", "李叔叔")
        Membership.objects.create(
            organization=self.team, user=self.captain, role=Membership.Role.ADMIN
        )
        Membership.objects.create(organization=self.team, user=self.second)
        self.volunteer = fresh(world["resident"])
        self.nonce = 0

    def person(self, mobile: str, name: str) -> User:
        return User.objects.create_user(
            mobile,
            "secret-pass-1",
            real_name=name,
            community=self.world.community,
            compound=self.world.compound,
        )

    def activity(
        self, starts: datetime.datetime, hours: int = 2, title: str = "清洁家园"
    ) -> Activity:
        self.clock.move_to(starts - datetime.timedelta(days=3))
        return activities.create_activity(
            fresh(self.captain),
            self.world.community,
            activities.ActivityInput(
                title=title,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=hours),
                capacity=10,
                hosts=[self.team],
                place="42号小区广场",
                volunteers_wanted=10,
                volunteer_tasks="清扫",
            ),
        )

    def serve(self, person: User, activity: Activity, minutes: int, *, late: int = 0) -> None:
        """Sign up as a volunteer, check in and out `minutes` later, signals delivered."""
        self.clock.move_to(activity.starts_at - datetime.timedelta(days=1))
        activities.sign_up(fresh(person), activity, role="volunteer", task="清扫")
        self.clock.move_to(activity.starts_at + datetime.timedelta(minutes=late))
        self.nonce += 1
        activities.self_check_in(fresh(person), activity, activity.token, f"in-{self.nonce}")
        self.clock.move_to(activity.starts_at + datetime.timedelta(minutes=late + minutes))
        with TestCase.captureOnCommitCallbacks(execute=True):
            activities.self_check_in(
                fresh(person), activity, activity.token, f"out-{self.nonce}", kind="out"
            )

    def manual(self, person: User, day: datetime.date, hours: str, service: str = "上门探访"):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return services.enter_hours(
                fresh(self.captain),
                self.team,
                services.ManualInput(
                    person=person,
                    service=service,
                    date=day,
                    starts=datetime.time(9),
                    ends=datetime.time(18),
                    hours=Decimal(hours),
                ),
            )


@pytest.fixture
def ledger(world, clock):
    return Ledger(world, clock)


from tests.lists.conftest import haircut, need, sign_both  # noqa: E402, F401


@pytest.fixture
def project(world, need, clock):  # noqa: F811  (the imported fixture)
    from wulian.lists import services as lists

    made = lists.claim_need(world["unit_admin"], need, organization=world.unit).project
    sign_both(world, made)
    return made
