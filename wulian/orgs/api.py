from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from wulian.core.bounds import BoundedPagination, Id
from wulian.core.text import fold, mask_mobile
from wulian.orgs.models import Organization
from wulian.orgs.rules import get_organization_for

router = Router(tags=["organisations"])


class OrganizationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    region_id: int
    contact_name: str
    contact_mobile: str


def _out(request: HttpRequest, org: Organization) -> dict[str, object]:
    show = request.user.has_perm("orgs.view_members", org)
    return {
        "id": org.pk,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "region_id": org.region_id,
        "contact_name": org.contact_name,
        "contact_mobile": org.contact_mobile if show else mask_mobile(org.contact_mobile),
    }


@router.get("/organizations", response=list[OrganizationOut], auth=None)
@paginate(BoundedPagination, page_size=50)
def organization_list(
    request: HttpRequest, kind: str | None = None, q: str | None = None
) -> list[dict[str, object]]:
    orgs = Organization.objects.filter(is_active=True).order_by("kind", "name")
    if kind:
        orgs = orgs.filter(kind=kind)
    if q:
        orgs = orgs.filter(search_text__contains=fold(q))
    return [_out(request, org) for org in orgs]


@router.get("/organizations/{org_id}", response=OrganizationOut, auth=None)
def organization_detail(request: HttpRequest, org_id: Id) -> dict[str, object]:
    return _out(request, get_organization_for(request.user, org_id))
