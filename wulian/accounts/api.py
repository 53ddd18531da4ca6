from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    mobile: str
    real_name: str
    community_id: int | None
    compound_id: int | None
    is_party_member: bool
    is_verified_resident: bool


@router.get("/me", response=MeOut, summary="The signed-in person")
def me(request: HttpRequest) -> object:
    return request.user
