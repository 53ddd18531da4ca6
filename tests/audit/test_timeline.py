"""The history people read: names and roles, labels, choice names and local times."""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from tests.conftest import fresh
from wulian.audit.readable import readable_timeline
from wulian.lists import services as lists
from wulian.lists.models import Need

pytestmark = pytest.mark.django_db

# 10:00 in Wuhan is 02:00 UTC.
MORNING = datetime.datetime(2027, 2, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LATER = datetime.timedelta(days=3)  # read the same year: no year shown


@pytest.fixture
def history(world: Any) -> Need:
    with time_machine.travel(MORNING, tick=False):
        need = lists.raise_need(
            world["resident"],
            world.community,
            lists.NeedInput(title="楼道灯坏了", deadline=datetime.date(2027, 4, 1)),
        )
    with time_machine.travel(MORNING + datetime.timedelta(hours=2), tick=False):
        lists.publish_need(world["community_staff"], need)
    with time_machine.travel(MORNING + datetime.timedelta(days=1), tick=False):
        current = lists.NeedInput.from_need(need)
        lists.update_need(
            world["community_staff"],
            need,
            replace(current, deadline=None, urgency=Need.Urgency.URGENT),
        )
    return need


def _read(need: Need, viewer: Any, language: str) -> list[str]:
    with translation.override(language), time_machine.travel(MORNING + LATER, tick=False):
        return [
            " ".join([e.when, e.actor, e.label, *e.changes])
            for e in readable_timeline(need, fresh(viewer))
        ]


def test_it_tells_staff_who_did_what_when_in_chinese(world: Any, history: Need) -> None:
    lines = _read(history, world["community_staff"], "zh-hans")
    assert lines == [
        "2月10日 10:00 居民甲 提出了需求",
        "2月10日 12:00 社区工作者 社工丁 发布了需求",
        "2月11日 10:00 社区工作者 社工丁 修改了需求 截止日期 由 4月1日 改为 — "
        "紧急程度 由 一般 改为 紧急",
    ]


def test_it_tells_the_same_story_in_english(world: Any, history: Need) -> None:
    lines = _read(history, world["community_staff"], "en")
    assert lines[2] == (
        "February 11 10:00 Community staff 社工丁 edited the need "
        "Deadline changed from April 1 to — Urgency changed from Normal to Urgent"
    )


def test_it_shows_a_resident_only_the_moves_that_concern_them(world: Any, history: Need) -> None:
    lines = _read(history, world["resident"], "zh-hans")
    assert lines == [
        "2月10日 10:00 居民甲 提出了需求",
        "2月10日 12:00 社区工作者 社工丁 发布了需求",
    ]


def test_it_never_shows_field_names_ids_arrows_or_stored_values(world: Any, history: Need) -> None:
    request = RequestFactory().get("/")
    request.user = fresh(world["community_staff"])
    with translation.override("zh-hans"), time_machine.travel(MORNING + LATER, tick=False):
        html = Template("{% load audit %}{% audit_timeline need %}").render(
            Context({"need": history, "request": request})
        )
    assert "截止日期 由 4月1日 改为 —" in html
    for raw in ("deadline", "urgency", "→", "2027-04-01", "None", "T02:00", "+00:00"):
        assert raw not in html.replace('datetime="2027-02-1', ""), raw


def test_it_names_a_resource_s_new_service_area_and_hours(world: Any) -> None:
    resource = lists.create_resource(
        world["unit_admin"],
        world.community,
        lists.ResourceInput(title="上门理发", hours_from=datetime.time(9, 0)),
        provider_org=world.unit,
    )
    changed = replace(lists.ResourceInput.from_resource(resource), service_area=world.subdistrict)
    lists.update_resource(world["community_staff"], resource, changed)
    with translation.override("zh-hans"):
        last = readable_timeline(resource, fresh(world["community_staff"]))[-1]
    assert last.changes == ["服务范围 由 — 改为 西马街道"]
