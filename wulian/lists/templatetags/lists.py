"""The lists on other pages: a unit's resources, claims and projects on its page."""

from __future__ import annotations

from typing import Any

from django import template

from wulian.lists.models import Claim, Resource
from wulian.orgs.models import Organization

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
        "org": org,
        "resources": resources,
        "claims": claims,
        "can_view_projects": user.has_perm("orgs.view_members", org),
    }
