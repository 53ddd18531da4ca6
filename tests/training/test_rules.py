"""Who may see party data and run training, role by role.

Party membership is personal data: a member's record is seen by the person, their
organisation's branch secretary and the community's staff (and those above), never by a
unit's other members or administrators, other communities' staff or anyone anonymous."""

from __future__ import annotations

import pytest

from tests.conftest import ROLES, fresh
from tests.rules import allowed_roles
from wulian.training import services
from wulian.training.models import PartyMembership

pytestmark = pytest.mark.django_db

STAFF = {"community_staff", "subdistrict_staff"}


def test_a_members_record_is_seen_by_the_person_their_secretary_and_the_staff(tw):
    # The school's member: unit_admin is the school's branch secretary; unit_contact is a
    # member of the unit but no party member.
    assert allowed_roles(tw.world, "training.view_record", tw.school_record) == {
        "unit_admin",
        *STAFF,
    }
    assert fresh(tw.school_member).has_perm("training.view_record", tw.school_record)
    assert not fresh(tw.committee_secretary).has_perm("training.view_record", tw.school_record)
    assert not fresh(tw.committee_member).has_perm("training.view_record", tw.school_record)
    # The resident, a member of the community party committee.
    assert allowed_roles(tw.world, "training.view_record", tw.resident_record) == {
        "resident",
        *STAFF,
    }
    assert fresh(tw.committee_secretary).has_perm("training.view_record", tw.resident_record)


def test_staff_of_the_community_where_a_member_registered_see_their_record(tw):
    city_unit = type(tw.school).objects.create(
        name="市委网信办", kind="agency", region=tw.world.city
    )
    cadre = tw.person("13700000020", "干部丁")
    record = PartyMembership.objects.create(person=cadre, organization=city_unit)
    assert not fresh(tw.staff).has_perm("training.view_record", record)
    services.register(cadre, tw.world.community, "work")
    assert fresh(tw.staff).has_perm("training.view_record", record)
    assert not fresh(tw.world["outsider"]).has_perm("training.view_record", record)


@pytest.mark.parametrize("perm", ["training.view_progress", "training.manage_members"])
def test_an_organisations_progress_and_members_are_for_its_secretary_and_the_staff(tw, perm):
    assert allowed_roles(tw.world, perm, tw.school) == {"unit_admin", *STAFF}
    assert allowed_roles(tw.world, perm, tw.committee) == STAFF
    assert fresh(tw.committee_secretary).has_perm(perm, tw.committee)
    assert not fresh(tw.committee_member).has_perm(perm, tw.committee)


def test_a_session_is_seen_by_the_organisers_members_and_run_by_secretaries_and_staff(tw):
    session = tw.session(organisers=[tw.school])
    assert allowed_roles(tw.world, "training.view_session", session) == {"unit_admin", *STAFF}
    assert allowed_roles(tw.world, "training.manage_session", session) == {"unit_admin", *STAFF}
    assert allowed_roles(tw.world, "training.attend", session) == {"unit_admin"}
    assert fresh(tw.school_member).has_perm("training.view_session", session)
    assert fresh(tw.school_member).has_perm("training.attend", session)
    assert not fresh(tw.school_member).has_perm("training.manage_session", session)
    assert not fresh(tw.committee_secretary).has_perm("training.view_session", session)


def test_staff_and_branch_secretaries_organise_sessions(tw):
    assert allowed_roles(tw.world, "training.add_session", tw.world.community) == {
        "unit_admin",
        *STAFF,
    }
    assert not fresh(tw.school_member).has_perm("training.add_session", tw.world.community)


def test_a_registration_is_seen_by_the_person_the_community_and_the_home_secretary(tw):
    registration = services.register(tw.school_member, tw.world.community, "residence")
    assert allowed_roles(tw.world, "training.view_registration", registration) == {
        "unit_admin",
        *STAFF,
    }
    assert fresh(tw.school_member).has_perm("training.view_registration", registration)
    assert allowed_roles(tw.world, "training.end_registration", registration) == STAFF


def test_only_party_members_register(tw):
    assert allowed_roles(tw.world, "training.register", None) == {"resident", "unit_admin"}


def test_nobody_sees_training_anonymously():
    from django.contrib.auth.models import AnonymousUser

    assert "anonymous" in ROLES
    assert not AnonymousUser().has_perm("training.register")
