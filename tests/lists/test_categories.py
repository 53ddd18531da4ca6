import pytest

from tests.conftest import ROLES, fresh
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.lists import services
from wulian.lists.models import Category

STAFF = {"community_staff", "subdistrict_staff", "outsider"}  # the outsider is staff elsewhere


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_may_edit_the_categories(world, role):
    assert fresh(world[role]).has_perm("lists.manage_categories") is (role in STAFF)


def test_the_default_taxonomy_is_seeded(db):
    tops = set(Category.objects.filter(parent=None).values_list("name", flat=True))
    assert {"为老服务", "便民服务", "新就业群体", "资金物资"} <= tops
    assert Category.objects.filter(parent__name="便民服务", name="理发").exists()


def test_staff_add_rename_and_switch_off_categories(world, client):
    staff = world["community_staff"]
    top = services.add_category(staff, "社区文化")
    child = services.add_category(staff, "广场舞", top)
    with pytest.raises(DomainError) as deep:
        services.add_category(staff, "太深了", child)
    assert deep.value.code == "category.too_deep"
    with pytest.raises(Conflict):
        services.add_category(staff, "广场舞", top)
    services.rename_category(staff, child, "广场舞队")
    services.set_category_active(staff, top, False)
    child.refresh_from_db()
    assert child.name == "广场舞队" and not child.is_active
    client.force_login(world["resident"])
    assert "广场舞队" not in client.get("/lists/needs/new/").content.decode()


def test_a_resident_cannot_edit_categories(world, client):
    with pytest.raises(NotAllowed):
        services.add_category(world["resident"], "x")
    client.force_login(world["resident"])
    assert client.get("/lists/categories/").status_code == 403


def test_the_categories_page_adds_a_sub_category(world, client):
    client.force_login(world["community_staff"])
    parent = Category.objects.get(name="便民服务", parent=None)
    response = client.post(
        "/lists/categories/", {"action": "add", "name": "修鞋", "category": parent.pk}
    )
    assert response.status_code == 302
    assert Category.objects.filter(name="修鞋", parent=parent).exists()
    page = client.get("/lists/categories/").content.decode()
    assert "修鞋" in page
