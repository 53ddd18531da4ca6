from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import fresh
from tests.events.conftest import WHEN, published
from wulian.audit.models import AuditEntry
from wulian.core.errors import DomainError
from wulian.events import services
from wulian.events.models import EventNeed, ReleaseEvent
from wulian.lists import services as lists
from wulian.lists.models import Claim, Need
from wulian.orgs.models import Organization


def codes(call: Any) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.code


def actions(event: ReleaseEvent) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(event.pk), action__startswith="events.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_it_creates_a_draft_event_for_staff_of_its_communities(world):
    event = services.create_event(
        world["community_staff"], title=" 发布会 ", starts_at=WHEN, communities=[world.community]
    )
    assert event.state == "draft" and event.title == "发布会"
    assert list(event.communities.all()) == [world.community]
    assert actions(event) == ["events.created"]


def test_it_lets_subdistrict_staff_create_an_event_across_communities(world):
    event = services.create_event(
        world["subdistrict_staff"],
        title="街道发布会",
        starts_at=WHEN,
        communities=[world.community, world.other_community],
    )
    assert event.communities.count() == 2


@pytest.mark.parametrize(
    ("title", "which", "code"),
    [
        ("", "community", "event.no_title"),
        ("x" * 121, "community", "event.title_too_long"),
        ("发布会", "none", "event.no_communities"),
        ("发布会", "subdistrict", "event.not_community"),
    ],
)
def test_it_refuses_an_event_without_a_title_or_communities(world, title, which, code):
    communities = {"community": [world.community], "none": [], "subdistrict": [world.subdistrict]}
    assert (
        codes(
            lambda: services.create_event(
                world["community_staff"],
                title=title,
                starts_at=WHEN,
                communities=communities[which],
            )
        )
        == code
    )


@pytest.mark.parametrize("role", ["resident", "unit_admin", "outsider"])
def test_it_refuses_to_create_an_event_for_others(world, role):
    call = lambda: services.create_event(  # noqa: E731
        world[role], title="发布会", starts_at=WHEN, communities=[world.community]
    )
    assert codes(call) == "event.not_staff"


def test_it_refuses_community_staff_an_event_beyond_their_community(world):
    call = lambda: services.create_event(  # noqa: E731
        world["community_staff"],
        title="发布会",
        starts_at=WHEN,
        communities=[world.community, world.other_community],
    )
    assert codes(call) == "event.not_staff"


def test_it_puts_published_needs_on_the_list_once_and_in_order(world, event, needs):
    entries = list(EventNeed.objects.filter(event=event))
    assert [e.need for e in entries] == needs
    assert [e.position for e in entries] == [1, 2, 3]
    assert services.add_needs(world["community_staff"], event, needs) == []
    assert "events.needs_added" in actions(event)


def test_it_refuses_needs_that_are_not_published(world, event):
    need = lists.raise_need(world["resident"], world.community, lists.NeedInput(title="未审核"))
    assert codes(lambda: services.add_needs(world["community_staff"], event, [need])) == (
        "event.need_not_published"
    )


def test_it_refuses_needs_of_another_community(world, event):
    need = lists.raise_need(
        world["outsider"], world.other_community, lists.NeedInput(title="长春街修路灯")
    )
    need = lists.publish_need(world["outsider"], need)
    assert codes(lambda: services.add_needs(world["community_staff"], event, [need])) == (
        "event.need_outside"
    )


def test_it_refuses_a_need_already_on_another_open_event(world, event, needs):
    other = services.create_event(
        world["community_staff"], title="第二场", starts_at=WHEN, communities=[world.community]
    )
    assert codes(lambda: services.add_needs(world["community_staff"], other, needs[:1])) == (
        "event.need_elsewhere"
    )


@pytest.mark.parametrize("role", ["resident", "unit_admin", "outsider"])
def test_it_refuses_others_to_change_the_list(world, event, needs, role):
    user = fresh(world[role])
    assert codes(lambda: services.add_needs(user, event, needs)) == "event.not_staff"
    assert codes(lambda: services.remove_need(user, event, needs[0])) == "event.not_staff"
    assert codes(lambda: services.open_event(user, event)) == "event.not_staff"


def test_it_adds_every_published_need_of_a_category(world, haircut):
    first = published(world, "理发一", category=haircut)
    second = published(world, "理发二", category=haircut.parent)
    published(world, "无类别")
    event = services.create_event(
        world["community_staff"], title="发布会", starts_at=WHEN, communities=[world.community]
    )
    added = services.add_category_needs(world["community_staff"], event, haircut.parent)
    assert {e.need for e in added} == {first, second}


def test_it_removes_a_need_and_refuses_one_not_listed(world, event, needs):
    services.remove_need(world["community_staff"], event, needs[0])
    assert EventNeed.objects.filter(event=event).count() == 2
    assert codes(lambda: services.remove_need(world["community_staff"], event, needs[0])) == (
        "event.need_not_listed"
    )
    assert "events.need_removed" in actions(event)


def test_it_moves_an_event_from_draft_to_closed(world, event):
    staff = world["community_staff"]
    assert event.state == "upcoming"
    event = services.open_event(staff, event)
    assert event.state == "live" and event.opened_at
    event = services.close_event(staff, event)
    assert event.state == "closed" and event.closed_at
    assert codes(lambda: services.open_event(staff, event)) == "event.bad_state"
    assert codes(lambda: services.set_state(staff, event, "nonsense")) == "event.bad_state"


def test_it_refuses_to_open_an_empty_list_and_to_change_a_closed_one(world, needs):
    staff = world["community_staff"]
    event = services.create_event(
        staff, title="空的", starts_at=WHEN, communities=[world.community]
    )
    assert codes(lambda: services.open_event(staff, event)) == "event.no_needs"
    event = services.close_event(staff, services.announce_event(staff, event))
    assert codes(lambda: services.add_needs(staff, event, needs)) == "event.closed"
    assert codes(lambda: services.remove_need(staff, event, needs[0])) == "event.closed"


def test_it_records_a_paper_claim_for_an_organisation_through_its_contact(world, live, needs):
    claim = services.record_paper_claim(
        world["community_staff"], live, needs[0], organization=world.unit, note="纸质登记"
    )
    assert claim.source == Claim.Source.PAPER
    assert claim.organization == world.unit
    assert claim.claimant == world["unit_admin"]  # the administrator stands for the unit
    assert claim.recorded_by == world["community_staff"]
    assert "events.paper_claim" in actions(live)


def test_it_records_a_paper_claim_for_a_resident(world, live, needs):
    claim = services.record_paper_claim(
        world["community_staff"], live, needs[1], person=world["resident"]
    )
    assert claim.claimant == world["resident"] and claim.organization is None
    assert claim.claimant_kind == "resident"


def test_it_refuses_paper_claims_that_do_not_fit(world, event, needs):
    staff = world["community_staff"]
    assert codes(
        lambda: services.record_paper_claim(staff, event, needs[0], organization=world.unit)
    ) == ("event.not_live")
    live = services.open_event(staff, event)
    stray = published(world, "不在清单上")
    assert codes(
        lambda: services.record_paper_claim(staff, live, stray, organization=world.unit)
    ) == ("event.need_not_listed")
    assert codes(lambda: services.record_paper_claim(staff, live, needs[0])) == "event.no_claimant"
    assert codes(
        lambda: services.record_paper_claim(
            staff, live, needs[0], organization=world.unit, person=world["resident"]
        )
    ) == ("event.not_member")
    empty = Organization.objects.create(name="无人单位", kind="enterprise", region=world.community)
    assert codes(
        lambda: services.record_paper_claim(staff, live, needs[0], organization=empty)
    ) == ("event.org_without_members")
    assert codes(
        lambda: services.record_paper_claim(
            fresh(world["unit_admin"]), live, needs[0], organization=world.unit
        )
    ) == ("event.not_staff")


def test_it_answers_a_paper_claim_on_a_taken_need_with_the_lists_code(world, live, needs):
    services.record_paper_claim(world["community_staff"], live, needs[0], organization=world.unit)
    assert codes(
        lambda: services.record_paper_claim(
            world["community_staff"], live, needs[0], person=world["resident"]
        )
    ) == ("need.taken")


def test_it_corrects_a_mistaken_claim_and_opens_the_slot(world, live, needs):
    staff = world["community_staff"]
    claim = services.record_paper_claim(staff, live, needs[0], organization=world.unit)
    assert codes(lambda: services.correct_claim(staff, live, claim, " ")) == "claim.no_reason"
    services.correct_claim(staff, live, claim, "登记错了单位")
    claim.refresh_from_db()
    need = Need.objects.get(pk=needs[0].pk)
    assert claim.state == "cancelled" and need.state == "published" and need.slots_left == 1
    assert "events.claim_corrected" in actions(live)
    assert codes(lambda: services.correct_claim(staff, live, claim, "再来")) == "claim.not_active"
    assert codes(lambda: services.correct_claim(fresh(world["unit_admin"]), live, claim, "x")) == (
        "event.not_staff"
    )


def test_it_carries_unclaimed_needs_over_to_the_next_event(world, live, needs):
    staff = world["community_staff"]
    services.record_paper_claim(staff, live, needs[0], organization=world.unit)
    following = services.create_event(
        staff, title="第二场", starts_at=WHEN, communities=[world.community]
    )
    assert codes(lambda: services.carry_over_unclaimed(staff, live, following)) == (
        "event.not_closed"
    )
    closed = services.close_event(staff, live)
    assert codes(lambda: services.carry_over_unclaimed(staff, closed, closed)) == (
        "event.same_event"
    )
    moved = services.carry_over_unclaimed(staff, closed, following)
    assert {e.need for e in moved} == {needs[1], needs[2]}
    assert "events.carried_over" in actions(closed)
    assert codes(
        lambda: services.carry_over_unclaimed(fresh(world["outsider"]), closed, following)
    ) == ("event.not_staff")


def test_it_updates_an_open_event(world, event):
    updated = services.update_event(
        world["community_staff"], event, title="新标题", starts_at=WHEN, place="学校礼堂"
    )
    assert updated.title == "新标题" and "events.updated" in actions(event)
