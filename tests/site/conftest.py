from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from wulian.events.models import ReleaseEvent
from wulian.lists import services as lists
from wulian.lists.models import Invitation, Need, Project
from wulian.whistle import services as whistle


class Make:
    """Builds the data the home pages show, through the services where it matters."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.n = 0

    def need(self, published: bool = True, raiser: str = "resident", **extra: Any) -> Need:
        self.n += 1
        need = lists.raise_need(
            self.world[raiser],
            self.world.community,
            lists.NeedInput(
                **{"title": f"需求{self.n}：楼道灯不亮", "compound": self.world.compound, **extra}
            ),
        )
        return lists.publish_need(self.world["community_staff"], need) if published else need

    def claimed(self, need: Need | None = None) -> Project:
        need = need or self.need()
        claim = lists.claim_need(self.world["unit_admin"], need, organization=self.world.unit)
        return claim.project

    def finished(self) -> Project:
        project = self.claimed()
        Project.objects.filter(pk=project.pk).update(
            state=Project.State.COMPLETED, completed_at=timezone.now(), people_served=12
        )
        Need.objects.filter(pk=project.need_id).update(state=Need.State.DONE)
        return project

    def invitation(self) -> Need:
        need = self.need()
        Invitation.objects.create(need=need, organization=self.world.unit)
        return need

    def whistle(self, late: bool = False, units: Any = None) -> Any:
        self.n += 1
        now = timezone.now()
        hours = 5
        created = whistle.blow_whistle(
            self.world["community_staff"],
            self.world.community,
            whistle.WhistleInput(
                type="everyday",
                title=f"吹哨{self.n}：井盖缺失",
                units=units or [self.world.unit],
                report_by=now + datetime.timedelta(hours=hours),
                resolve_by=now + datetime.timedelta(hours=hours + 24),
            ),
        )
        if late:
            created.calls.update(report_by=now - datetime.timedelta(hours=2), escalated_at=now)
        return created

    def event(self) -> ReleaseEvent:
        event = ReleaseEvent.objects.create(
            title="2027年春季机会清单发布会",
            starts_at=timezone.now() + datetime.timedelta(days=7),
            place="一商校礼堂",
            state=ReleaseEvent.State.UPCOMING,
        )
        event.communities.add(self.world.community)
        return event


@pytest.fixture
def make(world: Any) -> Make:
    return Make(world)
