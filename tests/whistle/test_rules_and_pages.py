from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import fresh
from tests.rules import allowed_roles
from tests.whistle.conftest import START, blow
from wulian.notifications.models import Notification
from wulian.whistle.actions import CALL_ACTIONS
from wulian.whistle.models import Whistle, WhistleCall


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def whistle(world):
    with time_machine.travel(START, tick=False):
        return blow(world, [world.unit], raised_by=world["resident"])


def test_who_may_do_what(world, whistle):
    call = WhistleCall.objects.get()
    assert allowed_roles(world, "whistle.blow", world.community) == {
        "community_staff",
        "subdistrict_staff",
    }
    assert allowed_roles(world, "whistle.view_whistle", whistle) == {
        "community_staff",
        "subdistrict_staff",
        "unit_contact",
        "unit_admin",
        "resident",
    }
    assert allowed_roles(world, "whistle.manage_whistle", whistle) == {
        "community_staff",
        "subdistrict_staff",
    }
    assert allowed_roles(world, "whistle.answer_call", call) == {"unit_contact", "unit_admin"}
    assert allowed_roles(world, "whistle.rate_whistle", whistle) == {"resident"}
    assert allowed_roles(world, "whistle.view_scorecard", world.community) == {
        "community_staff",
        "subdistrict_staff",
    }


def test_outsiders_get_a_404(world, whistle):
    call = WhistleCall.objects.get()
    for path in (reverse("whistle:detail", args=[whistle.pk]),):
        assert _client(world["outsider"]).get(path).status_code == 404
    response = _client(world["outsider"]).post(
        reverse("whistle:call_action", args=[call.pk, "sign"])
    )
    assert response.status_code == 404
    assert (
        _client(world["outsider"])
        .get(reverse("whistle:create", args=[world.community.pk]))
        .status_code
        == 403
    )


def test_staff_blow_a_whistle_from_the_desk(world):
    client = _client(world["community_staff"])
    url = reverse("whistle:create", args=[world.community.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"type": "joint", "title": "清理楼道杂物", "units": [world.unit.pk]}
    )
    assert response.status_code == 302
    whistle = Whistle.objects.get()
    assert whistle.type == "joint" and whistle.calls.get().organization == world.unit
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["can_manage"]


def test_a_unit_answers_with_the_big_buttons_and_staff_close(world, whistle):
    unit = _client(world["unit_contact"])
    calls = unit.get(reverse("whistle:calls"))
    assert [c.pk for c in calls.context["open_calls"]] == [WhistleCall.objects.get().pk]
    call = WhistleCall.objects.get()
    for step in ("sign", "arrive", "handle"):
        response = unit.post(
            reverse("whistle:call_action", args=[call.pk, step]), {"back": "calls"}
        )
        assert response.status_code == 302 and response["Location"] == reverse("whistle:calls")
    call.refresh_from_db()
    assert call.state == "handled"
    staff = _client(world["community_staff"])
    staff.post(reverse("whistle:action", args=[whistle.pk, "close"]))
    whistle.refresh_from_db()
    assert whistle.state == "closed"
    resident = _client(world["resident"])
    assert resident.get(reverse("whistle:detail", args=[whistle.pk])).context["can_rate"]
    resident.post(reverse("whistle:action", args=[whistle.pk, "rate"]), {"score": "4"})
    whistle.refresh_from_db()
    assert whistle.rating == 4
    assert Notification.objects.filter(recipient=world["resident"], kind="whistle.closed").exists()


def test_decline_and_reroute_through_the_pages(world, whistle, second_unit):
    call = WhistleCall.objects.get()
    _client(world["unit_admin"]).post(
        reverse("whistle:call_action", args=[call.pk, "decline"]), {"reason": "不是学校的事"}
    )
    _client(world["community_staff"]).post(
        reverse("whistle:call_action", args=[call.pk, "reroute"]),
        {"organization": second_unit.pk},
    )
    assert WhistleCall.objects.get(state="called").organization == second_unit


def test_the_detail_page_shows_the_timeline_and_the_list_is_visible_by_role(world, whistle):
    with translation.override("en"):
        page = _client(world["community_staff"]).get(
            reverse("whistle:detail", args=[whistle.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert b"blew the whistle" in page.content
    listed = _client(world["unit_contact"]).get(reverse("whistle:list")).context["page"]
    assert [w.pk for w in listed.object_list] == [whistle.pk]
    assert list(_client(world["outsider"]).get(reverse("whistle:list")).context["page"]) == []


def test_the_scorecard_page_is_for_staff(world, whistle):
    url = reverse("whistle:scorecard", args=[world.community.pk]) + "?period=2026-11"
    page = _client(world["community_staff"]).get(url)
    assert page.status_code == 200 and [r.unit for r in page.context["rows"]] == [world.unit.name]
    assert _client(fresh(world["unit_admin"])).get(url).status_code == 403


def test_the_api_lists_and_answers(world, whistle):
    call = WhistleCall.objects.get()
    unit = _client(world["unit_contact"])
    assert [w["id"] for w in unit.get("/api/whistles").json()["items"]] == [whistle.pk]
    response = unit.post(f"/api/whistle-calls/{call.pk}/sign", {}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "signed"
    again = unit.post(f"/api/whistle-calls/{call.pk}/sign", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "call.bad_state"
    assert _client(world["outsider"]).get(f"/api/whistles/{whistle.pk}").status_code == 404
    created = _client(world["community_staff"]).post(
        "/api/whistles",
        {
            "community_id": world.community.pk,
            "type": "everyday",
            "title": "路灯不亮",
            "unit_ids": [world.unit.pk],
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["calls"][0]["state"] == "called"


def test_staff_blow_a_whistle_from_the_page_for_a_resident_who_phoned(world):
    client = _client(world["community_staff"])
    url = f"/whistles/new/{world.community.pk}/"
    data = {
        "type": "everyday",
        "title": "楼道堆物堵塞",
        "units": [world.unit.pk],
        "reporter": "139 0000 0001",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Whistle.objects.get().raised_by == world["resident"]
    with translation.override("en"):
        bad = client.post(url, {**data, "reporter": "13900000006"})  # lives elsewhere
    assert bad.status_code == 200 and Whistle.objects.count() == 1
    assert "13900000006" in bad.content.decode()


@pytest.mark.parametrize("action", CALL_ACTIONS.names())
def test_every_call_action_of_the_page_is_also_in_the_api(world, whistle, action):
    call = WhistleCall.objects.get()
    staff = _client(world["community_staff"])
    page = staff.post(reverse("whistle:call_action", args=[call.pk, action]))
    api = staff.post(f"/api/whistle-calls/{call.pk}/{action}", {}, content_type="application/json")
    assert page.status_code == 302 and api.status_code != 404


def test_staff_send_a_handled_call_back_through_the_api_under_the_pages_name(world, whistle):
    call = WhistleCall.objects.get()
    _client(world["unit_admin"]).post(reverse("whistle:call_action", args=[call.pk, "handle"]))
    staff = _client(world["community_staff"])
    back = staff.post(
        f"/api/whistle-calls/{call.pk}/send-back",
        {"reason": "楼道还在漏水"},
        content_type="application/json",
    )
    assert back.status_code == 200 and back.json()["state"] == "arrived"
    bad = staff.post(
        f"/api/whistle-calls/{call.pk}/reroute",
        {"organization": 999999},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert WhistleCall.objects.get(pk=call.pk).state == "arrived"


def test_the_whistle_list_shows_open_whistles_before_closed_ones(world, whistle):
    newer_closed = blow(world, [world.unit])
    Whistle.objects.filter(pk=newer_closed.pk).update(state=Whistle.State.CLOSED)
    listed = _client(world["community_staff"]).get(reverse("whistle:list")).context["page"]
    assert [w.pk for w in listed.object_list] == [whistle.pk, newer_closed.pk]


def test_a_refused_answer_keeps_what_was_typed_for_the_page_once(world, whistle):
    """A decline refused (the call is no longer the unit's to decline) sends the person back
    with their reason kept for the page's form, once; the token and a code are never kept."""
    call = WhistleCall.objects.get()
    unit = _client(world["unit_admin"])
    url = reverse("whistle:call_action", args=[call.pk, "decline"])
    unit.post(url, {"reason": "不是我们单位的片区"})
    reason = "<script>alert(1)</script> 还是不归我们管"
    page = unit.post(url, {"reason": reason, "code": "123456", "back": "detail"}, follow=True)
    assert [m.level_tag for m in page.context["messages"]][-1] == "error"
    html = page.content.decode()
    assert '<script id="kept-input" type="application/json">' in html
    assert "\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E" in html  # data, not markup
    assert f'"action": "{url}"' in html
    assert "123456" not in html
    assert 'id="kept-input"' not in unit.get(page.redirect_chain[-1][0]).content.decode()
