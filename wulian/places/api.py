from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from wulian.core.bounds import Id
from wulian.places.rules import get_region_for

router = Router(tags=["places"])


class CompoundOut(Schema):
    id: int
    name: str
    households: int | None


class RegionOut(Schema):
    id: int
    name: str
    level: str
    parent_id: int | None
    population: int | None
    party_members: int | None
    compounds: list[CompoundOut]


@router.get("/regions/{region_id}", response=RegionOut, auth=None, summary="A region")
def region_detail(request: HttpRequest, region_id: Id) -> dict[str, object]:
    region = get_region_for(request.user, region_id)
    return {
        "id": region.pk,
        "name": region.name,
        "level": region.level,
        "parent_id": region.parent_id,
        "population": region.population,
        "party_members": region.party_members,
        "compounds": list(region.compounds.all()),
    }
