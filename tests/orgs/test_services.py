import datetime

import pytest

from wulian.audit.models import AuditEntry
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.orgs import services
from wulian.orgs.models import Membership, Organization


def test_a_partnership_is_recorded_with_an_audit_entry(world):
    entry = AuditEntry.objects.get(action="orgs.partnership_created")
    assert entry.actor == world["community_staff"]
    assert entry.object_id == str(world.partnership.pk)
    assert entry.after is not None and entry.after["partner"] == world.unit.pk


def test_it_refuses_a_second_open_partnership_with_the_same_unit(world):
    with pytest.raises(Conflict) as error:
        services.create_partnership(
            world["community_staff"],
            world.community,
            world.party_committee,
            world.unit,
            started_on=datetime.date(2024, 1, 1),
            content="再签一次",
        )
    assert error.value.code == "partnership.exists"


def test_only_staff_can_record_partnerships(world):
    other = Organization.objects.create(
        name="汉口老街糕点坊", kind="enterprise", region=world.community
    )
    with pytest.raises(NotAllowed):
        services.create_partnership(
            world["unit_admin"],
            world.community,
            world.party_committee,
            other,
            started_on=datetime.date(2024, 1, 1),
            content="共建",
        )


def test_the_status_moves_only_along_allowed_paths(world):
    staff = world["community_staff"]
    p = services.set_partnership_status(staff, world.partnership, "active")
    p = services.set_partnership_status(staff, p, "ended", note="协议到期")
    assert p.ended_on is not None
    with pytest.raises(Conflict) as error:
        services.set_partnership_status(staff, p, "active")
    assert error.value.code == "partnership.bad_move"
    # once ended, a new one may be signed with the same unit
    services.create_partnership(
        staff,
        world.community,
        world.party_committee,
        world.unit,
        started_on=datetime.date(2025, 1, 1),
        content="续签",
    )


def test_the_partnership_page_shows_its_timeline_and_changes_status(client, world):
    client.force_login(world["community_staff"])
    url = f"/orgs/partnerships/{world.partnership.pk}/"
    response = client.post(url, {"status": "active", "note": "双方已签字"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "发起了共建协议" in page and "变更了共建状态" in page and "双方已签字" in page


def test_a_bad_move_on_the_page_is_explained_not_a_500(client, world):
    client.force_login(world["community_staff"])
    response = client.post(f"/orgs/partnerships/{world.partnership.pk}/", {"status": "suspended"})
    assert response.status_code == 200
    assert "不能变更为" in response.content.decode()


def test_staff_record_a_partnership_through_the_form(client, world):
    other = Organization.objects.create(
        name="汉口老街糕点坊", kind="enterprise", region=world.community
    )
    client.force_login(world["community_staff"])
    url = f"/orgs/communities/{world.community.pk}/partnerships/new/"
    assert "汉口老街糕点坊" in client.get(url).content.decode()
    response = client.post(
        url, {"partner": other.pk, "started_on": "2024-05-01", "content": "糕点制作课堂"}
    )
    assert response.status_code == 302
    empty = client.post(url, {"partner": other.pk, "started_on": "", "content": ""})
    assert empty.status_code == 200 and "这个字段是必填项" in empty.content.decode()


def test_a_unit_keeps_at_least_one_admin(world):
    admin = Membership.objects.get(user=world["unit_admin"])
    with pytest.raises(DomainError) as error:
        services.set_member_role(world["unit_admin"], admin, "member")
    assert error.value.code == "member.last_admin"


def test_organisations_are_found_whatever_the_script(client, world):
    page = client.get("/orgs/", {"q": "商業學校"}).content.decode()
    assert "武汉市第一商业学校" in page
    assert "长春街超市" not in page
