"""Every form with a date or a time keeps it, in every language.

Opened with existing values and saved untouched, an edit form changes nothing; a date or a time
typed into a form that comes back with an error is still there, and is stored as the community's
local time. (With Chinese active, dates used to render as 2027/04/01, which browsers reject.)
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests.e2e.conftest import DESK
from wulian.events.models import ReleaseEvent
from wulian.lists import services as lists
from wulian.lists.models import Agreement, Need
from wulian.orgs.models import Partnership
from wulian.whistle.models import Whistle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEED_FIELDS = ["title", "description", "category_id", "compound_id", "beneficiaries"]
NEED_FIELDS += ["deadline", "urgency", "slots", "state"]
RESOURCE_FIELDS = ["title", "description", "kind", "capacity_text", "service_area_id"]
RESOURCE_FIELDS += ["availability", "weekdays", "hours_from", "hours_to"]
AGREEMENT_FIELDS = ["scope", "need_side_duties", "claimant_side_duties", "starts_on", "ends_on"]


def _values(obj: Any, names: list[str]) -> dict[str, Any]:
    obj.refresh_from_db()
    return {name: getattr(obj, name) for name in names}


def _page_as(browser: Any, base: str, user: Any, language: str) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    context.add_cookies(
        [
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base},
            {"name": "wulian_language", "value": language, "url": base},
        ]
    )
    return context.new_page()


def _submit(page: Any, form: str = "main form[method=post]") -> None:
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit]").last.click()


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_it_keeps_every_date_and_time_through_the_forms(
    live_server: Any, world: Any, browser: Any, language: str
) -> None:
    base = live_server.url
    staff = world["community_staff"]
    deadline = timezone.localdate() + datetime.timedelta(days=120)
    need = lists.raise_need(
        world["resident"],
        world.community,
        lists.NeedInput(
            title="42号小区老人上门理发",
            description="十几位老人下不了楼",
            tags=["理发", "助老"],
            compound=world.compound,
            beneficiaries=12,
            deadline=deadline,
            urgency=Need.Urgency.URGENT,
            slots=2,
        ),
    )
    resource = lists.create_resource(
        world["unit_contact"],
        world.community,
        lists.ResourceInput(
            title="美发专业师生上门理发",
            capacity_text="40 人次/月",
            service_area=world.community,
            weekdays="35",
            hours_from=datetime.time(9, 30),
            hours_to=datetime.time(11, 45),
            tags=["理发"],
        ),
        provider_org=world.unit,
    )
    page = _page_as(browser, base, staff, language)

    # The need's edit page, saved untouched.
    before = _values(need, NEED_FIELDS)
    page.goto(f"{base}/lists/needs/{need.pk}/edit/")
    assert page.locator("[name=deadline]").input_value() == deadline.isoformat()
    _submit(page)
    assert page.url == f"{base}/lists/needs/{need.pk}/"
    assert _values(need, NEED_FIELDS) == before
    assert sorted(need.tags.values_list("name", flat=True)) == ["助老", "理发"]

    # The resource's edit page, saved untouched.
    before = _values(resource, RESOURCE_FIELDS)
    page.goto(f"{base}/lists/resources/{resource.pk}/edit/")
    assert page.locator("[name=hours_from]").input_value() == "09:30"
    _submit(page)
    assert page.url == f"{base}/lists/resources/{resource.pk}/"
    assert _values(resource, RESOURCE_FIELDS) == before

    # The agreement's terms, adjusted before signing and saved untouched.
    lists.publish_need(staff, need)
    claim = lists.claim_need(world["unit_contact"], need, organization=world.unit)
    agreement = Agreement.objects.get(project=claim.project)
    before = _values(agreement, AGREEMENT_FIELDS)
    page.goto(f"{base}/lists/projects/{claim.project.pk}/")
    page.locator("details:has(form[action$='/agreement/']) summary").click()
    _submit(page, "form[action$='/agreement/']")
    assert page.url == f"{base}/lists/projects/{claim.project.pk}/"
    assert page.locator(".errors, .error").count() == 0
    assert _values(agreement, AGREEMENT_FIELDS) == before

    # A partnership starts today unless told otherwise.
    page.goto(f"{base}/orgs/communities/{world.community.pk}/partnerships/new/")
    page.locator("[name=partner]").select_option(str(world.other_unit.pk))
    page.locator("[name=content]").fill("共建便民服务点")
    _submit(page)
    partnership = Partnership.objects.get(partner=world.other_unit)
    assert partnership.started_on == timezone.localdate()

    # A whistle's deadlines, typed, kept through an error, stored as local time.
    page.goto(f"{base}/whistles/new/{world.community.pk}/")
    page.locator("[name=title]").fill("42号小区下水道堵塞")
    page.locator("[name=report_by]").fill("2027-04-01T14:30")
    page.locator("[name=resolve_by]").fill("2027-04-02T18:00")
    _submit(page)  # no unit ticked: the form comes back
    assert page.locator("[name=report_by]").input_value() == "2027-04-01T14:30"
    page.locator(f"[name=units][value='{world.unit.pk}']").check()
    _submit(page)
    whistle = Whistle.objects.get()
    assert whistle.report_by == datetime.datetime(2027, 4, 1, 14, 30, tzinfo=SHANGHAI)
    assert whistle.resolve_by == datetime.datetime(2027, 4, 2, 18, 0, tzinfo=SHANGHAI)

    # A release event's date and time.
    page.goto(f"{base}/events/new/")
    page.locator("[name=starts_at]").fill("2027-03-05T09:00")
    page.locator(f"[name=communities][value='{world.community.pk}']").check()
    _submit(page)  # no title: the form comes back
    assert page.locator("[name=starts_at]").input_value() == "2027-03-05T09:00"
    page.locator("[name=title]").fill("江汉北路社区机会清单发布会")
    _submit(page)
    event = ReleaseEvent.objects.get()
    assert event.starts_at == datetime.datetime(2027, 3, 5, 9, 0, tzinfo=SHANGHAI)
    page.context.close()
