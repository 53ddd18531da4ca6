import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import fresh
from wulian.audit.models import AuditEntry
from wulian.core.errors import DomainError, NotAllowed
from wulian.lists import services
from wulian.lists.models import Need


def test_a_resident_raises_a_need_with_their_compound_prefilled(world, haircut):
    need = services.raise_need(
        world["resident"], world.community, services.NeedInput(title="楼道灯坏了")
    )
    assert need.state == "submitted"
    assert need.compound == world.compound
    assert need.raiser_kind == "resident" and need.raised_by == world["resident"]
    assert AuditEntry.objects.filter(action="lists.need_raised", object_id=str(need.pk)).exists()


def test_a_unit_member_raises_a_need_for_the_unit(world):
    need = services.raise_need(
        world["unit_contact"],
        world.community,
        services.NeedInput(title="借用社区会议室"),
        for_org=world.unit,
    )
    assert need.raiser_kind == "school" and need.raised_for == world.unit


def test_only_members_raise_needs_for_a_unit(world):
    with pytest.raises(NotAllowed):
        services.raise_need(
            world["resident"], world.community, services.NeedInput(title="x"), for_org=world.unit
        )


def test_staff_record_a_phone_call_on_a_residents_behalf(world):
    need = services.raise_need(
        world["community_staff"],
        world.community,
        services.NeedInput(title="帮忙修水管", channel="phone"),
        raiser_name="王奶奶",
    )
    assert need.raised_by is None and need.raiser_name == "王奶奶"
    assert need.entered_by == world["community_staff"] and need.channel == "phone"


def test_a_resident_cannot_pretend_to_be_staff(world):
    with pytest.raises(NotAllowed):
        services.raise_need(
            world["resident"], world.community, services.NeedInput(title="x", channel="phone")
        )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"title": " "}, "need.no_title"),
        ({"title": "x", "slots": 0}, "need.bad_slots"),
        ({"title": "x", "deadline": datetime.date(2000, 1, 1)}, "need.deadline_past"),
    ],
)
def test_bad_needs_are_refused_with_a_code(world, data, code):
    with pytest.raises(DomainError) as error:
        services.raise_need(world["resident"], world.community, services.NeedInput(**data))
    assert error.value.code == code
    assert not Need.objects.exists()


def test_a_compound_of_another_community_is_refused(world):
    with pytest.raises(DomainError) as error:
        services.raise_need(
            world["resident"],
            world.community,
            services.NeedInput(title="x", compound=world.other_compound),
        )
    assert error.value.code == "need.bad_compound"


def test_only_staff_publish(world, need):
    draft = services.raise_need(world["resident"], world.community, services.NeedInput(title="y"))
    with pytest.raises(NotAllowed):
        services.publish_need(fresh(world["resident"]), draft)
    with pytest.raises(NotAllowed):
        services.publish_need(fresh(world["outsider"]), draft)
    assert services.publish_need(fresh(world["subdistrict_staff"]), draft).state == "published"


def test_publishing_twice_is_refused_with_a_code(world, need):
    with pytest.raises(DomainError) as error:
        services.publish_need(world["community_staff"], need)
    assert error.value.code == "need.bad_state"


def test_a_rejection_needs_a_reason_the_raiser_sees(world, client):
    draft = services.raise_need(world["resident"], world.community, services.NeedInput(title="y"))
    with pytest.raises(DomainError):
        services.reject_need(world["community_staff"], draft, " ")
    services.reject_need(world["community_staff"], draft, "不属于社区服务范围")
    client.force_login(world["resident"])
    assert "不属于社区服务范围" in client.get("/lists/needs/mine/").content.decode()


def test_the_raiser_withdraws_but_not_after_a_claim(world, need):
    services.claim_need(world["unit_admin"], need, organization=world.unit)
    with pytest.raises(DomainError) as error:
        services.withdraw_need(world["resident"], need)
    assert error.value.code == "need.has_claims"
    other = services.raise_need(world["resident"], world.community, services.NeedInput(title="z"))
    assert services.withdraw_need(world["resident"], other).state == "withdrawn"


def test_a_merged_need_points_the_raiser_to_the_other(world, need, client):
    dup = services.raise_need(world["resident"], world.community, services.NeedInput(title="理发"))
    merged = services.merge_need(world["community_staff"], dup, need)
    assert merged.state == "merged" and merged.merged_into == need
    client.force_login(world["resident"])
    page = client.get("/lists/needs/mine/").content.decode()
    assert f"/lists/needs/{need.pk}/" in page


def test_unclaimed_needs_expire_after_their_deadline(world):
    draft = services.raise_need(
        world["resident"],
        world.community,
        services.NeedInput(
            title="周末义诊", deadline=timezone.localdate() + datetime.timedelta(days=1)
        ),
    )
    services.publish_need(world["community_staff"], draft)
    assert services.expire_needs(timezone.localdate()) == []
    expired = services.expire_needs(timezone.localdate() + datetime.timedelta(days=2))
    assert [n.pk for n in expired] == [draft.pk]
    draft.refresh_from_db()
    assert draft.state == "expired"


def test_a_search_finds_a_need_in_either_script(world, need, client):
    page = client.get("/lists/needs/", {"q": "理发"}).content.decode()
    assert "42号小区老人上门理髮" in page
    page = client.get("/lists/needs/", {"q": "上門理髮"}).content.decode()
    assert "42号小区老人上门理髮" in page
    assert "老人上门理髮" not in client.get("/lists/needs/", {"q": "电梯"}).content.decode()


def test_the_capacity_people_write_is_understood():
    assert services.parse_capacity("40 人次/月") == (40, "人次", "month")
    assert services.parse_capacity("每周10人") == (10, "人", "week")
    assert services.parse_capacity("４０人次／月") == (40, "人次", "month")
    assert services.parse_capacity("视情况而定") == (None, "", "")


def test_the_raiser_is_told_when_the_need_is_rejected_merged_or_claimed(world, need):
    from wulian.notifications.models import Notification

    resident = world["resident"]
    draft = services.raise_need(resident, world.community, services.NeedInput(title="草稿"))
    services.reject_need(world["community_staff"], draft, "重复提交")
    dup = services.raise_need(resident, world.community, services.NeedInput(title="理发"))
    services.merge_need(world["community_staff"], dup, need)
    services.claim_need(world["unit_admin"], need, organization=world.unit)
    told = dict(Notification.objects.filter(recipient=resident).values_list("kind", "title"))
    assert "草稿" in told["need.rejected"]
    assert "理发" in told["need.merged"] and need.title in told["need.merged"]
    assert "武汉市第一商业学校" in told["need.claimed"]
    assert set(told) == {"need.published", "need.rejected", "need.merged", "need.claimed"}


def test_the_raise_and_claim_permissions_are_the_ones_services_check(world, need):
    from django.contrib.auth.models import AnonymousUser

    from wulian.core.errors import NotAllowed
    from wulian.lists import services

    with pytest.raises(NotAllowed) as refused:
        visitor: Any = AnonymousUser()
        services.raise_need(visitor, world.community, services.NeedInput(title="路灯坏了"))
    assert refused.value.code == "need.not_signed_in"
    with pytest.raises(NotAllowed) as own:
        services.claim_need(world["resident"], need)
    assert own.value.code == "claim.own_need"
