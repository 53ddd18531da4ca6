import pytest

from tests.conftest import ROLES, fresh

STAFF = {"community_staff", "subdistrict_staff"}

RULES = {
    "places.view_region": set(ROLES),
    "places.change_region": STAFF,
    "places.view_residents": STAFF,
    "places.change_compound": STAFF,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", sorted(RULES))
def test_it_grants_each_place_rule_to_exactly_the_right_roles(world, perm, role):
    obj = world.compound if perm.endswith("_compound") else world.community
    assert fresh(world[role]).has_perm(perm, obj) is (role in RULES[perm])


def test_it_lets_subdistrict_staff_act_on_every_community_below(world):
    staff = fresh(world["subdistrict_staff"])
    assert staff.has_perm("places.change_region", world.other_community)
    assert not staff.has_perm("places.change_region", world.district)


def test_it_keeps_community_staff_out_of_the_neighbouring_community(world):
    assert not fresh(world["community_staff"]).has_perm(
        "places.view_residents", world.other_community
    )
