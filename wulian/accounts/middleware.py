"""Bearer tokens on the API: the token's person is the request's user for every API call,
reads included, so a token sees exactly what that person's session would."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from wulian.accounts import services

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _refusal(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class ApiTokenMiddleware:
    """After AuthenticationMiddleware. A request to /api/ with `Authorization: Bearer …` acts
    as the token's person; an unknown or revoked token is refused (401), and a read-only token
    is refused anything but reads (403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if request.path.startswith("/api/") and header[:7].lower() == "bearer ":
            token = services.token_for_secret(header[7:].strip())
            if token is None:
                return _refusal(401, "unauthenticated", _("Sign in or send a valid API token."))
            if request.method not in SAFE_METHODS and not token.can_write:
                return _refusal(403, "token.read_only", _("This API token may only read."))
            request.user = token.user
            request.api_token = token  # type: ignore[attr-defined]
        return self.get_response(request)
