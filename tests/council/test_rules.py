"""Who may do what in a council, role by role."""

from __future__ import annotations

import pytest

from tests.conftest import fresh

ROLES = [
    "compound_resident",
    "other_compound_resident",
    "representative",
    "secretary",
    "chair",
    "adviser",
    "community_staff",
    "subdistrict_staff",
    "unit_contact",
    "anonymous",
]


def people(cw):
    w = cw.world
    return {
        "compound_resident": w["resident"],
        "other_compound_resident": w["outsider"],
        "representative": cw.representative,
        "secretary": cw.secretary,
        "chair": cw.chair,
        "adviser": cw.adviser,
        "community_staff": w["community_staff"],
        "subdistrict_staff": w["subdistrict_staff"],
        "unit_contact": w["unit_contact"],
        "anonymous": w["anonymous"],
    }


def allowed(cw, perm, obj):
    return {role for role, user in people(cw).items() if fresh(user).has_perm(perm, obj)}


MEMBERS = {"representative", "secretary", "chair", "adviser"}
STAFF = {"community_staff", "subdistrict_staff"}


@pytest.mark.parametrize(
    ("perm", "expected"),
    [
        ("council.view_council", {"compound_resident", *MEMBERS, *STAFF}),
        ("council.take_part", {"compound_resident", *MEMBERS}),
        ("council.manage_council", STAFF),
        ("council.run_council", {"secretary", "chair", *STAFF}),
        ("council.moderate", {"secretary", "chair", *STAFF}),
        ("council.confirm_tally", {"chair", "adviser"}),
        ("council.answer_objection", {"chair"}),
        ("council.object", {"compound_resident", *MEMBERS}),
        ("council.view_ballots", {*MEMBERS, *STAFF}),
    ],
)
def test_it_allows_exactly_these_roles(cw, perm, expected):
    assert allowed(cw, perm, cw.council) == expected


def test_community_staff_create_councils_for_their_community_only(cw):
    assert allowed(cw, "council.create_council", cw.world.community) == STAFF
    assert "community_staff" not in allowed(cw, "council.create_council", cw.world.other_community)


def test_the_rules_follow_a_topic_meeting_and_resolution_to_their_council(cw):
    from wulian.council import services

    topic = services.raise_topic(
        cw.world["resident"], cw.council, services.TopicInput(title="t", text="x")
    )
    meeting = cw.meeting()
    assert allowed(cw, "council.view_council", topic) == allowed(
        cw, "council.view_council", meeting
    )
    assert "other_compound_resident" not in allowed(cw, "council.view_council", topic)


def test_outsiders_get_a_404_for_a_council_page(cw, client):
    client.force_login(cw.world["outsider"])
    assert client.get(f"/council/{cw.council.pk}/").status_code == 404
    client.force_login(cw.world["resident"])
    assert client.get(f"/council/{cw.council.pk}/").status_code == 200
