import pytest

from tests.conftest import ROLES, fresh

RULES = {
    "accounts.view_person": {"resident", "community_staff", "subdistrict_staff"},
    "accounts.view_mobile": {"resident", "community_staff", "subdistrict_staff"},
    "accounts.verify_resident": {"community_staff", "subdistrict_staff"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", sorted(RULES))
def test_it_grants_each_person_rule_to_exactly_the_right_roles(world, perm, role):
    """The object is the resident of the world's community."""
    assert fresh(world[role]).has_perm(perm, world["resident"]) is (role in RULES[perm])


def test_an_outsider_gets_404_for_a_resident_of_another_community(client, world):
    client.force_login(world["outsider"])
    response = client.get(f"/accounts/people/{world['resident'].pk}/")
    assert response.status_code == 404


def test_staff_see_the_full_number_and_others_a_masked_one(client, world):
    resident = world["resident"]
    client.force_login(world["community_staff"])
    page = client.get(f"/accounts/people/{resident.pk}/").content.decode()
    assert "13900000001" in page
    client.force_login(world["unit_admin"])
    org_page = client.get(f"/orgs/{world.unit.pk}/").content.decode()
    assert "13900000002" in org_page  # an admin of the unit sees its contact in full
    client.logout()
    public = client.get(f"/orgs/{world.unit.pk}/").content.decode()
    assert "139****0002" in public and "13900000002" not in public
