"""Tables reached through a parent carry the parent's community themselves (InCommunity), so
that a city's data can be distributed by community: filled whatever path wrote the row."""

from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db.models import F

from wulian.lists import services as lists
from wulian.places.models import InCommunity

KEYED = {
    "lists.Claim",
    "lists.Agreement",
    "activities.SignUp",
    "whistle.WhistleCall",
    "council.Meeting",
    "events.EventNeed",
}


def _keyed_models() -> list[Any]:
    return [m for m in apps.get_models() if issubclass(m, InCommunity)]


def test_every_row_of_the_demo_carries_its_parents_community(db: Any) -> None:
    call_command("demo", "--quiet")  # services, bulk inserts and the demo's own shortcuts
    assert {m._meta.label for m in _keyed_models()} == KEYED
    for model in _keyed_models():
        assert model.objects.exists(), model._meta.label
        parent = f"{model.community_parent}__community_id"
        assert not model.objects.exclude(community_id=F(parent)).exists(), model._meta.label


def test_a_claim_through_the_service_is_keyed_by_its_needs_community(world: Any) -> None:
    there = world.other_community
    need = lists.raise_need(world["resident"], there, lists.NeedInput(title="修车棚"))
    need = lists.publish_need(world["subdistrict_staff"], need)
    claim = lists.claim_need(world["unit_contact"], need)
    claim.refresh_from_db()
    assert claim.community_id == world.other_community.pk != world.community.pk
