from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from wulian.accounts.models import User
from wulian.council import services
from wulian.council.models import Meeting


class CouncilWorld:
    def __init__(self, world: Any) -> None:
        self.world = world
        staff = world["community_staff"]
        self.staff = staff
        self.council = services.create_council(
            staff, world.community, "42号小区红色议事厅", compound=world.compound
        )
        self.chair = self.person("13910000001", "厅长张")
        self.secretary = self.person("13910000002", "书记员李")
        self.adviser = self.person("13910000003", "顾问王")
        self.representative = self.person("13910000004", "代表赵")
        for user, role in (
            (self.chair, "chair"),
            (self.secretary, "secretary"),
            (self.adviser, "adviser"),
            (self.representative, "representative"),
        ):
            services.appoint_member(
                staff,
                self.council,
                user,
                role,
                starts_on=datetime.date(2026, 1, 1),
                represents="3栋" if role == "representative" else "",
            )
        self.households = []
        self.voters: list[User] = []
        for n in range(1, 5):
            rep = self.person(f"1392000000{n}", f"户代表{n}")
            self.voters.append(rep)
            self.households.append(
                services.add_household(
                    staff,
                    world.compound,
                    building="3",
                    unit="1",
                    room=f"10{n}",
                    floor_area="80" if n < 4 else "120",
                    representative=rep,
                )
            )

    def person(self, mobile: str, name: str) -> User:
        return User.objects.create_user(
            mobile,
            "secret-pass-1",
            real_name=name,
            community=self.world.community,
            compound=self.world.compound,
        )

    def meeting(self, rule: str = "residents_households", **extra: Any) -> Meeting:
        planned: dict[str, Any] = {
            "title": "红色议事会",
            "starts_at": timezone.now() + datetime.timedelta(days=5),
            "place": "中心广场",
            "rule": rule,
        }
        return services.schedule_meeting(
            self.chair, self.council, services.MeetingInput(**{**planned, **extra})
        )

    def open_meeting(self, rule: str = "residents_households", **extra: Any) -> Meeting:
        """A meeting about to start (a meeting opens at most an hour before its time)."""
        soon = {"starts_at": timezone.now() + datetime.timedelta(minutes=20), "notice_days": 0}
        meeting = self.meeting(rule, **{**soon, **extra})
        services.publish_notice(self.chair, meeting)
        return services.open_meeting(self.chair, meeting)

    def check_in(self, meeting: Meeting, user: User) -> Any:
        return services.check_in(
            user, meeting, nonce=f"n-{user.pk}", token=meeting.checkin_token
        ).checkin


@pytest.fixture
def cw(world: Any) -> CouncilWorld:
    return CouncilWorld(world)
