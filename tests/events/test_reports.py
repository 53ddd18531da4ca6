from __future__ import annotations

import pytest
from django.utils import translation

from tests.events.conftest import published
from wulian.core.text import mask_name
from wulian.events import reports, services
from wulian.lists import services as lists
from wulian.orgs.models import Membership, Organization

KEYS = {"community", "enterprise", "school", "agency", "social_organization", "volunteer_team"}


def test_it_masks_residents_names():
    assert mask_name("张秀英") == "张**"
    assert mask_name("李") == "李**"
    assert mask_name("") == "*"
    # The mask does not tell how long the name is.
    assert mask_name("尹英") == mask_name("尹秀英") == mask_name("尹") == "尹**"


def test_it_counts_needs_claims_and_distinct_parties_by_kind(world, live, needs):
    staff = world["community_staff"]
    # The community raises a second need through another committee: still one raiser.
    committee = Organization.objects.create(name="居委会", kind="community", region=world.community)
    Membership.objects.create(organization=committee, user=staff, role="admin")
    extra = published(world, "第二项社区需求", raiser="community")
    extra2 = lists.publish_need(
        staff,
        lists.raise_need(
            staff, world.community, lists.NeedInput(title="居委会需求"), for_org=committee
        ),
    )
    services.add_needs(staff, live, [extra, extra2])
    services.record_paper_claim(staff, live, needs[0], organization=world.unit)
    services.record_paper_claim(staff, live, needs[1], person=world["outsider"])
    services.record_paper_claim(staff, live, needs[2], organization=world.unit)

    data = reports.build_report(live).as_json()
    assert data["needs"] == 5
    assert data["claimed"] == 3 and data["unclaimed"] == 2
    assert data["agreements_signed"] == 0
    assert set(data["raisers_by_kind"]) == KEYS | {"resident"}
    assert data["raisers_by_kind"] == {
        "community": 1,
        "enterprise": 0,
        "school": 1,
        "agency": 0,
        "social_organization": 0,
        "volunteer_team": 0,
        "resident": 1,
    }
    assert data["claimants_by_kind"]["school"] == 1  # the school claimed twice: one claimant
    assert data["claimants_by_kind"]["resident"] == 1
    assert data["event"]["title"] == live.title


def test_it_counts_signed_agreements(world, live, needs):
    from tests.lists.conftest import signature_png

    claim = services.record_paper_claim(
        world["community_staff"], live, needs[0], organization=world.unit
    )
    agreement = claim.project.agreement
    lists.sign_agreement(
        world["resident"], agreement, side="need", typed_name="居民甲", drawn_png=signature_png()
    )
    lists.sign_agreement(
        world["unit_admin"],
        agreement,
        side="claimant",
        typed_name="管理员丙",
        drawn_png=signature_png(),
    )
    assert reports.build_report(live).agreements_signed == 1


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        (
            3,
            "At 江岸区首届机会清单发布会, the 3 needs raised by the community, 1 school and "
            "1 resident were all claimed on the spot.",
        ),
        (
            1,
            "At 江岸区首届机会清单发布会, the community, 1 school and 1 resident raised 3 needs; "
            "1 of them were claimed on the spot and 2 remain open.",
        ),
        (
            0,
            "At 江岸区首届机会清单发布会, the community, 1 school and 1 resident raised 3 needs; "
            "none has been claimed yet.",
        ),
    ],
)
def test_it_writes_the_articles_sentence_from_the_data(world, live, needs, claims, expected):
    for need in needs[:claims]:
        services.record_paper_claim(world["community_staff"], live, need, person=world["outsider"])
    with translation.override("en"):
        assert reports.sentence(reports.build_report(live)) == expected


def test_it_joins_two_parties_with_and():
    with translation.override("en"):
        assert reports.join_parties(["a", "b"]) == "a and b"
        assert reports.join_parties(["a"]) == "a"


def test_it_shows_the_board_without_personal_data(world, live, needs):
    services.record_paper_claim(world["community_staff"], live, needs[1], person=world["outsider"])
    board = reports.board_state(live)
    assert board["total"] == 3 and board["claimed"] == 1
    assert [t["state"] for t in board["tiles"]] == ["open", "claimed", "open"]
    assert board["tiles"][0]["raiser"].endswith("居**")  # the resident who raised it
    assert board["ticker"][0]["claimant"] == "外**"
    text = str(board)
    for secret in ("居民甲", "外人己", "13900000001", "13900000006"):
        assert secret not in text
    assert {k["kind"] for k in board["kinds"]} == KEYS - {"community"} | {"resident"}
