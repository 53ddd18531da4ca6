"""Versions: a counter for each thing a kept page depends on, moved on whenever it changes.

A page that is costly to draw and read far more often than its data changes (a community's
needs, a need with its claims, a person's menu) is kept in the cache under a key that holds
the versions of what it shows. A change moves the version, so the next view draws the page
afresh; nobody has to find and delete what was kept, and every app server (each with its own
cache) sees the change at once, since the versions are rows of the database.

Apps say which of their models a version follows, on their `AppConfig`::

    watches = "wulian.lists.apps.WATCHES"   # a sequence of core.registry.Watch

and every save or delete of such a row moves the versions it names, once the transaction
commits. Writes that bypass `save()` (bulk imports, `QuerySet.update`) call `bump` themselves.

    key = versions.current(("lists", community.pk), ("person", user.pk))
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from wulian.core.models import Version
from wulian.core.registry import Watch

#: the version that moves with every change of a scope, whatever the item
EVERYWHERE = 0

_TABLE = Version._meta.db_table
_BUMP = (
    f"INSERT INTO {_TABLE} (scope, item, value) VALUES (%s, %s, 1) "
    f"ON CONFLICT (scope, item) DO UPDATE SET value = {_TABLE}.value + 1"
)


def bump(scope: str, *items: int | None, everywhere: bool = True) -> None:
    """Move the versions of these items of `scope` (and, with `everywhere`, the scope's
    EVERYWHERE), once the current transaction commits; at once outside a transaction."""
    keys = sorted(
        {item for item in items if item is not None} | ({EVERYWHERE} if everywhere else set())
    )
    if not keys:
        return
    using = router.db_for_write(Version)
    _after_commit(lambda: _bump(using, scope, keys), using)


def _after_commit(move: Callable[[], None], using: str) -> None:
    # Outside a transaction, at once. (The test suite, whose transactions never commit,
    # moves versions at once: tests/conftest.py.)
    transaction.on_commit(move, using=using, robust=True)


def _bump(using: str, scope: str, items: Sequence[int]) -> None:
    with connections[using].cursor() as cursor:
        cursor.executemany(_BUMP, [(scope, item) for item in items])


def current(*keys: tuple[str, int | None]) -> str:
    """The versions of these (scope, item) pairs as one string, for a cache key; a pair that
    never moved is 0. One query."""
    wanted = [(scope, item if item is not None else EVERYWHERE) for scope, item in keys]
    if not wanted:
        return ""
    where = " OR ".join(["(scope = %s AND item = %s)"] * len(wanted))
    params = [part for pair in wanted for part in pair]
    with connections[router.db_for_read(Version)].cursor() as cursor:
        cursor.execute(f"SELECT scope, item, value FROM {_TABLE} WHERE {where}", params)
        found = {(scope, item): value for scope, item, value in cursor.fetchall()}
    return ".".join(str(found.get(pair, 0)) for pair in wanted)


def connect(watches: Iterable[Watch]) -> None:
    """Connect each watch to its model's signals (done once, when the apps are ready)."""
    from django.apps import apps

    for watch in watches:
        model = apps.get_model(watch.model)

        def moved(sender: Any, instance: Any, watch: Watch = watch, **kwargs: Any) -> None:
            if kwargs.get("raw") or kwargs.get("action", "post").startswith("pre"):
                return  # loading fixtures, or a many-to-many change not yet made
            bump(watch.scope, *watch.items(instance), everywhere=watch.everywhere)

        uid = f"wulian-version:{watch.model}:{watch.scope}:{watch.m2m}:{id(watch.items)}"
        if watch.m2m:
            through = getattr(model, watch.m2m).through
            m2m_changed.connect(moved, sender=through, weak=False, dispatch_uid=uid)
        else:
            post_save.connect(moved, sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(moved, sender=model, weak=False, dispatch_uid=uid + ":delete")


def for_request(request: HttpRequest, *keys: tuple[str, int | None]) -> str:
    """`current(*keys)`, read in the same query as the version of the person making the
    request (kept on the request for `person_version`, which the menu reads)."""
    user = request.user
    if not user.is_authenticated or hasattr(request, "_wulian_person_version"):
        return current(*keys)
    both = current(("person", user.pk), *keys)
    person, _dot, rest = both.partition(".")
    request._wulian_person_version = person  # type: ignore[attr-defined]
    return rest


def person_version(request: HttpRequest) -> str:
    """The version of the person making the request (their roles, units, menu, unread
    count), read once per request; "" for a visitor who has not signed in."""
    if not request.user.is_authenticated:
        return ""
    if not hasattr(request, "_wulian_person_version"):
        for_request(request)
    return str(request._wulian_person_version)  # type: ignore[attr-defined]


#: how long a kept part of a page lives at most; its key moves with the versions of what it
#: shows, so changes show at once, and the limit bounds what no watch follows (a person's
#: new name on the pages that show it).
KEPT_SECONDS = 600


def page_key(request: HttpRequest, *keys: tuple[str, int | None], forms: bool = False) -> str:
    """The key of a kept part of a page, read after the page's permission check: the
    versions of what it shows (`keys`), the person looking and their roles' version, the
    language and the page's address with its query. With `forms` (the part holds forms that
    post), the person's CSRF secret too, so a kept form always carries their own token."""
    shown = for_request(request, *keys)
    parts = [
        str(request.user.pk),
        person_version(request),
        shown,
        get_language(),
        request.get_full_path(),
    ]
    if forms:
        get_token(request)  # the secret, made now if the person has none yet
        secret = request.META.get("CSRF_COOKIE", "")
        parts.append(hashlib.sha256(secret.encode()).hexdigest()[:16])
    return "|".join(parts)
