"""The JSON API under /api/: token authentication, one error shape, routers from each app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from wulian.accounts.models import ApiToken
from wulian.core.errors import DomainError
from wulian.core.openapi import document_errors
from wulian.core.registry import api_routers
from wulian.core.text import clean_data


class TokenAuth(HttpBearer):
    """The token was checked by `ApiTokenMiddleware` (for every API request, reads included);
    here it only names the person for the endpoints that require one."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found: ApiToken | None = getattr(request, "api_token", None)
        return found.user if found is not None else None


class BodyParser(Parser):
    """JSON bodies, as documented, without control characters in their text; a form-encoded
    body (a plain HTML form, or a client that posts an action with no fields) is read as its
    fields."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
            return clean_data(request.POST.dict())  # type: ignore[no-any-return]
        return clean_data(super().parse_body(request))  # type: ignore[no-any-return]


class WulianAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's document, with the error answers every operation can give."""
        return document_errors(super().get_openapi_schema(**kwargs))


api = WulianAPI(
    title="Wulian API",
    version="1",
    description="Needs, resources, projects and the people and organisations behind them.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    parser=BodyParser(),
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message, **extra}
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra = {"fields": exc.as_dict()["fields"]} if exc.fields else {}
    return _error(request, exc.status, exc.code, str(exc.message), **extra)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", _("You are not allowed to do this."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Sign in or send a valid API token."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals (a session's failed CSRF check) in the API's one error shape."""
    return _error(request, exc.status_code, "refused", str(exc))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, "invalid", _("Some fields are not valid."), fields=exc.errors)


for router in api_routers():
    api.add_router("/", router)
