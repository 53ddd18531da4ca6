"""Residents' names are personal data: in full for staff and the parties, 张** for others."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import fresh
from wulian.lists import services

pytestmark = pytest.mark.django_db

FULL, MASKED = "居民甲", "居**"

# Who sees the raiser's name on a published need nobody has claimed yet.
RAISER = {
    "resident": FULL,  # raised it
    "unit_contact": MASKED,
    "community_staff": FULL,
    "subdistrict_staff": FULL,
    "outsider": MASKED,  # staff of another community
    "anonymous": MASKED,
}


def _page(client: Any, user: Any, url: str) -> str:
    client.logout()
    if getattr(user, "pk", None) is not None:
        client.force_login(fresh(user))
    return client.get(url).content.decode()


@pytest.mark.parametrize(("role", "shown"), RAISER.items())
def test_it_masks_a_resident_raiser_for_those_who_are_neither_staff_nor_party(
    client: Any, world: Any, need: Any, role: str, shown: str
) -> None:
    for url in (f"/lists/needs/{need.pk}/", "/lists/needs/", f"/lists/needs/{need.pk}/claim/"):
        page = _page(client, world[role], url)
        assert shown in page, url
        if shown == MASKED:
            assert FULL not in page, url


@pytest.mark.parametrize("role", ["unit_contact", "unit_admin"])
def test_it_names_the_raiser_to_the_unit_that_claimed_the_need(
    client: Any, world: Any, need: Any, role: str
) -> None:
    services.claim_need(world["unit_admin"], need, organization=world.unit)
    assert FULL in _page(client, world[role], f"/lists/needs/{need.pk}/")


CLAIMANT = {
    "resident": "外人己",  # the raiser: party A
    "outsider": "外人己",  # claimed it: party B
    "unit_contact": "外**",
    "community_staff": "外人己",
    "anonymous": "外**",
}


@pytest.mark.parametrize(("role", "shown"), CLAIMANT.items())
def test_it_masks_a_resident_claimant_for_others(
    client: Any, world: Any, need: Any, role: str, shown: str
) -> None:
    services.claim_need(world["outsider"], need)
    page = _page(client, world[role], f"/lists/needs/{need.pk}/")
    assert shown in page
    if shown.endswith("**"):
        assert "外人己" not in page


@pytest.mark.parametrize(("role", "shown"), [("anonymous", MASKED), ("community_staff", FULL)])
def test_the_api_masks_the_raiser_too(
    client: Any, world: Any, need: Any, role: str, shown: str
) -> None:
    client.logout()
    if role != "anonymous":
        client.force_login(fresh(world[role]))
    assert client.get(f"/api/needs/{need.pk}").json()["raiser"] == shown
    listed = client.get("/api/needs").json()["items"]
    assert [item["raiser"] for item in listed] == [shown]


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("resident", FULL),
        ("community_staff", FULL),
        ("unit_contact", MASKED),
        ("anonymous", MASKED),
    ],
)
def test_it_masks_a_resident_offering_a_skill(
    client: Any, world: Any, role: str, shown: str
) -> None:
    resource = services.create_resource(
        world["resident"], world.community, services.ResourceInput(title="教老人用智能手机")
    )
    for url in (f"/lists/resources/{resource.pk}/", "/lists/resources/"):
        page = _page(client, world[role], url)
        assert shown in page, url
        if shown == MASKED:
            assert FULL not in page, url
