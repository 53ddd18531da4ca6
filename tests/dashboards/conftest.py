"""A small world lived through the services over two months, with figures counted by hand.

October 2026 (Wuhan time):
- 2 Oct: staff put the school's partnership (since 2021) in force.
- 5 Oct: the resident raises need A (in compound 42, where they live, as all their needs),
  staff publish it; 6 Oct the school claims it.
- 8 Oct: staff enter need B the resident raised by phone; it stays submitted.
- 12 Oct: staff blow a whistle calling the school; it signs for it at once and reports for duty
  30 minutes later (on time), handles it; staff confirm; the resident rates it 5.
November 2026:
- 3 Nov: both sign need A's agreement; 10 Nov the school completes the project (12 people
  served) and the resident rates it 4.
- 4 Nov: need C raised and published; 5 Nov the unit contact claims it for themselves.

By hand: needs raised Oct 2, Nov 1; claims Oct 1 (the school), Nov 1 (no
unit); needs done Nov 1; median days raised → claimed: A 1 day (Oct), C 1 day (Nov);
raised → done: A 36 days (5 Oct → 10 Nov); whistle: 1 call, answered, on time, resolved,
rated 5 (every rate 100 %), 30 minutes to report; projects completed Nov 1 for the school.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from tests.lists.conftest import signature_png

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
OCT = datetime.date(2026, 10, 1)
NOV = datetime.date(2026, 11, 1)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@dataclass
class Lived:
    steps: list[Any]


def live(world: Any, traveller: Any, after_each: Any = None) -> None:
    """Play the story above, calling `after_each()` after every step."""
    from wulian.lists import services as lists
    from wulian.lists.models import Category, Need
    from wulian.whistle import services as whistle

    resident, staff, admin = world["resident"], world["community_staff"], world["unit_admin"]
    parent, _ = Category.objects.get_or_create(name="便民服务", parent=None)
    haircut = Category.objects.get_or_create(name="理发", parent=parent)[0]
    state: dict[str, Any] = {}

    def step(when: datetime.datetime, action: Any) -> None:
        traveller.move_to(when)
        action()
        if after_each is not None:
            after_each()

    def raise_a() -> None:
        need = lists.raise_need(
            resident,
            world.community,
            lists.NeedInput(
                title="老人上门理发",
                description="行动不便",
                category=haircut,
                compound=world.compound,
            ),
        )
        state["a"] = lists.publish_need(staff, need)

    def raise_b() -> None:
        lists.raise_need(
            staff,
            world.community,
            lists.NeedInput(
                title="楼道灯坏了", description="三楼", category=haircut, channel=Need.Channel.PHONE
            ),
            on_behalf_of=resident,
        )

    def claim_a() -> None:
        state["claim_a"] = lists.claim_need(admin, state["a"], organization=world.unit)

    def blow() -> None:
        state["whistle"] = whistle.blow_whistle(
            staff,
            world.community,
            whistle.WhistleInput(
                type="everyday", title="井盖松动", units=[world.unit], raised_by=resident
            ),
        )
        state["call"] = state["whistle"].calls.get()
        whistle.sign_call(admin, state["call"])

    def arrive() -> None:
        whistle.arrive_call(admin, state["call"])
        whistle.handle_call(admin, state["call"], text="已修好")
        whistle.confirm_closure(staff, state["whistle"])
        whistle.rate_whistle(resident, state["whistle"], 5)

    def sign() -> None:
        project = state["claim_a"].project
        agreement = project.agreement
        lists.sign_agreement(
            resident, agreement, side="need", typed_name="居民甲", drawn_png=signature_png()
        )
        lists.sign_agreement(
            admin, agreement, side="claimant", typed_name="管理员丙", drawn_png=signature_png()
        )

    def complete() -> None:
        project = type(state["claim_a"].project).objects.get(pk=state["claim_a"].project.pk)
        lists.complete_project(admin, project, lists.Outcomes(summary="理了12位", people_served=12))
        lists.rate_project(resident, project, 4)

    def raise_c() -> None:
        need = lists.raise_need(
            resident,
            world.community,
            lists.NeedInput(title="代买药", description="", category=haircut),
        )
        state["c"] = lists.publish_need(staff, need)

    def claim_c() -> None:
        lists.claim_need(world["unit_contact"], state["c"])

    def activate() -> None:
        from wulian.orgs import services as orgs

        orgs.set_partnership_status(staff, world.partnership, "active")

    step(at(10, 2), activate)
    step(at(10, 5), raise_a)
    step(at(10, 6), claim_a)
    step(at(10, 8), raise_b)
    step(at(10, 12, 9), blow)
    step(at(10, 12, 9, 30), arrive)
    step(at(11, 3), sign)
    step(at(11, 4), raise_c)
    step(at(11, 5), claim_c)
    step(at(11, 10), complete)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(at(10, 1), tick=False) as traveller:
        yield traveller


@pytest.fixture
def lived(world: Any, clock: Any) -> Any:
    live(world, clock)
    clock.move_to(at(11, 20))
    return world
