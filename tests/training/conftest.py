"""A small world of party organisations: the community party committee and the vocational
school's branch, their secretaries and members, and a clock frozen on a Monday morning."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
import time_machine

from wulian.accounts.models import User
from wulian.training import services
from wulian.training.models import PartyMembership, Session

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
#: Monday 2 November 2026, 09:00 in Wuhan
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime.datetime:
    """A time in 2026, Wuhan time (November unless said)."""
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


class TrainingWorld:
    """The shared world plus party memberships:

    - 社区党委 (world.party_committee): secretary 书记甲, committee member 委员丙, and the
      resident of compound 42 (world["resident"]) as a member;
    - the school's branch (world.unit): its administrator (world["unit_admin"]) is the branch
      secretary, 党员乙 a member; the unit's contact (world["unit_contact"]) is no party member.
    """

    def __init__(self, world: Any) -> None:
        self.world = world
        self.staff = world["community_staff"]
        self.committee = world.party_committee
        self.school = world.unit
        self.committee_secretary = self.person("13700000001", "书记甲")
        self.committee_member = self.person("13700000003", "委员丙")
        self.school_secretary = world["unit_admin"]
        self.school_member = self.person("13700000002", "党员乙")
        self.resident = world["resident"]
        self.secretary_record = self.enrol(self.committee, self.committee_secretary, "secretary")
        self.committee_record = self.enrol(self.committee, self.committee_member, "committee")
        self.resident_record = self.enrol(self.committee, self.resident)
        self.school_secretary_record = self.enrol(self.school, self.school_secretary, "secretary")
        self.school_record = self.enrol(self.school, self.school_member)

    def person(self, mobile: str, name: str, **extra: Any) -> User:
        return User.objects.create_user(mobile, "secret-pass-1", real_name=name, **extra)

    def enrol(self, org: Any, person: User, role: str = "member") -> PartyMembership:
        return services.enrol_member(
            self.staff, org, person, role, joined_on=datetime.date(2010, 7, 1)
        )

    def session(self, **overrides: Any) -> Session:
        """A joint visit of both organisations, 09:00–11:30 on Monday (the actual time: 2.5 h)."""
        fields: dict[str, Any] = {
            "title": "参观二七纪念馆",
            "kind": Session.Kind.VISIT,
            "starts_at": at(2, 9),
            "ends_at": at(2, 11, 30),
            "organisers": [self.committee, self.school],
            "place": "武汉二七纪念馆",
            "topics": "工人运动史、二七精神",
        }
        fields.update(overrides)
        actor = fields.pop("actor", self.staff)
        return services.create_session(actor, self.world.community, services.SessionInput(**fields))


@pytest.fixture
def tw(world, clock) -> TrainingWorld:
    return TrainingWorld(world)
