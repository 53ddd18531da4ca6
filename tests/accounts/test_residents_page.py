from django.db import connection
from django.test.utils import CaptureQueriesContext

from wulian.accounts.models import User


def test_staff_page_through_residents_with_a_bounded_number_of_queries(client, world):
    User.objects.bulk_create(
        User(
            mobile=f"1370000{i:04d}",
            real_name=f"居民{i}",
            community=world.community,
            compound=world.compound,
        )
        for i in range(120)
    )
    client.force_login(world["community_staff"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/accounts/communities/{world.community.pk}/residents/")
    assert response.status_code == 200
    assert "第 1 页，共 5 页" in response.content.decode()
    assert len(queries) <= 15


def test_residents_are_found_by_name(client, world):
    client.force_login(world["community_staff"])
    page = client.get(
        f"/accounts/communities/{world.community.pk}/residents/", {"q": "居民甲"}
    ).content.decode()
    assert "居民甲" in page and "外人己" not in page


def test_a_resident_cannot_list_residents(client, world):
    client.force_login(world["resident"])
    assert client.get(f"/accounts/communities/{world.community.pk}/residents/").status_code == 403
