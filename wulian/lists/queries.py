"""What other apps read about the three lists, as plain data: the home pages' blocks.

Every function answers in a fixed number of queries, however many rows there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse

from wulian.lists.models import Attachment, Claim, Need, Project, Signature
from wulian.lists.rules import PUBLIC_NEED_STATES
from wulian.orgs.rules import membership_roles
from wulian.places.rules import covered_regions


@dataclass(frozen=True)
class NeedRow:
    id: int
    title: str
    state: str
    state_label: str
    urgency: int
    urgency_label: str
    community: str
    compound: str
    deadline: datetime.date | None
    slots_left: int
    url: str
    claim_url: str


@dataclass(frozen=True)
class ProjectRow:
    id: int
    title: str
    state: str
    state_label: str
    party: str
    community: str
    completed_at: datetime.datetime | None
    people_served: int | None
    photos: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class Mine:
    """A signed-in person's own business on the lists."""

    needs: list[NeedRow]
    needs_total: int
    claims: list[ProjectRow]
    to_sign: list[ProjectRow]


@dataclass(frozen=True)
class StaffQueue:
    """What waits for community staff on the lists, counted, with the first few of each."""

    to_review: int
    to_review_first: list[NeedRow]
    to_chase: int
    to_chase_first: list[ProjectRow]
    stalled: int


_NEED_RELATED = ("community", "compound")


def _need_row(need: Need) -> NeedRow:
    return NeedRow(
        id=need.pk,
        title=need.title,
        state=need.state,
        state_label=str(need.get_state_display()),
        urgency=need.urgency,
        urgency_label=str(need.get_urgency_display()),
        community=need.community.name,
        compound=need.compound.name if need.compound else "",
        deadline=need.deadline,
        slots_left=need.slots_left,
        url=reverse("lists:need", args=[need.pk]),
        claim_url=reverse("lists:claim", args=[need.pk]),
    )


def _image_photos(prefix: str = "") -> Prefetch[Any]:
    return Prefetch(
        f"{prefix}photos",
        queryset=Attachment.objects.filter(mime__startswith="image/"),
        to_attr="image_photos",
    )


def _project_row(project: Project, party: str = "") -> ProjectRow:
    photos = tuple(p.thumbnail_url for p in getattr(project.need, "image_photos", [])[:3])
    if not party:
        org = project.claim.organization
        party = org.name if org is not None else ""
    return ProjectRow(
        id=project.pk,
        title=project.title,
        state=project.state,
        state_label=str(project.get_state_display()),
        party=party,
        community=project.community.name,
        completed_at=project.completed_at,
        people_served=project.people_served,
        photos=photos,
        url=reverse("lists:project", args=[project.pk]),
    )


def _projects() -> Any:
    return Project.objects.select_related("need", "community", "claim__organization")


def open_to_claim(communities: Iterable[Any], limit: int = 6) -> tuple[list[NeedRow], int]:
    """Published needs with a slot left (most urgent, then nearest deadline), and how many."""
    needs = Need.objects.filter(
        community__in=list(communities),
        state=Need.State.PUBLISHED,
        claimed_slots__lt=F("slots"),
    )
    total = needs.count()
    first = needs.select_related(*_NEED_RELATED).order_by(
        "-urgency", F("deadline").asc(nulls_last=True), "-published_at", "-id"
    )[:limit]
    return [_need_row(n) for n in first], total


def recently_finished(communities: Iterable[Any], limit: int = 4) -> list[ProjectRow]:
    """Completed projects, newest first, with their need's photos (public as the need is)."""
    projects = (
        _projects()
        .filter(community__in=list(communities), state=Project.State.COMPLETED)
        .filter(need__state__in=PUBLIC_NEED_STATES)
        .prefetch_related(_image_photos("need__"))
        .order_by(F("completed_at").desc(nulls_last=True), "-id")[:limit]
    )
    return [_project_row(p) for p in projects]


def _unsigned(side: str) -> Any:
    return ~Exists(Signature.objects.filter(agreement__project=OuterRef("pk"), side=side))


def mine(user: Any, limit: int = 5) -> Mine:
    """My needs and their state, my claims, and the agreements waiting for my signature."""
    orgs = list(membership_roles(user))
    my_needs = Need.objects.filter(Q(raised_by=user) | Q(raised_for_id__in=orgs))
    needs = [
        _need_row(n)
        for n in my_needs.select_related(*_NEED_RELATED).order_by("-created_at", "-id")[:limit]
    ]
    mine_claimed = Q(claim__claimant=user, claim__organization__isnull=True)
    claims = [
        _project_row(p)
        for p in _projects()
        .filter(mine_claimed, claim__state=Claim.State.ACTIVE)
        .exclude(state=Project.State.CANCELLED)
        .order_by("-created_at", "-id")[:limit]
    ]
    waiting = (
        _projects()
        .filter(state=Project.State.SIGNING)
        .filter(
            (Q(need__raised_by=user) & _unsigned(Signature.Side.NEED))
            | (mine_claimed & _unsigned(Signature.Side.CLAIMANT))
        )
        .order_by("created_at", "id")[:limit]
    )
    return Mine(
        needs=needs,
        needs_total=my_needs.count(),
        claims=claims,
        to_sign=[_project_row(p) for p in waiting],
    )


def unit_projects(org_id: int, limit: int = 8) -> tuple[list[ProjectRow], list[ProjectRow]]:
    """A unit's projects under way or awaiting signatures, and those waiting for its signature."""
    projects = _projects().filter(
        claim__organization_id=org_id,
        claim__state=Claim.State.ACTIVE,
        state__in=[Project.State.SIGNING, Project.State.ACTIVE, Project.State.STALLED],
    )
    ours = [_project_row(p) for p in projects.order_by("-last_activity_at", "-id")[:limit]]
    to_sign = [
        _project_row(p)
        for p in projects.filter(state=Project.State.SIGNING)
        .filter(_unsigned(Signature.Side.CLAIMANT))
        .order_by("created_at", "id")[:limit]
    ]
    return ours, to_sign


def staff_queue(user: Any, limit: int = 5) -> StaffQueue:
    """Needs to review and agreements to chase in the regions the person acts for."""
    regions = covered_regions(user)
    submitted = Need.objects.filter(community__in=regions, state=Need.State.SUBMITTED)
    first = submitted.select_related(*_NEED_RELATED).order_by("-urgency", "created_at", "id")
    signing = _projects().filter(community__in=regions, state=Project.State.SIGNING)
    counts = Project.objects.filter(community__in=regions).aggregate(
        to_chase=Count("id", filter=Q(state=Project.State.SIGNING)),
        stalled=Count("id", filter=Q(state=Project.State.STALLED)),
    )
    return StaffQueue(
        to_review=submitted.count(),
        to_review_first=[_need_row(n) for n in first[:limit]],
        to_chase=counts["to_chase"],
        to_chase_first=[_project_row(p) for p in signing.order_by("created_at", "id")[:limit]],
        stalled=counts["stalled"],
    )


def open_needs_by_community(community_ids: Iterable[int]) -> dict[int, int]:
    """How many needs are open to claim in each community (one query)."""
    rows = (
        Need.objects.filter(community_id__in=list(community_ids), state=Need.State.PUBLISHED)
        .values("community_id")
        .annotate(n=Count("id"))
    )
    return {row["community_id"]: row["n"] for row in rows}
