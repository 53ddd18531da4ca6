"""Small helpers for views."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme

from wulian.core.text import clean_text

FORM_TYPES = {"multipart/form-data", "application/x-www-form-urlencoded"}
API_PREFIX = "/api/"  # where wulian.urls mounts the API


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address; behind a proxy set TRUSTED_PROXY_HEADER (e.g. X-Forwarded-For)."""
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if header:
        forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _cleaned(data: QueryDict) -> QueryDict:
    if not any(clean_text(value) != value for _, values in data.lists() for value in values):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(clean_text(key), [clean_text(value) for value in values])
    cleaned._mutable = False
    return cleaned


class CleanTextMiddleware:
    """Control characters never enter through a page: the query string and a posted form
    reach every view (and form) without them (`core.text.clean_text`). The API reads its own
    bodies (ninja reads the raw body, which a parsed form would have consumed): its parser
    cleans them. The importer cleans the cells it reads."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _cleaned(request.GET)  # type: ignore[assignment]
        if (
            request.method == "POST"
            and request.content_type in FORM_TYPES
            and not request.path_info.startswith(API_PREFIX)
        ):
            request.POST = _cleaned(request.POST)  # type: ignore[assignment]
        return self.get_response(request)
