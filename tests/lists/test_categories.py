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


@pytest.fixture
def district_staff(world):
    from wulian.accounts.models import User
    from wulian.places import services as places

    person = User.objects.create_user("13900000008", "secret-pass-1", real_name="区里庚")
    places.assign_staff(None, person, world.district)
    return person


def test_district_staff_add_rename_and_switch_off_categories(world, client, district_staff):
    staff = district_staff
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
    client.force_login(world["unit_contact"])
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


def _shared():
    return Category.objects.get(name="便民服务", parent=None)


@pytest.mark.parametrize("action", ["rename", "off"])
def test_community_staff_cannot_rename_or_switch_off_a_shared_category(world, client, action):
    shared = _shared()
    child = Category.objects.get(name="理发", parent=shared)
    client.force_login(world["community_staff"])
    for target in (shared, child):
        response = client.post(
            "/lists/categories/",
            {"action": action, "category": target.pk, "name": "改掉了"},
            follow=True,
        )
        assert "这个类别由各社区共用" in response.content.decode()  # in the site's language
        target.refresh_from_db()
        assert target.name in {"便民服务", "理发"} and target.is_active
    with pytest.raises(NotAllowed):
        services.rename_category(world["subdistrict_staff"], shared, "改掉了")
    with pytest.raises(NotAllowed):
        services.add_category(world["community_staff"], "社区自己的大类")


def test_a_community_adds_its_own_sub_category_and_only_its_staff_edit_it(world, client):
    client.force_login(world["community_staff"])
    response = client.post(
        "/lists/categories/", {"action": "add", "name": "修鞋", "category": _shared().pk}
    )
    assert response.status_code == 302
    own = Category.objects.get(name="修鞋")
    assert own.community == world.community and own.parent == _shared()
    services.rename_category(world["community_staff"], own, "修鞋补鞋")
    with pytest.raises(NotAllowed):
        services.set_category_active(world["outsider"], own, False)  # staff of another community
    with pytest.raises(DomainError):
        services.add_category(world["community_staff"], "自己的大类", None, world.community)
    with pytest.raises(NotAllowed):
        services.add_category(world["community_staff"], "别人的", _shared(), world.other_community)
    # Offered in its community's form, not in the other community's.
    client.force_login(world["unit_contact"])  # units choose a category; residents do not
    assert "修鞋补鞋" in client.get("/lists/needs/new/").content.decode()
    client.force_login(world["outsider"])
    assert "修鞋补鞋" not in client.get("/lists/needs/new/").content.decode()
    assert "修鞋补鞋" not in client.get("/lists/categories/").content.decode()


def test_district_staff_and_admins_keep_the_shared_taxonomy(world, client, district_staff):
    from wulian.accounts.models import User

    admin = User.objects.create_superuser("13900000099", "secret-pass-1", real_name="管理员")
    top = _shared()
    for person, name in ((district_staff, "便民"), (admin, "便民服务")):
        services.rename_category(person, Category.objects.get(parent=None, pk=top.pk), name)
        assert Category.objects.filter(name=name, parent=None).exists()
    client.force_login(district_staff)
    client.post("/lists/categories/", {"action": "off", "category": top.pk})
    top.refresh_from_db()
    assert not top.is_active
    client.post("/lists/categories/", {"action": "add", "name": "共用子类", "category": top.pk})
    assert Category.objects.get(name="共用子类").community is None
