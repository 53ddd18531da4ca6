"""The one way to fetch an object for a person: 404 when they may not see it, 403 when they
may see it but not do what they ask."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


def get_for(
    user: Any,
    queryset: models.QuerySet[M],
    pk: Any,
    perm: str,
    *,
    view_perm: str | None = None,
) -> M:
    try:
        obj = queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if view_perm is not None and not user.has_perm(view_perm, obj):
        raise Http404
    if not user.has_perm(perm, obj):
        if view_perm is None:
            raise Http404
        raise PermissionDenied
    return obj


class Finder(Generic[M]):
    """A getter of one kind of object for a person, as the views and the API use it:
    ``find(user, pk)`` returns the object when they may see it (``view_perm``, else 404) and do
    ``perm`` to it (the getter's own, or one named in the call; else 403)."""

    def __init__(self, queryset: models.QuerySet[M], view_perm: str, perm: str | None = None):
        self.queryset = queryset
        self.view_perm = view_perm
        self.perm = perm or view_perm

    def __call__(self, user: Any, pk: Any, perm: str | None = None) -> M:
        return get_for(user, self.queryset, pk, perm or self.perm, view_perm=self.view_perm)
