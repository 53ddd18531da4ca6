"""A PostgreSQL streaming replica for the reads that may lag, the primary for everything else.

With `REPLICA_DATABASE_URL` set, the settings add a `replica` database and this router. A read
goes to the replica only when all of these hold:

- the code asked for it: a page that tolerates a few seconds of lag (dashboards, reports,
  exports, the public lists) is decorated `@lag_tolerant`, which takes effect for GET and HEAD
  only (every write comes as another method), or a block runs in `reads_may_lag()` (a report
  the worker writes);
- it is not inside a transaction on the primary: every write path (a claim, a booking, a vote,
  a capacity check) runs in `transaction.atomic()` with its rows locked, so all its reads stay
  on the primary even when it is called from a lag-tolerant page;
- the person did not just write: after a POST the response pins them to the primary for
  `PIN_SECONDS`, so they see what they wrote;
- the replica answers: when it does not, reads fall back to the primary for a while; when it
  fails under a page already reading it, the page is read again from the primary.

Writes always go to the primary, and migrations run on the primary only (the replica follows it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.connection import ConnectionDoesNotExist

REPLICA = "replica"
PIN_COOKIE = "wulian_primary"
PIN_SECONDS = 10
RETRY_SECONDS = 30

_lag_ok: ContextVar[bool] = ContextVar("wulian_reads_may_lag", default=False)
_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_usable() -> bool:
    """The replica is configured and answers; a failure sends reads to the primary for
    `RETRY_SECONDS` before it is tried again."""
    global _down_until
    if not replica_configured() or time.monotonic() < _down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except (OperationalError, ConnectionDoesNotExist):
        _down_until = time.monotonic() + RETRY_SECONDS
        return False
    return True


@contextmanager
def reads_may_lag() -> Iterator[None]:
    token = _lag_ok.set(True)
    try:
        yield
    finally:
        _lag_ok.reset(token)


def lag_tolerant(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page whose reads may come from the replica (GET and HEAD, unless pinned)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in {"GET", "HEAD"} or request.COOKIES.get(PIN_COOKIE):
            return view(request, *args, **kwargs)
        try:
            with reads_may_lag():
                return view(request, *args, **kwargs)
        except OperationalError:
            if not _replica_failed():
                raise
        # The standby went away under an open connection: the page again, from the primary
        # (a GET writes nothing, so reading it twice is safe).
        return view(request, *args, **kwargs)

    return wrapped


def _replica_failed() -> bool:
    """Whether the replica's connection has just failed; if so it is closed, and reads go to
    the primary for `RETRY_SECONDS`."""
    global _down_until
    if not replica_configured():
        return False
    connection = connections[REPLICA]
    if connection.connection is None or not connection.errors_occurred:
        return False
    _down_until = time.monotonic() + RETRY_SECONDS
    connection.close()
    return True


def in_write_path() -> bool:
    """Inside a transaction on the primary (a test case's own wrapping one aside)."""
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


class PrimaryReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not _lag_ok.get() or in_write_path():
            return None
        return REPLICA if replica_usable() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the primary's rows: objects from both relate

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == DEFAULT_DB_ALIAS


class PinAfterWriteMiddleware:
    """After a request that may have written, read from the primary for a few seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in {"GET", "HEAD", "OPTIONS"} and replica_configured():
            response.set_cookie(PIN_COOKIE, "1", max_age=PIN_SECONDS, httponly=True, samesite="Lax")
        return response
