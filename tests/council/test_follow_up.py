"""A resolution followed up in one click: a need on the needs list or a whistle to units,
each showing the resolution it came from."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wulian.council import services
from wulian.council.models import Resolution
from wulian.lists.models import Need
from wulian.whistle.models import Whistle

from .test_services import adopt, passed_motion


@pytest.fixture
def published(cw) -> Resolution:
    resolution = adopt(cw, passed_motion(cw))
    return services.publish_resolution(cw.chair, resolution)


def test_staff_raise_the_need_from_the_resolution_page_and_each_page_links_the_other(
    cw, client, published
):
    client.force_login(cw.staff)
    page = client.get(f"/council/resolutions/{published.pk}/").content.decode()
    assert "为此提出需求" in page
    done = client.post(f"/council/resolutions/{published.pk}/need/", follow=True)
    need = Need.objects.get(external_id=f"council-resolution-{published.pk}")
    body = done.content.decode()
    assert f'href="{reverse("lists:need", args=[need.pk])}"' in body
    assert 'id="spawn-need"' not in body
    assert need.channel == Need.Channel.COUNCIL
    need_page = client.get(reverse("lists:need", args=[need.pk]))
    assert need_page.status_code == 200
    text = need_page.content.decode()
    assert f"/council/resolutions/{published.pk}/" in text
    assert "3栋楼道年底前完成刷新" in text


def test_staff_blow_a_whistle_to_the_units_chosen_and_its_page_shows_the_resolution(
    cw, client, published
):
    client.force_login(cw.staff)
    page = client.get(f"/council/resolutions/{published.pk}/").content.decode()
    assert 'id="follow-up-whistle"' in page and cw.world.unit.name in page
    refused = client.post(f"/council/resolutions/{published.pk}/whistle/", follow=True)
    assert not Whistle.objects.exists()
    assert "接哨单位：这个字段是必填项。" in refused.content.decode()
    outside = client.post(
        f"/council/resolutions/{published.pk}/whistle/", {"units": [cw.world.other_unit.pk]}
    )
    assert outside.status_code == 302 and not Whistle.objects.exists()
    client.post(f"/council/resolutions/{published.pk}/whistle/", {"units": [cw.world.unit.pk]})
    whistle = Whistle.objects.get()
    assert Resolution.objects.get(pk=published.pk).whistle == whistle
    assert whistle.calls.get().organization == cw.world.unit
    after = client.get(f"/council/resolutions/{published.pk}/").content.decode()
    whistle_url = reverse("whistle:detail", args=[whistle.pk])
    assert f'href="{whistle_url}"' in after and 'id="follow-up-whistle"' not in after
    whistle_page = client.get(whistle_url).content.decode()
    assert f"/council/resolutions/{published.pk}/" in whistle_page


def test_the_unit_called_sees_the_whistle_but_not_a_link_to_a_council_it_cannot_see(
    cw, client, published
):
    services.spawn_whistle(cw.staff, published, [cw.world.unit])
    whistle = Whistle.objects.get()
    client.force_login(cw.world["unit_contact"])
    page = client.get(reverse("whistle:detail", args=[whistle.pk]))
    assert page.status_code == 200
    assert f"/council/resolutions/{published.pk}/" not in page.content.decode()


@pytest.mark.parametrize("role", ["chair", "secretary", "representative"])
def test_council_members_who_are_not_staff_see_no_follow_up_buttons(cw, client, published, role):
    client.force_login(getattr(cw, role))
    page = client.get(f"/council/resolutions/{published.pk}/").content.decode()
    assert 'id="spawn-need"' not in page and 'id="follow-up-whistle"' not in page
    client.post(f"/council/resolutions/{published.pk}/need/")
    client.post(f"/council/resolutions/{published.pk}/whistle/", {"units": [cw.world.unit.pk]})
    assert not Need.objects.filter(channel=Need.Channel.COUNCIL).exists()
    assert not Whistle.objects.exists()


def test_a_draft_resolution_cannot_be_followed_up_yet(cw, client):
    resolution = adopt(cw, passed_motion(cw))
    client.force_login(cw.staff)
    page = client.get(f"/council/resolutions/{resolution.pk}/").content.decode()
    assert 'id="spawn-need"' not in page
    done = client.post(f"/council/resolutions/{resolution.pk}/need/", follow=True)
    assert "请先公示决议。" in done.content.decode()
    assert not Need.objects.exists()


def test_the_api_follows_up_with_the_same_actions(cw, published):
    api = Client()
    api.force_login(cw.staff)
    url = f"/api/council/resolutions/{published.pk}"
    need = api.post(f"{url}/need", {}, content_type="application/json")
    assert need.status_code == 200, need.content
    assert need.json()["need_id"] == Need.objects.get(channel=Need.Channel.COUNCIL).pk
    again = api.post(f"{url}/need", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "resolution.has_need"
    no_units = api.post(f"{url}/whistle", {}, content_type="application/json")
    assert no_units.status_code in {400, 422} and not Whistle.objects.exists()
    whistle = api.post(
        f"{url}/whistle", {"units": [cw.world.unit.pk]}, content_type="application/json"
    )
    assert whistle.status_code == 200, whistle.content
    assert whistle.json()["whistle_id"] == Whistle.objects.get().pk
    assert Whistle.objects.get().need_id == whistle.json()["need_id"]
