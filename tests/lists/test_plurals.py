"""A count and its noun agree on the pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.lists.conftest import sign_both
from wulian.lists import services


@pytest.mark.django_db
def test_one_person_served_is_one_person(client: Any, world: Any, need: Any) -> None:
    claim = services.claim_need(world["unit_admin"], need, organization=world.unit)
    sign_both(world, claim.project)
    services.complete_project(
        world["community_staff"],
        claim.project,
        services.Outcomes(summary="理发一次", people_served=1),
    )
    client.cookies["wulian_language"] = "en"
    page = client.get("/lists/built/").content.decode()
    assert "1 person served" in page
    assert "1 people served" not in page
