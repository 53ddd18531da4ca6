"""The lists in the JSON API: the same services and permissions as the pages."""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Query

from wulian.accounts.models import User
from wulian.core.bounds import MAX_ID, BoundedPagination, Count, Id
from wulian.core.errors import DomainError
from wulian.core.http import client_ip
from wulian.core.idempotency import idempotent
from wulian.lists import matching, names, services
from wulian.lists.actions import NEED_ACTIONS, PROJECT_ACTIONS
from wulian.lists.models import Category, Need, Project, Resource
from wulian.lists.rules import (
    NEED_RELATED,
    get_need_for,
    get_project_for,
    get_resource_for,
    visible_needs,
)
from wulian.orgs.models import Organization
from wulian.orgs.rules import get_organization_for
from wulian.places.models import Compound, Region

router = Router(tags=["lists"])


class NeedOut(Schema):
    id: int
    title: str
    description: str
    state: str
    category: str | None
    tags: list[str]
    community_id: int
    compound: str | None
    urgency: int
    deadline: datetime.date | None
    beneficiaries: int | None
    slots: int
    slots_left: int
    raiser_kind: str
    raiser: str
    asked_resource_id: int | None = None
    created_at: datetime.datetime


class NeedIn(Schema):
    title: str = Field(..., max_length=120)
    description: str = ""
    community_id: Id
    category_id: Id | None = None
    tags: list[str] = []
    compound_id: Id | None = None
    beneficiaries: Count | None = None
    deadline: datetime.date | None = None
    urgency: int = Field(0, ge=0, le=2)
    slots: int = Field(1, ge=1, le=50)
    organization_id: Id | None = None


class NeedPatch(Schema):
    title: str | None = Field(None, max_length=120)
    description: str | None = None
    category_id: Id | None = None
    tags: list[str] | None = None
    compound_id: Id | None = None
    beneficiaries: Count | None = None
    deadline: datetime.date | None = None
    urgency: int | None = Field(None, ge=0, le=2)
    slots: int | None = Field(None, ge=1, le=50)


class ResourceOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    status: str
    category: str | None
    tags: list[str]
    community_id: int
    provider: str
    provider_kind: str
    capacity: str
    capacity_number: int | None
    capacity_unit: str
    capacity_period: str
    availability: str
    weekdays: str
    service_area_id: int | None
    hours_from: datetime.time | None
    hours_to: datetime.time | None


class ResourceIn(Schema):
    title: str = Field(..., max_length=120)
    description: str = ""
    community_id: Id
    kind: str = Resource.Kind.SERVICE
    category_id: Id | None = None
    tags: list[str] = []
    capacity: str = ""
    availability: str = ""
    weekdays: str = ""
    service_area_id: Id | None = None
    hours_from: datetime.time | None = None
    hours_to: datetime.time | None = None
    organization_id: Id | None = None


class ResourcePatch(Schema):
    """An edit: only the fields sent change; a field sent as null is cleared."""

    title: str | None = Field(None, max_length=120)
    description: str | None = None
    kind: str | None = None
    category_id: Id | None = None
    tags: list[str] | None = None
    capacity: str | None = None
    availability: str | None = None
    weekdays: str | None = None
    service_area_id: Id | None = None
    hours_from: datetime.time | None = None
    hours_to: datetime.time | None = None


class ClaimIn(Schema):
    organization_id: Id | None = None


class ClaimOut(Schema):
    claim_id: int
    project_id: int
    slot: int
    need_state: str


class SignIn(Schema):
    side: str
    typed_name: str
    signature_png_base64: str


class ProgressIn(Schema):
    text: str


class CompleteIn(Schema):
    summary: str
    people_served: Count | None = None
    volunteer_hours: Decimal | None = Field(None, ge=0, max_digits=8, decimal_places=1)
    money: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    materials: str = ""


class RateIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: str = ""


class ProjectOut(Schema):
    id: int
    title: str
    state: str
    need_id: int
    claimant: str
    agreement_signed: bool
    signed_sides: list[str]
    people_served: int | None
    volunteer_hours: Decimal | None
    completed_at: datetime.datetime | None


def need_out(need: Need, viewer: Any = None) -> dict[str, Any]:
    """The need as `viewer` may see it (a resident raiser's name is masked for strangers)."""
    viewer = viewer if viewer is not None else AnonymousUser()
    return {
        "id": need.pk,
        "title": need.title,
        "description": need.description,
        "state": need.state,
        "category": str(need.category) if need.category_id else None,
        "tags": [t.name for t in need.tags.all()],
        "community_id": need.community_id,
        "compound": str(need.compound) if need.compound_id else None,
        "urgency": need.urgency,
        "deadline": need.deadline,
        "beneficiaries": need.beneficiaries,
        "slots": need.slots,
        "slots_left": need.slots_left,
        "raiser_kind": need.raiser_kind,
        "raiser": names.raiser_name(viewer, need),
        "asked_resource_id": need.asked_resource_id,
        "created_at": need.created_at,
    }


def resource_out(resource: Resource, viewer: Any = None) -> dict[str, Any]:
    viewer = viewer if viewer is not None else AnonymousUser()
    return {
        "id": resource.pk,
        "title": resource.title,
        "description": resource.description,
        "kind": resource.kind,
        "status": resource.status,
        "category": str(resource.category) if resource.category_id else None,
        "tags": [t.name for t in resource.tags.all()],
        "community_id": resource.community_id,
        "provider": names.provider_name(viewer, resource),
        "provider_kind": resource.provider_kind,
        "capacity": resource.capacity_text,
        "capacity_number": resource.capacity_number,
        "capacity_unit": resource.capacity_unit,
        "capacity_period": resource.capacity_period,
        "availability": resource.availability,
        "weekdays": resource.weekdays,
        "service_area_id": resource.service_area_id,
        "hours_from": resource.hours_from,
        "hours_to": resource.hours_to,
    }


def project_out(project: Project) -> dict[str, Any]:
    sides = list(project.agreement.signatures.values_list("side", flat=True))
    return {
        "id": project.pk,
        "title": project.title,
        "state": project.state,
        "need_id": project.need_id,
        "claimant": project.claim.party_display,
        "agreement_signed": project.agreement.frozen_at is not None,
        "signed_sides": sides,
        "people_served": project.people_served,
        "volunteer_hours": project.volunteer_hours,
        "completed_at": project.completed_at,
    }


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise DomainError("unauthenticated", _("Sign in or send a valid API token."))
    return user


def _community(pk: int) -> Region:
    return get_object_or_404(Region, pk=pk, level=Region.Level.COMMUNITY)


def _optional(model: Any, pk: int | None) -> Any:
    return get_object_or_404(model, pk=pk) if pk is not None else None


# Fields sent by id in the API, and the model each names.
_BY_ID = {"category_id": Category, "compound_id": Compound, "service_area_id": Region}
_RENAMED = {"capacity": "capacity_text"}


def _sent(payload: Schema) -> dict[str, Any]:
    """What the caller sent, as the service input's fields: objects for ids, nothing unsent."""
    sent: dict[str, Any] = {}
    for name, value in payload.dict(exclude_unset=True).items():
        if name in _BY_ID:
            sent[name.removesuffix("_id")] = _optional(_BY_ID[name], value)
        elif name == "tags":
            sent[name] = tuple(value or ())
        elif value is None and name not in _NULLABLE:
            raise DomainError("field.required", _("%(field)s cannot be empty.") % {"field": name})
        else:
            sent[_RENAMED.get(name, name)] = value
    return sent


_NULLABLE = {"beneficiaries", "deadline", "hours_from", "hours_to"}


class _LazyList:
    """Paginate a queryset and serialise only the page."""

    def __init__(self, queryset: QuerySet[Any], render: Any) -> None:
        self.queryset = queryset
        self.render = render

    def __len__(self) -> int:
        return self.queryset.count()

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.render(obj) for obj in self.queryset[index]]


@router.get("/needs", response=list[NeedOut], auth=None, summary="Needs you may see")
@paginate(BoundedPagination, page_size=50)
def list_needs(
    request: HttpRequest,
    state: str | None = None,
    community_id: int | None = Query(None, ge=1, le=MAX_ID),
    q: str | None = None,
) -> Any:
    needs = visible_needs(request.user).select_related(*NEED_RELATED).prefetch_related("tags")
    if state:
        needs = needs.filter(state=state)
    if community_id:
        needs = needs.filter(community_id=community_id)
    if q:
        needs = needs.filter(services.needs_matching(q))
    return _LazyList(needs.order_by("-created_at", "-id"), lambda n: need_out(n, request.user))


@router.get("/needs/{need_id}", response=NeedOut, auth=None)
def read_need(request: HttpRequest, need_id: Id) -> dict[str, Any]:
    return need_out(get_need_for(request.user, need_id), request.user)


@router.post("/needs", response={201: NeedOut}, summary="Raise a need")
@idempotent
def create_need(request: HttpRequest, payload: NeedIn) -> Status[Any]:
    user = User.of(request)
    community = _community(payload.community_id)
    need = services.raise_need(
        user,
        community,
        _need_input(payload),
        for_org=_optional(Organization, payload.organization_id),
    )
    return Status(201, need_out(need, user))


def _need_input(payload: NeedIn) -> services.NeedInput:
    return services.NeedInput(
        title=payload.title,
        description=payload.description,
        category=_optional(Category, payload.category_id),
        tags=payload.tags,
        compound=_optional(Compound, payload.compound_id),
        beneficiaries=payload.beneficiaries,
        deadline=payload.deadline,
        urgency=payload.urgency,
        slots=payload.slots,
    )


@router.patch("/needs/{need_id}", response=NeedOut, summary="Edit a need")
def update_need(request: HttpRequest, need_id: Id, payload: NeedPatch) -> dict[str, Any]:
    user = User.of(request)
    need = get_need_for(user, need_id)
    data = replace(services.NeedInput.from_need(need), **_sent(payload))
    return need_out(services.update_need(user, need, data), user)


@router.post("/needs/{need_id}/claim", response={201: ClaimOut}, summary="Claim a need (揭榜)")
@idempotent
def claim_need(request: HttpRequest, need_id: Id, payload: ClaimIn) -> Status[Any]:
    user = User.of(request)
    need = get_need_for(user, need_id)
    claim = services.claim_need(
        user,
        need,
        organization=_optional(Organization, payload.organization_id),
        source="api",
    )
    need.refresh_from_db()
    return Status(
        201,
        {
            "claim_id": claim.pk,
            "project_id": claim.project.pk,
            "slot": claim.slot,
            "need_state": need.state,
        },
    )


@router.get("/resources", response=list[ResourceOut], auth=None)
@paginate(BoundedPagination, page_size=50)
def list_resources(
    request: HttpRequest,
    community_id: int | None = Query(None, ge=1, le=MAX_ID),
    kind: str | None = None,
) -> Any:
    resources = Resource.objects.filter(status=Resource.Status.ACTIVE).select_related(
        "category__parent", "provider_org"
    )
    if community_id:
        resources = resources.filter(community_id=community_id)
    if kind:
        resources = resources.filter(kind=kind)
    return _LazyList(
        resources.prefetch_related("tags").order_by("-created_at", "-id"),
        lambda r: resource_out(r, request.user),
    )


@router.get("/resources/{resource_id}", response=ResourceOut, auth=None)
def read_resource(request: HttpRequest, resource_id: Id) -> dict[str, Any]:
    return resource_out(get_resource_for(request.user, resource_id), request.user)


def _resource_input(payload: ResourceIn) -> services.ResourceInput:
    return services.ResourceInput(
        title=payload.title,
        description=payload.description,
        kind=payload.kind,
        category=_optional(Category, payload.category_id),
        tags=payload.tags,
        capacity_text=payload.capacity,
        service_area=_optional(Region, payload.service_area_id),
        availability=payload.availability,
        weekdays=payload.weekdays,
        hours_from=payload.hours_from,
        hours_to=payload.hours_to,
    )


@router.post(
    "/resources/{resource_id}/ask",
    response={201: NeedOut},
    summary="Ask a resource's provider for it (a need addressed to the provider)",
)
@idempotent
def ask_for_resource(request: HttpRequest, resource_id: Id, payload: NeedIn) -> Status[Any]:
    user = User.of(request)
    resource = get_resource_for(user, resource_id)
    need = services.ask_for_resource(
        user,
        _community(payload.community_id),
        resource,
        _need_input(payload),
        for_org=_optional(Organization, payload.organization_id),
    )
    return Status(201, need_out(need, user))


@router.post("/resources", response={201: ResourceOut}, summary="Offer a resource")
@idempotent
def create_resource(request: HttpRequest, payload: ResourceIn) -> Status[Any]:
    user = User.of(request)
    if payload.kind not in Resource.Kind.values:
        raise DomainError("resource.bad_kind", _("Unknown kind of resource."))
    resource = services.create_resource(
        user,
        _community(payload.community_id),
        _resource_input(payload),
        provider_org=_optional(Organization, payload.organization_id),
    )
    return Status(201, resource_out(resource, user))


@router.api_operation(
    ["PUT", "PATCH"],
    "/resources/{resource_id}",
    response=ResourceOut,
    summary="Edit a resource (only the fields sent change)",
)
def update_resource(
    request: HttpRequest, resource_id: Id, payload: ResourcePatch
) -> dict[str, Any]:
    user = User.of(request)
    resource = get_resource_for(user, resource_id, "lists.change_resource")
    sent = _sent(payload)
    if "kind" in sent and sent["kind"] not in Resource.Kind.values:
        raise DomainError("resource.bad_kind", _("Unknown kind of resource."))
    data = replace(services.ResourceInput.from_resource(resource), **sent)
    return resource_out(services.update_resource(user, resource, data), user)


@router.get("/projects/{project_id}", response=ProjectOut)
def read_project(request: HttpRequest, project_id: Id) -> dict[str, Any]:
    return project_out(get_project_for(User.of(request), project_id))


@router.post("/projects/{project_id}/sign", response=ProjectOut, summary="Sign the agreement")
def sign(request: HttpRequest, project_id: Id, payload: SignIn) -> dict[str, Any]:
    user = User.of(request)
    project = get_project_for(user, project_id)
    try:
        png = base64.b64decode(payload.signature_png_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError(
            "signature.not_image", _("Draw your signature in the box before signing.")
        ) from exc
    PROJECT_ACTIONS.get("sign").run(
        user,
        project,
        {
            "side": payload.side,
            "typed_name": payload.typed_name,
            "drawing": png,
            "ip_address": client_ip(request),
        },
    )
    project.refresh_from_db()
    return project_out(project)


@router.post("/projects/{project_id}/progress", response={201: ProjectOut})
@idempotent
def progress(request: HttpRequest, project_id: Id, payload: ProgressIn) -> Status[Any]:
    user = User.of(request)
    project = get_project_for(user, project_id)
    PROJECT_ACTIONS.get("progress").run(user, project, {"text": payload.text})
    project.refresh_from_db()
    return Status(201, project_out(project))


@router.post("/projects/{project_id}/complete", response=ProjectOut)
def complete(request: HttpRequest, project_id: Id, payload: CompleteIn) -> dict[str, Any]:
    user = User.of(request)
    project = get_project_for(user, project_id)
    outcomes = services.Outcomes(
        summary=payload.summary,
        people_served=payload.people_served,
        volunteer_hours=payload.volunteer_hours,
        money=payload.money,
        materials=payload.materials,
    )
    done = PROJECT_ACTIONS.get("complete").run(user, project, {"outcomes": outcomes})
    return project_out(done)


@router.post("/projects/{project_id}/rate", response={201: ProjectOut})
def rate(request: HttpRequest, project_id: Id, payload: RateIn) -> Status[Any]:
    user = User.of(request)
    project = get_project_for(user, project_id)
    PROJECT_ACTIONS.get("rate").run(
        user, project, {"score": payload.score, "comment": payload.comment}
    )
    return Status(201, project_out(project))


class RecommendationOut(Schema):
    resource_id: int
    resource: str
    provider: str
    organization_id: int | None
    score: float
    reasons: list[str]
    invited: bool


class OpportunityOut(Schema):
    need_id: int
    title: str
    community_id: int
    invited: bool
    resource_id: int | None
    score: float | None
    reasons: list[str]


@router.get(
    "/needs/{need_id}/recommendations",
    response=list[RecommendationOut],
    summary="Providers recommended for a need (staff and the raiser)",
)
def need_recommendations(request: HttpRequest, need_id: Id, k: Count = 5) -> list[dict[str, Any]]:
    user = User.of(request)
    need = get_need_for(user, need_id, "lists.view_recommendations")
    if need.state not in matching.OPEN_FOR_MATCHING:
        return []
    return [
        {
            "resource_id": r.resource.pk,
            "resource": r.resource.title,
            "provider": r.provider,
            "organization_id": r.resource.provider_org_id,
            "score": round(r.score, 4),
            "reasons": list(r.reasons),
            "invited": r.invited,
        }
        for r in matching.recommend_for_need(need, k=max(1, min(k, 20)))
    ]


@router.get(
    "/organizations/{org_id}/opportunities",
    response=list[OpportunityOut],
    summary="Open needs a unit is best placed to claim, invitations first",
)
def organization_opportunities(
    request: HttpRequest, org_id: Id, k: Count = 10
) -> list[dict[str, Any]]:
    user = User.of(request)
    org = get_organization_for(user, org_id, "lists.view_opportunities")
    return [
        {
            "need_id": o.need.pk,
            "title": o.need.title,
            "community_id": o.need.community_id,
            "invited": o.invitation is not None,
            "resource_id": o.resource.pk if o.resource else None,
            "score": round(o.score, 4) if o.score is not None else None,
            "reasons": list(o.reasons),
        }
        for o in matching.opportunities_for(org, k=max(1, min(k, 50)))
    ]


class NeedActionIn(Schema):
    reason: str = ""
    into: Id | None = None


@router.post("/needs/{need_id}/{action}", response=NeedOut, summary="Act on a need")
def act_on_need(
    request: HttpRequest, need_id: Id, action: str, payload: NeedActionIn | None = None
) -> dict[str, Any]:
    """publish, reject (reason), withdraw, merge (into): the same actions as the page's."""
    user = User.of(request)
    need = get_need_for(user, need_id)
    data = payload.dict(exclude_none=True) if payload else {}
    return need_out(NEED_ACTIONS.perform(user, need, action, data), user)
