"""Invitations to claim, a unit's opportunities, the whole-list assignment page and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import fresh
from wulian.audit.models import AuditEntry
from wulian.core.errors import DomainError
from wulian.lists import matching, services
from wulian.lists.models import Category, Invitation, Need, Resource
from wulian.notifications.models import Notification
from wulian.orgs.models import Membership, Organization

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_engines")]


@pytest.fixture
def barbers_team(world: Any, haircut: Category) -> tuple[Organization, Resource]:
    team = Organization.objects.create(
        name="银龄理发志愿服务队", kind=Organization.Kind.VOLUNTEER_TEAM, region=world.community
    )
    Membership.objects.create(organization=team, user=world["outsider"], role="admin")
    resource = services.create_resource(
        world["community_staff"],
        world.community,
        services.ResourceInput(
            title="志愿理发", category=haircut, tags=["理发"], capacity_text="1 人次/月"
        ),
        provider_org=team,
    )
    return team, resource


def _publish(world: Any, title: str, category: Category | None, **extra: Any) -> Need:
    raised = services.raise_need(
        world["community_staff"],
        world.community,
        services.NeedInput(title=title, category=category, **extra),
        for_org=world.party_committee,
    )
    return services.publish_need(world["community_staff"], raised)


# ---------------------------------------------------------------- the service


def test_staff_invite_a_unit_which_is_notified_and_audited(
    world: Any, need: Need, barber: Resource
) -> None:
    invitation = services.invite_to_claim(
        world["community_staff"], need, world.unit, resource=barber, note="请优先安排"
    )
    assert invitation.organization == world.unit
    assert invitation.invited_by == world["community_staff"]
    entry = AuditEntry.objects.filter(action="lists.need_invited", object_id=str(need.pk)).get()
    assert (entry.after or {})["organization_id"] == world.unit.pk
    told = Notification.objects.filter(kind="need.invited")
    assert {n.recipient for n in told} == {world["unit_contact"], world["unit_admin"]}
    assert told[0].url == reverse("lists:claim", args=[need.pk])


@pytest.mark.parametrize("role", ["unit_contact", "resident", "outsider"])
def test_only_the_communitys_staff_may_invite(world: Any, need: Need, role: str) -> None:
    with pytest.raises(DomainError) as refused:
        services.invite_to_claim(world[role], need, world.unit)
    assert refused.value.code == "invitation.not_staff"


def test_subdistrict_staff_may_invite(world: Any, need: Need) -> None:
    services.invite_to_claim(world["subdistrict_staff"], need, world.unit)
    assert Invitation.objects.filter(need=need, organization=world.unit).exists()


def test_it_refuses_a_second_invitation(world: Any, need: Need) -> None:
    services.invite_to_claim(world["community_staff"], need, world.unit)
    with pytest.raises(DomainError) as refused:
        services.invite_to_claim(world["community_staff"], need, world.unit)
    assert refused.value.code == "invitation.duplicate"
    assert Invitation.objects.count() == 1


def test_it_refuses_a_need_not_open_to_claim(world: Any, haircut: Category) -> None:
    submitted = services.raise_need(
        world["resident"], world.community, services.NeedInput(title="理发", category=haircut)
    )
    with pytest.raises(DomainError) as refused:
        services.invite_to_claim(world["community_staff"], submitted, world.unit)
    assert refused.value.code == "invitation.need_not_open"


def test_it_refuses_a_unit_that_already_claimed(world: Any, need: Need) -> None:
    services.claim_need(world["unit_admin"], need, organization=world.unit)
    need.refresh_from_db()
    need.state = Need.State.PUBLISHED  # a second slot would be open
    need.slots = 2
    need.save()
    with pytest.raises(DomainError) as refused:
        services.invite_to_claim(world["community_staff"], need, world.unit)
    assert refused.value.code == "invitation.already_claimed"


def test_it_refuses_an_inactive_unit(world: Any, need: Need) -> None:
    Organization.objects.filter(pk=world.unit.pk).update(is_active=False)
    world.unit.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.invite_to_claim(world["community_staff"], need, world.unit)
    assert refused.value.code == "invitation.org_inactive"


def test_it_refuses_a_resource_of_another_unit(
    world: Any, need: Need, barbers_team: tuple[Organization, Resource]
) -> None:
    _team, resource = barbers_team
    with pytest.raises(DomainError) as refused:
        services.invite_to_claim(world["community_staff"], need, world.unit, resource=resource)
    assert refused.value.code == "invitation.bad_resource"


# ---------------------------------------------------------------- pages


def test_staff_invite_from_the_need_page(
    client: Any, world: Any, need: Need, barber: Resource
) -> None:
    client.force_login(world["community_staff"])
    response = client.post(
        reverse("lists:need_invite", args=[need.pk]),
        {"organization": world.unit.pk, "resource": barber.pk},
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(need=need, organization=world.unit, resource=barber).exists()
    page = client.get(reverse("lists:need", args=[need.pk]))
    assert page.context["recommendations"]()[0].invited


def test_the_invite_url_refuses_others(client: Any, world: Any, need: Need) -> None:
    client.force_login(world["unit_admin"])
    response = client.post(
        reverse("lists:need_invite", args=[need.pk]), {"organization": world.unit.pk}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_the_invited_unit_sees_the_need_first_and_the_claim_page_says_so(
    client: Any, world: Any, need: Need, barber: Resource, haircut: Category
) -> None:
    other = _publish(world, "老人理发", haircut, tags=["理发", "老人"])
    services.invite_to_claim(world["community_staff"], need, world.unit)
    found = matching.opportunities_for(world.unit, k=10)
    assert [o.need.pk for o in found][:2] == [need.pk, other.pk]
    assert found[0].invitation is not None and found[1].invitation is None
    assert found[1].reasons  # proposals carry their reasons

    client.force_login(world["unit_contact"])
    response = client.get(reverse("lists:opportunities"))
    body = response.content.decode()
    assert body.index(f'data-need="{need.pk}"') < body.index(f'data-need="{other.pk}"')
    with translation.override("en"):
        claim = client.get(reverse("lists:claim", args=[need.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert claim.context["invitations"][0].organization == world.unit
    assert claim.context["form"]["organization"].initial == world.unit


def test_opportunities_leave_out_needs_the_unit_claimed(
    world: Any, need: Need, barber: Resource
) -> None:
    assert [o.need.pk for o in matching.opportunities_for(world.unit)] == [need.pk]
    services.claim_need(world["unit_admin"], need, organization=world.unit)
    assert matching.opportunities_for(world.unit) == []


def test_the_units_page_shows_its_opportunities_to_members_only(
    client: Any, world: Any, need: Need, barber: Resource
) -> None:
    url = reverse("orgs:detail", args=[world.unit.pk])
    client.force_login(world["unit_contact"])
    assert f'data-need="{need.pk}"' in client.get(url).content.decode()
    client.force_login(world["outsider"])
    assert f'data-need="{need.pk}"' not in client.get(url).content.decode()


# ---------------------------------------------------------------- the assignment page


def test_staff_propose_adjust_and_send_an_assignment(
    client: Any,
    world: Any,
    need: Need,
    barber: Resource,
    haircut: Category,
    barbers_team: tuple[Organization, Resource],
) -> None:
    team, team_resource = barbers_team
    second = _publish(world, "长者理发", haircut, tags=["理发", "老人"])
    nobody = _publish(world, "屋顶防水补漏", None)
    url = reverse("lists:assign", args=[world.community.pk])
    client.force_login(world["community_staff"])
    response = client.get(url, {"category": haircut.pk, "fair": "on", "propose": "1"})
    assert response.status_code == 200
    proposal = response.context["proposal"]
    assert {row.need.pk for row in proposal.rows} == {need.pk, second.pk}
    assert nobody not in proposal.unassigned  # not in the category
    everything = client.get(url, {"propose": "1"}).context["proposal"]
    assert [n.pk for n in everything.unassigned] == [nobody.pk]
    assert f'data-need="{nobody.pk}"' in client.get(url, {"propose": "1"}).content.decode()

    # Staff keep the first row, move the second to the team, and send.
    picks = [f"{need.pk}:{barber.pk}", f"{second.pk}:{team_resource.pk}"]
    sent = client.post(url + "?propose=1", {"pick": picks})
    assert sent.status_code == 302
    invited = set(Invitation.objects.values_list("need_id", "organization_id"))
    assert invited == {(need.pk, world.unit.pk), (second.pk, team.pk)}
    assert AuditEntry.objects.filter(action="lists.need_invited").count() == 2
    # Sending again sends nothing twice.
    client.post(url, {"pick": picks})
    assert Invitation.objects.count() == 2


def test_a_dropped_row_is_not_sent(client: Any, world: Any, need: Need, barber: Resource) -> None:
    client.force_login(world["community_staff"])
    url = reverse("lists:assign", args=[world.community.pk])
    client.post(url, {"pick": ["", f"{need.pk}:{barber.pk}"]})
    assert Invitation.objects.count() == 1


def test_a_bad_pick_sends_nothing(
    client: Any, world: Any, need: Need, barber: Resource, haircut: Category
) -> None:
    submitted = services.raise_need(
        world["resident"], world.community, services.NeedInput(title="理发", category=haircut)
    )
    client.force_login(world["community_staff"])
    url = reverse("lists:assign", args=[world.community.pk])
    client.post(url, {"pick": [f"{need.pk}:{barber.pk}", f"{submitted.pk}:{barber.pk}"]})
    assert not Invitation.objects.exists()  # one transaction: all or nothing


@pytest.mark.parametrize("role", ["unit_admin", "resident", "outsider"])
def test_the_assignment_page_is_for_staff(client: Any, world: Any, role: str) -> None:
    client.force_login(world[role])
    url = reverse("lists:assign", args=[world.community.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"pick": []}).status_code == 403


# ---------------------------------------------------------------- the API


def test_the_api_gives_recommendations_to_staff_and_the_raiser(
    client: Any, world: Any, need: Need, barber: Resource
) -> None:
    url = f"/api/needs/{need.pk}/recommendations"
    client.force_login(world["community_staff"])
    body = client.get(url).json()
    assert body[0]["resource_id"] == barber.pk
    assert body[0]["organization_id"] == world.unit.pk
    assert 0 < body[0]["score"] <= 1 and body[0]["reasons"]
    client.force_login(world["resident"])
    assert client.get(url).status_code == 200
    client.force_login(world["unit_contact"])
    response = client.get(url)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_api_gives_a_units_opportunities_to_its_members_and_staff(
    client: Any, world: Any, need: Need, barber: Resource
) -> None:
    services.invite_to_claim(world["community_staff"], need, world.unit)
    url = f"/api/organizations/{world.unit.pk}/opportunities"
    client.force_login(fresh(world["unit_contact"]))
    body = client.get(url).json()
    assert body[0]["need_id"] == need.pk and body[0]["invited"] is True
    client.force_login(world["community_staff"])
    assert client.get(url).status_code == 200
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 403


def test_the_home_page_tag_lists_each_of_the_members_units(
    rf: Any, world: Any, need: Need, barber: Resource
) -> None:
    from django.template import RequestContext, Template

    request = rf.get("/")
    request.user = fresh(world["unit_contact"])
    html = Template("{% load lists %}{% my_opportunities %}").render(RequestContext(request, {}))
    assert f'id="opportunity-{world.unit.pk}-{need.pk}"' in html
    request.user = fresh(world["resident"])
    assert "data-need" not in Template("{% load lists %}{% my_opportunities %}").render(
        RequestContext(request, {})
    )
