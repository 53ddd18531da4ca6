"""The Content-Security-Policy header on every answer (settings.CONTENT_SECURITY_POLICY)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Adds the site's policy unless a view set its own (the PDF and media views need none)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = str(getattr(settings, "CONTENT_SECURITY_POLICY", ""))
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
