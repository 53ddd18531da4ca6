"""Signing in: Django's model backend, with the signed-in person's row kept in each process
until their version moves (core.versions), so a page asks the database for the session and
one version instead of the whole row of the person on every request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from wulian.core import versions


class KeptUserBackend(ModelBackend):
    """Every save or delete of a person's row moves their version (accounts.apps.WATCHES),
    and so do their assignments, units and party membership: a changed password, a person
    turned inactive or a new role is seen on their next request, by every app server."""

    def get_user(self, user_id: Any) -> Any:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        version = versions.current(("person", pk))
        key = f"person:{pk}:{version}:user"
        user: Any = None if versions.moving("person", pk) else cache.get(key)
        if user is None:
            user = super().get_user(pk)  # None when gone, or no longer allowed in
            if user is None:
                return None
            cache.set(key, user, versions.KEPT_SECONDS)
        user._wulian_person_version = version
        return user
