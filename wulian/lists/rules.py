"""Who may see and act on needs, resources, claims and projects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import rules
from django.db.models import Q, QuerySet

from wulian.core.access import Finder, get_for
from wulian.lists.models import Agreement, Claim, Need, Project, Resource
from wulian.orgs.rules import membership_roles
from wulian.places.rules import covered_regions, covers

PUBLIC_NEED_STATES = {Need.State.PUBLISHED, Need.State.CLAIMED, Need.State.DONE}
ADMIN = "admin"


def _member(user: Any, org_id: int | None) -> bool:
    return org_id is not None and org_id in membership_roles(user)


def _admin(user: Any, org_id: int | None) -> bool:
    return org_id is not None and membership_roles(user).get(org_id) == ADMIN


def is_raiser(user: Any, need: Need) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return need.raised_by_id == user.pk or _member(user, need.raised_for_id)


def is_need_staff(user: Any, need: Need) -> bool:
    return covers(user, need.community)


def is_claimant(user: Any, claim: Claim) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if claim.organization_id:
        return _member(user, claim.organization_id)
    return bool(claim.claimant_id == user.pk)


# ---- needs ----


@rules.predicate
def can_see_need(user: Any, need: Need | None) -> bool:
    if need is None:
        return False
    return need.state in PUBLIC_NEED_STATES or is_raiser(user, need) or is_need_staff(user, need)


@rules.predicate
def need_raiser(user: Any, need: Need | None) -> bool:
    return need is not None and is_raiser(user, need)


@rules.predicate
def need_staff(user: Any, need: Need | None) -> bool:
    return need is not None and is_need_staff(user, need)


@rules.predicate
def community_staff(user: Any, community: Any) -> bool:
    return covers(user, community)


rules.add_perm("lists.view_need", can_see_need)
rules.add_perm("lists.raise_need", rules.is_authenticated)
rules.add_perm("lists.review_need", need_staff)
rules.add_perm("lists.withdraw_need", need_raiser)
rules.add_perm("lists.claim_need", rules.is_authenticated & ~need_raiser)
rules.add_perm("lists.view_raiser_contact", need_staff)
rules.add_perm("lists.manage_lists", community_staff)  # import, export, review queue
rules.add_perm("lists.view_recommendations", need_staff | need_raiser)
rules.add_perm("lists.invite_to_claim", need_staff)


@rules.predicate
def any_staff(user: Any) -> bool:
    from wulian.places.rules import is_any_staff

    return is_any_staff(user)


@rules.predicate
def district_staff(user: Any) -> bool:
    """Staff of a district or the city: they keep the taxonomy every community shares."""
    from wulian.places.models import Region
    from wulian.places.rules import staff_region_ids

    assigned = staff_region_ids(user)
    return (
        bool(assigned)
        and Region.objects.filter(
            pk__in=assigned, level__in=[Region.Level.CITY, Region.Level.DISTRICT]
        ).exists()
    )


@rules.predicate
def category_keeper(user: Any, category: Any) -> bool:
    """A shared category: district staff; a community's own: that community's staff."""
    if category is None or category.community_id is None:
        return False
    return covers(user, category.community)


rules.add_perm("lists.manage_categories", any_staff)  # the page: shared ones shown, own edited
rules.add_perm("lists.manage_shared_categories", rules.is_superuser | district_staff)
rules.add_perm("lists.edit_category", rules.is_superuser | district_staff | category_keeper)


@rules.predicate
def org_member_or_staff(user: Any, org: Any) -> bool:
    return org is not None and (_member(user, org.pk) or covers(user, org.region))


rules.add_perm("lists.view_opportunities", org_member_or_staff)

# ---- resources ----


def is_provider(user: Any, resource: Resource) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if resource.provider_org_id:
        return _member(user, resource.provider_org_id)
    return bool(resource.provider_user_id == user.pk)


@rules.predicate
def can_see_resource(user: Any, resource: Resource | None) -> bool:
    if resource is None:
        return False
    return (
        resource.status == Resource.Status.ACTIVE
        or is_provider(user, resource)
        or covers(user, resource.community)
    )


@rules.predicate
def can_change_resource(user: Any, resource: Resource | None) -> bool:
    return resource is not None and (
        is_provider(user, resource) or covers(user, resource.community)
    )


rules.add_perm("lists.view_resource", can_see_resource)
rules.add_perm("lists.change_resource", can_change_resource)

# ---- projects ----


def need_side(user: Any, project: Project) -> bool:
    need = project.need
    if need.raiser_kind == "community":
        return is_need_staff(user, need) or is_raiser(user, need)
    return is_raiser(user, need)


def claimant_side(user: Any, project: Project) -> bool:
    return is_claimant(user, project.claim)


@rules.predicate
def project_party(user: Any, project: Project | None) -> bool:
    return project is not None and (need_side(user, project) or claimant_side(user, project))


@rules.predicate
def project_staff(user: Any, project: Project | None) -> bool:
    return project is not None and covers(user, project.community)


@rules.predicate
def project_claimant(user: Any, project: Project | None) -> bool:
    return project is not None and claimant_side(user, project)


@rules.predicate
def project_beneficiary(user: Any, project: Project | None) -> bool:
    """The need's raiser, or a verified resident where the need was."""
    if project is None or not getattr(user, "is_authenticated", False):
        return False
    need = project.need
    if need.raised_by_id == user.pk:
        return True
    if not getattr(user, "is_verified_resident", False):
        return False
    if need.compound_id:
        return bool(user.compound_id == need.compound_id)
    return bool(user.community_id == need.community_id)


rules.add_perm("lists.view_project", project_party | project_staff)
rules.add_perm("lists.view_party_contacts", project_party | project_staff)
rules.add_perm("lists.sign_agreement", project_party)
rules.add_perm("lists.report_progress", project_claimant | project_staff)
rules.add_perm("lists.manage_project", project_staff)
rules.add_perm("lists.rate_project", project_beneficiary & ~project_claimant)


# ---- names (residents' names are personal data) ----


def _claimed_need_ids(user: Any) -> frozenset[int]:
    """The needs the person (or one of their units) has an active claim on; once a request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_wulian_claimed_needs", None)
    if cached is None:
        cached = frozenset(
            Claim.objects.filter(
                Q(claimant=user) | Q(organization_id__in=list(membership_roles(user))),
                state=Claim.State.ACTIVE,
            ).values_list("need_id", flat=True)
        )
        user._wulian_claimed_needs = cached
    return cached


@rules.predicate
def can_see_raiser_name(user: Any, need: Need | None) -> bool:
    """Staff of the community, the raiser, and those who claimed the need."""
    if need is None:
        return False
    return is_raiser(user, need) or is_need_staff(user, need) or need.pk in _claimed_need_ids(user)


@rules.predicate
def can_see_claimant_name(user: Any, claim: Claim | None) -> bool:
    """Staff of the community and the two parties to the claim."""
    if claim is None:
        return False
    need = claim.need
    return is_claimant(user, claim) or is_raiser(user, need) or is_need_staff(user, need)


@rules.predicate
def can_see_provider_name(user: Any, resource: Resource | None) -> bool:
    return resource is not None and (
        is_provider(user, resource) or covers(user, resource.community)
    )


rules.add_perm("lists.view_raiser_name", can_see_raiser_name)
rules.add_perm("lists.view_claimant_name", can_see_claimant_name)
rules.add_perm("lists.view_provider_name", can_see_provider_name)


# ---- attachments ----


@rules.predicate
def can_see_attachment(user: Any, attachment: Any) -> bool:
    """A need's photo goes with the need, a progress photo with its project."""
    if attachment is None:
        return False
    if attachment.need_id is not None:
        return bool(user.has_perm("lists.view_need", attachment.need))
    return bool(user.has_perm("lists.view_project", attachment.update.project))


rules.add_perm("lists.view_attachment", can_see_attachment)


# ---- access helpers ----

NEED_RELATED = (
    "community",
    "category__parent",
    "compound",
    "raised_by",
    "raised_for",
    "asked_resource__provider_org",
)


def get_need_for(
    user: Any, pk: Any, perm: str = "lists.view_need", related: Sequence[str] = NEED_RELATED
) -> Need:
    """The need, or 404/403; `related` are the rows read with it (the rules need only its
    community: a page that may be kept reads the rest only when it draws the page)."""
    return get_for(
        user, Need.objects.select_related(*related), pk, perm, view_perm="lists.view_need"
    )


get_resource_for: Finder[Resource] = Finder(
    Resource.objects.select_related("community", "category__parent", "provider_org"),
    "lists.view_resource",
)


PROJECT_RELATED = (
    "community",
    "need__community",
    "need__raised_by",
    "need__raised_for",
    "need__compound",
    "claim__claimant",
    "claim__organization",
)


get_project_for: Finder[Project] = Finder(
    Project.objects.select_related(*PROJECT_RELATED), "lists.view_project"
)


def get_agreement_for(user: Any, pk: Any) -> Agreement:
    project = get_project_for(user, pk)
    return project.agreement


def visible_needs(user: Any) -> QuerySet[Need]:
    """Needs a person may see in lists: public ones, their own, and all in their area if staff."""
    query = Q(state__in=PUBLIC_NEED_STATES)
    if getattr(user, "is_authenticated", False):
        query |= Q(raised_by=user) | Q(raised_for_id__in=list(membership_roles(user)))
        regions = covered_regions(user)
        if regions.exists():
            query |= Q(community__in=regions)
    return Need.objects.filter(query)
