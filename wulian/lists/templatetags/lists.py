"""The lists on other pages: a unit's resources, claims and projects on its page."""

from __future__ import annotations

from typing import Any

from django import template

from wulian.lists import matching, names
from wulian.lists.models import Claim, Need, Resource
from wulian.orgs.models import Organization
from wulian.orgs.rules import membership_roles

register = template.Library()


@register.inclusion_tag("lists/_unit_lists.html", takes_context=True)
def unit_lists(context: dict[str, Any], org: Organization) -> dict[str, Any]:
    user = context["request"].user
    resources = Resource.objects.filter(provider_org=org).select_related("category__parent")
    if not user.has_perm("orgs.view_members", org):
        resources = resources.filter(status=Resource.Status.ACTIVE)
    claims = (
        Claim.objects.filter(organization=org, state=Claim.State.ACTIVE)
        .select_related("need", "project")
        .order_by("-created_at")[:50]
    )
    return {
        "request": context["request"],
        "org": org,
        "resources": resources,
        "claims": claims,
        "can_view_projects": user.has_perm("orgs.view_members", org),
        "can_view_opportunities": user.has_perm("lists.view_opportunities", org),
    }


@register.inclusion_tag("lists/_opportunities.html", takes_context=True)
def unit_opportunities(
    context: dict[str, Any], org: Organization, show_org: bool = False, k: int = 10
) -> dict[str, Any]:
    """The needs a unit is best placed to claim (invitations first), for its members and staff."""
    user = context["request"].user
    allowed = user.has_perm("lists.view_opportunities", org)
    return {
        "org": org,
        "show_org": show_org,
        "opportunities": matching.opportunities_for(org, k=k) if allowed else [],
        "can_claim": org.pk in membership_roles(user),
        "request": context["request"],
    }


@register.inclusion_tag("lists/_opportunities.html", takes_context=True)
def unit_opportunities_for(context: dict[str, Any], org_id: int, k: int = 5) -> dict[str, Any]:
    """The same, for a unit known by its id (a home page's block)."""
    org = Organization.objects.get(pk=org_id)
    return unit_opportunities(context, org, k=k)


@register.inclusion_tag("lists/_my_opportunities.html", takes_context=True)
def my_opportunities(context: dict[str, Any], k: int = 5) -> dict[str, Any]:
    """On the home page of a unit's member: each of their units' opportunities."""
    request = context["request"]
    user = request.user
    orgs: list[Organization] = []
    if getattr(user, "is_authenticated", False):
        orgs = list(
            Organization.objects.filter(memberships__user=user, is_active=True).order_by("name")
        )
    return {"orgs": orgs, "k": k, "request": request}


@register.simple_tag(takes_context=True)
def raiser_name(context: dict[str, Any], need: Need) -> str:
    """The raiser's name as the viewer may see it (a resident's is masked for strangers)."""
    return names.raiser_name(context["request"].user, need)


@register.simple_tag(takes_context=True)
def claimant_name(context: dict[str, Any], claim: Claim) -> str:
    return names.claimant_name(context["request"].user, claim)


@register.simple_tag(takes_context=True)
def provider_name(context: dict[str, Any], resource: Resource) -> str:
    return names.provider_name(context["request"].user, resource)
