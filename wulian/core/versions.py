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
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from wulian.core.models import Version
from wulian.core.registry import Watch

T = TypeVar("T")

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
    _after_commit(lambda: _bump(using, scope, keys), using, [(scope, key) for key in keys])


def _after_commit(
    move: Callable[[], None], using: str, changed: Sequence[tuple[str, int]] = ()
) -> None:
    # Outside a transaction, at once. Inside one, what is kept for the changed items'
    # current versions is not used again until it commits (`moving`). (The test suite, whose
    # transactions never commit, moves versions at once: tests/conftest.py.)
    connection = connections[using]
    if connection.in_atomic_block:
        connection.__dict__.setdefault("wulian_moving", set()).update(changed)
    transaction.on_commit(move, using=using, robust=True)


def moving(scope: str, item: int) -> bool:
    """True when the current transaction has changed this item: its version moves when the
    transaction commits, and until then what is kept for the old version is out of date (a
    unit's new member checked in the same transaction, say)."""
    connection = connections[router.db_for_write(Version)]
    pending: set[tuple[str, int]] = connection.__dict__.get("wulian_moving", set())
    if pending and not connection.in_atomic_block:
        pending.clear()  # committed or rolled back: nothing is moving any more
    return (scope, item) in pending


def _bump(using: str, scope: str, items: Sequence[int]) -> None:
    connection = connections[using]
    connection.__dict__.get("wulian_moving", set()).clear()  # committed
    with connection.cursor() as cursor:
        cursor.executemany(_BUMP, [(scope, item) for item in items])


def current(*keys: tuple[str, int | None], each_of: tuple[str, QuerySet[Any]] | None = None) -> str:
    """The versions of these (scope, item) pairs as one string, for a cache key; a pair that
    never moved is 0. With `each_of` (a scope and a query of ids), the versions of every
    item of that scope the query names are read too (those that ever moved), in the same
    single query."""
    wanted = [(scope, item if item is not None else EVERYWHERE) for scope, item in keys]
    where = ["(scope = %s AND item = %s)"] * len(wanted)
    params: list[Any] = [part for pair in wanted for part in pair]
    if each_of is not None:
        scope, ids = each_of
        sql, ids_params = ids.query.sql_with_params()
        where.append(f"(scope = %s AND item IN ({sql}))")
        params += [scope, *ids_params]
    if not where:
        return ""
    with connections[router.db_for_read(Version)].cursor() as cursor:
        cursor.execute(
            f"SELECT scope, item, value FROM {_TABLE} WHERE {' OR '.join(where)}", params
        )
        found = {(scope, item): value for scope, item, value in cursor.fetchall()}
    shown = [str(found.pop(pair, 0)) for pair in wanted]
    shown += [f"{item}:{value}" for (_scope, item), value in sorted(found.items())]
    return ".".join(shown)


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
    """`current(*keys)`, read once per request (a kept page and the kept part of it it draws
    ask for the same), and in the same query as the version of the person making the
    request unless that is known already (kept on the user for `person_version_of`)."""
    read: dict[tuple[tuple[str, int | None], ...], str] = request.__dict__.setdefault(
        "_wulian_versions", {}
    )
    if keys in read:
        return read[keys]
    user: Any = request.user
    if not user.is_authenticated or hasattr(user, "_wulian_person_version"):
        shown = current(*keys)
    else:
        both = current(("person", user.pk), *keys)
        person, _dot, shown = both.partition(".")
        user._wulian_person_version = person
    read[keys] = shown
    return shown


def person_version_of(user: Any) -> str:
    """The version of a person (their row, roles, units, menu, unread count), read once per
    user object; "" for a visitor who has not signed in."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if not hasattr(user, "_wulian_person_version"):
        user._wulian_person_version = current(("person", user.pk))
    return str(user._wulian_person_version)


def person_version(request: HttpRequest) -> str:
    """The version of the person making the request (see `person_version_of`)."""
    return person_version_of(request.user)


def for_person(user: Any, name: str, compute: Callable[[], T]) -> T:
    """What `compute` finds out about a person (the regions they are assigned to, their
    units), kept in this process until their version moves: for a person who opens page
    after page, the lookups every permission check needs cost no query."""
    if moving("person", user.pk):
        return compute()
    key = f"person:{user.pk}:{person_version_of(user)}:{name}"
    found: T | None = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, KEPT_SECONDS)
    return found


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


def kept_page(
    request: HttpRequest, *keys: tuple[str, int | None], draw: Callable[[], HttpResponse]
) -> HttpResponse:
    """The whole page as drawn before for this person, when none of the versions of what it
    shows (`keys`) has moved since; otherwise `draw()` it, and keep it if it is a plain 200.
    Call it after the page's permission check: a kept page skips everything else, the menu
    and the frame included, which cost as much as a page's own content.

    A page that has a message to show once (a flash message, shown and then gone) is drawn
    afresh and not kept; so is any answer but a GET's, and a page for a browser that brought
    no CSRF cookie (a first visit, or a robot that keeps none: each would fill the cache with
    pages drawn for a secret nobody sends again)."""
    if (
        request.method != "GET"
        or settings.CSRF_COOKIE_NAME not in request.COOKIES
        or len(messages.get_messages(request))
    ):
        return draw()
    key = "page:" + page_key(request, *keys, forms=True)  # every page's frame holds forms
    kept: tuple[bytes, str] | None = cache.get(key)
    if kept is not None:
        body, content_type = kept
        return HttpResponse(body, content_type=content_type)
    response = draw()
    if (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not len(messages.get_messages(request))
    ):
        cache.set(key, (response.content, response["Content-Type"]), KEPT_SECONDS)
    return response
