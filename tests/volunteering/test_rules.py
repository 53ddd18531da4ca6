"""Every rule of the ledger, role by role (the world's roles, plus the organising team's two
members): the organising body answers for its records, the volunteer for their own requests,
the community's staff (and the subdistrict's) for everything in the community."""

from __future__ import annotations

import pytest

from tests.conftest import ROLES, fresh
from tests.volunteering.conftest import at
from wulian.volunteering import services
from wulian.volunteering.models import VolunteerRecord


def allowed(ledger, perm, obj):
    people = {
        **{r: ledger.world[r] for r in ROLES},
        "captain": ledger.captain,
        "second": ledger.second,
    }
    return {name for name, person in people.items() if fresh(person).has_perm(perm, obj)}


@pytest.fixture
def record(ledger):
    activity = ledger.activity(at(3, 7, 9))
    ledger.serve(ledger.volunteer, activity, 60)
    return VolunteerRecord.objects.get()


ORGANISERS = {"captain", "second", "community_staff", "subdistrict_staff"}


def test_who_sees_and_manages_a_record(ledger, record):
    assert allowed(ledger, "volunteering.view_record", record) == ORGANISERS | {"resident"}
    assert allowed(ledger, "volunteering.manage_record", record) == ORGANISERS
    assert allowed(ledger, "volunteering.ask_correction", record) == {"resident"}


def test_who_sees_and_answers_a_correction(ledger, record):
    request = services.ask_correction(fresh(ledger.volunteer), record, "少记了")
    assert allowed(ledger, "volunteering.view_correction", request) == ORGANISERS | {"resident"}
    assert allowed(ledger, "volunteering.answer_correction", request) == ORGANISERS


def test_who_records_for_and_exports_a_body(ledger):
    for perm in ("volunteering.record_for", "volunteering.export_records"):
        assert allowed(ledger, perm, ledger.team) == ORGANISERS
        # the school's people record for the school, not for the team
        assert allowed(ledger, perm, ledger.world.unit) == {
            "unit_contact",
            "unit_admin",
            "community_staff",
            "subdistrict_staff",
        }


def test_who_sees_whole_names_and_awards_badges_in_a_community(ledger):
    staff = {"community_staff", "subdistrict_staff"}
    for perm in ("volunteering.view_whole_names", "volunteering.award_badge"):
        assert allowed(ledger, perm, ledger.world.community) == staff
        assert allowed(ledger, perm, ledger.world.other_community) == {
            "subdistrict_staff",
            "outsider",  # staff of the other community
        }


def test_who_sees_a_ledger_and_issues_a_certificate_for_a_person(ledger):
    for perm in ("volunteering.view_ledger", "volunteering.issue_certificate"):
        assert allowed(ledger, perm, ledger.volunteer) == {
            "resident",
            "community_staff",
            "subdistrict_staff",
        }


def test_who_sees_a_persons_badges(ledger):
    everyone = {*ROLES, "captain", "second"}
    assert allowed(ledger, "volunteering.view_badges", ledger.volunteer) == everyone
    services.set_roll_choice(fresh(ledger.volunteer), show=False)
    assert allowed(ledger, "volunteering.view_badges", ledger.volunteer) == {
        "resident",
        "community_staff",
        "subdistrict_staff",
    }
