"""A topic may carry photos and point to the need or whistle it is about."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.conftest import fresh
from wulian.core.errors import DomainError
from wulian.council import services
from wulian.council.models import Topic, TopicPhoto
from wulian.lists import services as lists
from wulian.whistle import services as whistles


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_SERVE = "stream"
    return settings.MEDIA_ROOT


def jpeg(name: str = "楼道.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (180, 40, 40)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def a_need(world: Any, community: Any = None) -> Any:
    need = lists.raise_need(
        world["community_staff"] if community is None else world["outsider"],
        community or world.community,
        lists.NeedInput(title="3栋楼道墙面脱落"),
    )
    return lists.publish_need(
        world["community_staff"] if community is None else world["outsider"], need
    )


def a_whistle(world: Any, raised_by: Any = None) -> Any:
    return whistles.blow_whistle(
        world["community_staff"],
        world.community,
        whistles.WhistleInput(
            type="everyday", title="路面坑洼", units=[world.unit], raised_by=raised_by
        ),
    )


def test_a_resident_raises_a_topic_with_photos_about_a_need_and_the_page_shows_both(cw, client):
    need = a_need(cw.world)
    client.force_login(cw.world["resident"])
    form = client.get(f"/council/{cw.council.pk}/topics/new/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="need"' in form
    sent = client.post(
        f"/council/{cw.council.pk}/topics/new/",
        {
            "title": "楼道刷新",
            "text": "墙面脱落",
            "need": str(need.pk),
            "photos": [jpeg("一.jpg"), jpeg("二.jpg")],
        },
    )
    topic = Topic.objects.get()
    assert sent.status_code == 302
    assert topic.need == need and topic.photos.count() == 2
    page = client.get(f"/council/topics/{topic.pk}/").content.decode()
    assert f'href="{reverse("lists:need", args=[need.pk])}"' in page
    assert "3栋楼道墙面脱落" in page
    assert page.count('alt="议题照片"') == 2
    photo = TopicPhoto.objects.first()
    assert photo is not None
    assert client.get(photo.url).status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [("resident", 200), ("community_staff", 200), ("outsider", 404), ("anonymous", 404)],
)
def test_a_topics_photo_is_seen_by_those_who_see_the_council(cw, role, status):
    topic = services.raise_topic(
        cw.world["resident"],
        cw.council,
        services.TopicInput(title="t", text="x", photos=[jpeg()]),
    )
    photo = topic.photos.get()
    client = Client()
    if role != "anonymous":
        client.force_login(fresh(cw.world[role]))
    assert client.get(photo.url).status_code == status


def test_a_need_of_another_community_is_refused_and_nothing_is_written(cw, client):
    other = lists.raise_need(
        cw.world["outsider"], cw.world.other_community, lists.NeedInput(title="别处的需求")
    )
    client.force_login(cw.world["resident"])
    page = client.post(
        f"/council/{cw.council.pk}/topics/new/",
        {"title": "t", "text": "x", "need": str(other.pk), "photos": [jpeg()]},
    )
    assert page.status_code == 200
    assert f"本社区没有您可查看的 {other.pk} 号需求。" in page.content.decode()
    assert not Topic.objects.exists() and not TopicPhoto.objects.exists()


def test_only_a_whistle_the_resident_may_see_can_be_pointed_to(cw, client):
    whistle = a_whistle(cw.world, raised_by=cw.world["resident"])
    with pytest.raises(DomainError) as refused:
        services.raise_topic(
            cw.voters[0], cw.council, services.TopicInput(title="t", text="x", whistle=whistle.pk)
        )
    assert refused.value.code == "topic.unknown_whistle"
    topic = services.raise_topic(
        cw.world["resident"],
        cw.council,
        services.TopicInput(title="路面", text="x", whistle=whistle.pk),
    )
    assert topic.whistle == whistle
    client.force_login(cw.world["community_staff"])
    staff_page = client.get(f"/council/topics/{topic.pk}/").content.decode()
    assert f'href="{reverse("whistle:detail", args=[whistle.pk])}"' in staff_page
    client.force_login(cw.voters[0])
    resident_page = client.get(f"/council/topics/{topic.pk}/").content.decode()
    assert f"#{whistle.pk}" in resident_page
    assert reverse("whistle:detail", args=[whistle.pk]) not in resident_page
    assert "路面坑洼" not in resident_page


def test_the_api_raises_a_topic_about_a_need(cw):
    need = a_need(cw.world)
    api = Client()
    api.force_login(cw.world["resident"])
    url = f"/api/council/councils/{cw.council.pk}/topics"
    made = api.post(
        url, {"title": "t", "text": "x", "need": need.pk}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["need_id"] == need.pk
    bad = api.post(url, {"title": "t", "text": "x", "need": 0}, content_type="application/json")
    assert bad.status_code == 422
    unknown = api.post(
        url, {"title": "t", "text": "x", "whistle": 99999}, content_type="application/json"
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "topic.unknown_whistle"
