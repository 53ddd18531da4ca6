"""A need no resource suits is offered a place on the next release event."""

import datetime

from django.utils import timezone

from wulian.events import services as events
from wulian.events.models import EventNeed
from wulian.lists import services as lists


def test_staff_put_an_unmatched_need_on_the_next_event(client, world):
    staff = world["community_staff"]
    event = events.create_event(
        staff,
        title="第二期机会清单发布会",
        starts_at=timezone.now() + datetime.timedelta(days=14),
        communities=[world.community],
    )
    need = lists.publish_need(
        staff,
        lists.raise_need(
            world["resident"], world.community, lists.NeedInput(title="修一台老式留声机")
        ),
    )
    client.force_login(staff)
    page = client.get(f"/lists/needs/{need.pk}/").content.decode()
    assert 'id="no-recommendation"' in page
    assert f"/events/{event.pk}/add/" in page
    response = client.post(f"/events/{event.pk}/add/", {"needs": need.pk})
    assert response.status_code == 302
    assert EventNeed.objects.filter(event=event, need=need).exists()
    page = client.get(f"/lists/needs/{need.pk}/").content.decode()
    assert f"/events/{event.pk}/add/" not in page and f"/events/{event.pk}/" in page


def test_the_offer_is_not_made_to_residents(client, world):
    staff = world["community_staff"]
    event = events.create_event(
        staff, title="发布会", starts_at=timezone.now(), communities=[world.community]
    )
    need = lists.publish_need(
        staff,
        lists.raise_need(world["resident"], world.community, lists.NeedInput(title="修留声机")),
    )
    client.force_login(world["resident"])
    assert f"/events/{event.pk}/add/" not in client.get(f"/lists/needs/{need.pk}/").content.decode()
