"""What the lists' services share: the actions they record, the fields an edit snapshots,
the state machines of needs, claims, projects and resources, tags, and who is told."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.audit import services as audit
from wulian.audit.readable import register_field_models
from wulian.core.errors import DomainError
from wulian.core.text import fold
from wulian.core.workflow import Workflow
from wulian.lists.models import (
    Claim,
    Need,
    PartyKind,
    Project,
    Resource,
    Tag,
)
from wulian.orgs.models import Organization
from wulian.places.models import Compound, Region

audit.register_actions(
    {
        "lists.need_raised": gettext_lazy("raised the need"),
        "lists.need_updated": gettext_lazy("edited the need"),
        "lists.need_published": gettext_lazy("published the need"),
        "lists.need_rejected": gettext_lazy("rejected the need"),
        "lists.need_withdrawn": gettext_lazy("withdrew the need"),
        "lists.need_merged": gettext_lazy("merged the need into another"),
        "lists.need_expired": gettext_lazy("the deadline passed unclaimed"),
        "lists.need_claimed": gettext_lazy("claimed the need"),
        "lists.need_reopened": gettext_lazy("reopened the need"),
        "lists.need_done": gettext_lazy("the need was met"),
        "lists.claim_cancelled": gettext_lazy("cancelled a claim"),
        "lists.resource_created": gettext_lazy("listed the resource"),
        "lists.resource_updated": gettext_lazy("edited the resource"),
        "lists.resource_status": gettext_lazy("changed the resource's status"),
        "lists.project_created": gettext_lazy("started the project from a claim"),
        "lists.agreement_updated": gettext_lazy("edited the agreement"),
        "lists.agreement_signed": gettext_lazy("signed the agreement"),
        "lists.agreement_frozen": gettext_lazy("both sides signed; the agreement is final"),
        "lists.milestone_added": gettext_lazy("added a milestone"),
        "lists.progress_posted": gettext_lazy("posted progress"),
        "lists.project_completed": gettext_lazy("completed the project"),
        "lists.project_cancelled": gettext_lazy("cancelled the project"),
        "lists.project_stalled": gettext_lazy("no progress for a long time: marked stalled"),
        "lists.project_rated": gettext_lazy("rated the project"),
        "lists.exported": gettext_lazy("exported a list"),
        "lists.need_invited": gettext_lazy("invited a unit to claim the need"),
    }
)


# The agreement's terms are recorded on the project's timeline.
register_field_models({"lists.agreement_updated": "lists.Agreement"})


NEED_FIELDS = (
    "title",
    "description",
    "category",
    "compound",
    "beneficiaries",
    "deadline",
    "urgency",
    "channel",
    "slots",
    "state",
)


RESOURCE_FIELDS = (
    "title",
    "description",
    "kind",
    "category",
    "capacity_text",
    "capacity_number",
    "capacity_unit",
    "capacity_period",
    "service_area",
    "availability",
    "weekdays",
    "status",
)


OPEN_STATES = {Need.State.SUBMITTED, Need.State.PUBLISHED}


LIVE_PROJECT_STATES = {Project.State.SIGNING, Project.State.ACTIVE, Project.State.STALLED}


_CLOSABLE = {Need.State.REJECTED, Need.State.WITHDRAWN, Need.State.MERGED}


NEED_FLOW = Workflow(
    Need,
    moves={
        Need.State.SUBMITTED: {Need.State.PUBLISHED, *_CLOSABLE},
        Need.State.PUBLISHED: {Need.State.CLAIMED, Need.State.EXPIRED, *_CLOSABLE},
        Need.State.CLAIMED: {Need.State.PUBLISHED, Need.State.DONE, *_CLOSABLE},
    },
    code="need.bad_state",
    refusal=gettext_lazy("This need is %(state)s and cannot be moved that way."),
)


PROJECT_FLOW = Workflow(
    Project,
    moves={
        Project.State.SIGNING: {Project.State.ACTIVE, Project.State.CANCELLED},
        Project.State.ACTIVE: {
            Project.State.STALLED,
            Project.State.COMPLETED,
            Project.State.CANCELLED,
        },
        Project.State.STALLED: {
            Project.State.ACTIVE,
            Project.State.COMPLETED,
            Project.State.CANCELLED,
        },
    },
    code="project.not_active",
    refusal=gettext_lazy("The project is %(state)s; this is only possible while it is under way."),
)


CLAIM_FLOW = Workflow(
    Claim,
    moves={Claim.State.ACTIVE: {Claim.State.CANCELLED}},
    code="claim.not_active",
    refusal=gettext_lazy("This claim was already cancelled."),
    community=lambda claim: claim.need.community,
)


RESOURCE_FLOW = Workflow(
    Resource,
    field="status",
    moves={
        Resource.Status.ACTIVE: {Resource.Status.PAUSED, Resource.Status.RETIRED},
        Resource.Status.PAUSED: {Resource.Status.ACTIVE, Resource.Status.RETIRED},
    },
    code="resource.retired",
    refusal=gettext_lazy("A resource that is %(state)s cannot become %(to)s."),
)


def org_party_kind(org: Organization) -> str:
    return PartyKind.COMMUNITY if org.kind == Organization.Kind.COMMUNITY else org.kind


def split_tags(raw: str | Iterable[str] | None) -> list[str]:
    if raw is None:
        return []
    parts = re.split(r"[、,，;；\s]+", raw) if isinstance(raw, str) else list(raw)
    seen: dict[str, None] = {}
    for part in parts:
        name = part.strip().lstrip("#")[:30]
        if name:
            seen.setdefault(name, None)
    return list(seen)


def _set_tags(obj: Need | Resource, names: Sequence[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    obj.tags.set([existing[n] for n in names])


def _tag_and_index(obj: Need | Resource, raw_tags: str | Iterable[str] | None) -> None:
    """Set the tags and refresh the folded search text; the caller saves the object."""
    tags = split_tags(raw_tags)
    _set_tags(obj, tags)
    obj.search_text = _search_text(obj, tags)


def _search_text(obj: Need | Resource, tags: Sequence[str]) -> str:
    category = str(obj.category) if obj.category_id else ""
    extra = obj.raiser_display if isinstance(obj, Need) else obj.provider_display
    return fold(" ".join([obj.title, obj.description, category, " ".join(tags), extra]))


def _community(region: Region) -> Region:
    if not region.is_community:
        raise DomainError("lists.not_community", _("Lists belong to a community."))
    return region


def _check_compound(compound: Compound | None, community: Region) -> None:
    if compound is not None and compound.community_id != community.pk:
        raise DomainError(
            "need.bad_compound",
            _("%(compound)s is not in %(community)s.")
            % {"compound": compound, "community": community},
        )


def _raiser_recipients(need: Need) -> list[Any]:
    if need.raised_for_id and need.raised_for is not None:
        return [need.raised_for]
    return [need.raised_by] if need.raised_by_id and need.raised_by is not None else []


def _need_url(need: Need) -> str:
    return reverse("lists:need", args=[need.pk])


def _project_url(project: Project) -> str:
    return reverse("lists:project", args=[project.pk])


def _is_staff(actor: Any, community: Region) -> bool:
    """Staff of the community (or above it), or a superuser."""
    return bool(actor.has_perm("lists.manage_lists", community))
