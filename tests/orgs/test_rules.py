import pytest

from tests.conftest import ROLES, fresh

STAFF = {"community_staff", "subdistrict_staff"}

ORG_RULES = {
    "orgs.view_organization": set(ROLES),
    "orgs.view_members": {"unit_contact", "unit_admin", *STAFF},
    "orgs.change_organization": {"unit_admin", *STAFF},
    "orgs.manage_members": {"unit_admin", *STAFF},
}
PARTNERSHIP_RULES = {
    "orgs.view_partnership": {"unit_contact", "unit_admin", *STAFF},
    "orgs.change_partnership": STAFF,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", sorted(ORG_RULES))
def test_it_grants_each_organisation_rule_to_exactly_the_right_roles(world, perm, role):
    assert fresh(world[role]).has_perm(perm, world.unit) is (role in ORG_RULES[perm])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", sorted(PARTNERSHIP_RULES))
def test_it_grants_each_partnership_rule_to_exactly_the_right_roles(world, perm, role):
    assert fresh(world[role]).has_perm(perm, world.partnership) is (role in PARTNERSHIP_RULES[perm])


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_communitys_staff_add_partnerships(world, role):
    expected = role in STAFF
    assert fresh(world[role]).has_perm("orgs.add_partnership", world.community) is expected


@pytest.mark.parametrize("role", ["outsider", "resident"])
def test_a_person_outside_the_partnership_gets_404_not_the_object(client, world, role):
    client.force_login(world[role])
    response = client.get(f"/orgs/partnerships/{world.partnership.pk}/")
    assert response.status_code == 404
    assert "共建“身边学习圈”" not in response.content.decode()


def test_a_party_to_the_partnership_may_see_but_not_change_it(client, world):
    client.force_login(world["unit_admin"])
    assert client.get(f"/orgs/partnerships/{world.partnership.pk}/").status_code == 200
    response = client.post(
        f"/orgs/partnerships/{world.partnership.pk}/", {"status": "active", "note": ""}
    )
    assert response.status_code == 403
    world.partnership.refresh_from_db()
    assert world.partnership.status == "proposed"


def test_an_outsider_cannot_open_the_partnership_form_of_another_community(client, world):
    client.force_login(world["outsider"])
    assert (
        client.get(f"/orgs/communities/{world.community.pk}/partnerships/new/").status_code == 403
    )
