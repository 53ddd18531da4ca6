from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import translation

from wulian.notifications import services
from wulian.notifications.models import Notification, Preference, UnitWebhook
from wulian.notifications.services import notify

INBOX = "/inbox/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _many(user, n):
    for i in range(n):
        notify([user], kind="test", title=f"第{i}条", url="/lists/needs/")


def test_the_inbox_lists_and_counts_unread_and_pages(world, django_assert_max_num_queries):
    _many(world["resident"], 25)
    client = _client(world["resident"])
    # (the ninth: the person's version, under which their menu is kept)
    with translation.override("en"), django_assert_max_num_queries(9):
        response = client.get(INBOX, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["unread"] == 25
    assert len(response.context["page"].object_list) == 20
    assert response.context["page"].object_list[0].title == "第24条"
    assert list(client.get(INBOX + "?page=2").context["page"].object_list)[-1].title == "第0条"


def test_the_empty_inbox_says_so(world):
    response = _client(world["resident"]).get(INBOX, HTTP_ACCEPT_LANGUAGE="en")
    assert b"No notifications yet" in response.content


def test_opening_a_notification_marks_it_read_and_follows_its_link(world):
    notification = notify([world["resident"]], kind="t", title="看看", url="/lists/needs/")[0]
    client = _client(world["resident"])
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/lists/needs/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert list(client.get(INBOX + "?unread=1").context["page"].object_list) == []


def test_mark_all_read(world):
    _many(world["resident"], 3)
    client = _client(world["resident"])
    client.post(reverse("notifications:read_all"))
    assert services.unread_count(world["resident"]) == 0


def test_someone_elses_notification_is_not_found(world):
    notification = notify([world["resident"]], kind="t", title="私事")[0]
    for role in ("outsider", "community_staff"):
        response = _client(world[role]).post(reverse("notifications:read", args=[notification.pk]))
        assert response.status_code == 404
    assert Client().get(INBOX).status_code == 302


def test_preferences_are_saved(world):
    client = _client(world["resident"])
    assert client.get(reverse("notifications:preferences")).status_code == 200
    response = client.post(
        reverse("notifications:preferences"),
        {"sms": "on", "email": "on", "email_address": "zhang@example.cn"},
    )
    assert response.status_code == 302
    preference = Preference.objects.get(user=world["resident"])
    assert preference.sms and preference.email_address == "zhang@example.cn"
    response = client.post(reverse("notifications:preferences"), {"email": "on"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_a_unit_admin_sets_the_webhook_and_a_member_cannot(world):
    url = reverse("notifications:webhook", args=[world.unit.pk])
    page = _client(world["unit_admin"]).get(reverse("notifications:preferences"))
    assert [org for org, _form in page.context["unit_forms"]] == [world.unit]
    _client(world["unit_admin"]).post(url, {f"unit{world.unit.pk}-url": "http://127.0.0.1:9/r"})
    assert UnitWebhook.objects.get().url == "http://127.0.0.1:9/r"
    assert _client(world["unit_contact"]).post(url, {}).status_code == 403
    assert _client(world["outsider"]).post(url, {}).status_code == 403


def test_the_inbox_link_shows_the_unread_count(world):
    from django.template import Context, Template
    from django.test import RequestFactory

    _many(world["resident"], 2)
    request = RequestFactory().get("/")
    request.user = world["resident"]
    with translation.override("en"):
        html = Template("{% load notifications %}{% inbox_link %}").render(
            Context({"request": request})
        )
    assert 'href="/inbox/"' in html and "2 unread" in html


def test_the_api_lists_counts_and_marks_read(world):
    _many(world["resident"], 2)
    client = _client(world["resident"])
    listed = client.get("/api/notifications?unread=true").json()
    assert listed["count"] == 2
    assert client.get("/api/notifications/unread-count").json() == {"unread": 2}
    first = listed["items"][0]["id"]
    assert client.post(f"/api/notifications/{first}/read").json()["read_at"]
    other = notify([world["outsider"]], kind="t", title="x")[0]
    assert _client(world["resident"]).post(f"/api/notifications/{other.pk}/read").status_code == (
        404
    )
    assert client.post("/api/notifications/read-all").json() == {"unread": 0}
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
