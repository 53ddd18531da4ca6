from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.lists.conftest import haircut, signature_png  # noqa: F401  (fixtures)
from wulian.events import services
from wulian.events.models import ReleaseEvent
from wulian.lists import services as lists
from wulian.lists.models import Category, Need

WHEN = datetime.datetime(2026, 5, 20, 9, 30, tzinfo=datetime.UTC)


def published(world: Any, title: str, *, raiser: str = "resident", **extra: Any) -> Need:
    """A published need raised by a resident, the school, or the community."""
    data = lists.NeedInput(title=title, description=f"{title}：说明", **extra)
    if raiser == "resident":
        need = lists.raise_need(world["resident"], world.community, data)
    elif raiser == "unit":
        need = lists.raise_need(world["unit_admin"], world.community, data, for_org=world.unit)
    else:
        need = lists.raise_need(
            world["community_staff"], world.community, data, for_org=world.party_committee
        )
    return lists.publish_need(world["community_staff"], need)


@pytest.fixture
def needs(world: Any, haircut: Category) -> list[Need]:  # noqa: F811
    return [
        published(world, "老人上门理发", category=haircut),
        published(world, "楼道灯维修", raiser="unit"),
        published(world, "社区书屋志愿者", raiser="community", slots=2),
    ]


@pytest.fixture
def event(world: Any, needs: list[Need]) -> ReleaseEvent:
    """An announced event with three needs on its list."""
    created = services.create_event(
        world["community_staff"],
        title="江岸区首届机会清单发布会",
        starts_at=WHEN,
        place="江汉北路社区新时代文明实践站",
        communities=[world.community],
    )
    services.add_needs(world["community_staff"], created, needs)
    return services.announce_event(world["community_staff"], created)


@pytest.fixture
def live(world: Any, event: ReleaseEvent) -> ReleaseEvent:
    return services.open_event(world["community_staff"], event)


def now() -> datetime.datetime:
    return timezone.now()
