"""A resource is not a dead end: a resident or a unit asks its provider for it."""

from __future__ import annotations

import pytest

from wulian.core.errors import Conflict, DomainError
from wulian.lists import services
from wulian.lists.models import Invitation, Need, Resource
from wulian.notifications.models import Notification


def test_a_resident_asks_the_school_for_its_haircuts_and_the_school_is_invited_on_publication(
    client, world, barber
):
    client.force_login(world["resident"])
    page = client.get(f"/lists/resources/{barber.pk}/").content.decode()
    assert f"/lists/resources/{barber.pk}/ask/" in page
    # The school's contact person and mobile, masked for a resident.
    assert "联**" in page and "139****0002" in page and "13900000002" not in page

    form = client.get(f"/lists/resources/{barber.pk}/ask/").content.decode()
    assert "武汉市第一商业学校" in form and 'name="slots"' not in form
    response = client.post(
        f"/lists/resources/{barber.pk}/ask/",
        {"title": "给我母亲理发", "description": "行动不便，希望上门", "urgency": 1},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    need = Need.objects.get()
    assert need.asked_resource == barber and need.state == Need.State.SUBMITTED
    assert need.category == barber.category  # the resource's category, for staff to review
    told = Notification.objects.filter(organization=world.unit, kind="resource.asked")
    assert told.exists() and all("给我母亲理发" in one.title for one in told)
    assert "武汉市第一商业学校" in client.get(response.url).content.decode()

    services.publish_need(world["community_staff"], need)
    invitation = Invitation.objects.get(need=need)
    assert (invitation.organization, invitation.resource) == (world.unit, barber)
    assert Notification.objects.filter(organization=world.unit, kind="need.invited").exists()


def test_staff_see_the_contact_in_full(client, world, barber):
    client.force_login(world["community_staff"])
    page = client.get(f"/lists/resources/{barber.pk}/").content.decode()
    assert "联络员乙" in page and "13900000002" in page


def test_the_provider_does_not_ask_itself_and_a_paused_resource_cannot_be_asked(
    client, world, barber
):
    client.force_login(world["unit_contact"])
    page = client.get(f"/lists/resources/{barber.pk}/").content.decode()
    assert f"/lists/resources/{barber.pk}/ask/" not in page
    with pytest.raises(DomainError) as own:
        services.ask_for_resource(
            world["unit_contact"], world.community, barber, services.NeedInput(title="x")
        )
    assert own.value.code == "need.own_resource"

    Resource.objects.filter(pk=barber.pk).update(status=Resource.Status.PAUSED)
    barber.refresh_from_db()
    with pytest.raises(Conflict) as paused:
        services.ask_for_resource(
            world["resident"], world.community, barber, services.NeedInput(title="x")
        )
    assert paused.value.code == "resource.not_active"
    # Its provider still sees it, without the button; residents no longer see it at all.
    page = client.get(f"/lists/resources/{barber.pk}/").content.decode()
    assert f"/lists/resources/{barber.pk}/ask/" not in page
    client.force_login(world["resident"])
    response = client.post(f"/lists/resources/{barber.pk}/ask/", {"title": "x", "urgency": 0})
    assert response.status_code == 404
    assert not Need.objects.exists()


def test_a_visitor_is_sent_to_sign_in_first(client, barber):
    response = client.get(f"/lists/resources/{barber.pk}/ask/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_api_asks_a_provider_too(client, world, barber):
    from tests.lists.test_api import _token

    headers = _token(world["resident"], "resident-key")
    response = client.post(
        f"/api/resources/{barber.pk}/ask",
        {"title": "理发", "community_id": world.community.pk},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["asked_resource_id"] == barber.pk
    assert Need.objects.get().asked_resource == barber
