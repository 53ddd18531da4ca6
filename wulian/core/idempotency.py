"""Creating things once: double-clicked forms and retried API calls make one object.

- Forms: `OnceFormMixin` adds a hidden one-time `submission_token`; the view wraps its
  successful path in `submit_once(request, form, perform)`. The first POST with a token runs
  `perform` (the service call: a redirect when done, None to show the form again with its
  errors) and keeps the redirect it answered; a repeat of that token (a double click, a
  resend after a timeout, fifty of them at once) runs nothing and is redirected to the same
  place, with a note.
- API: `@idempotent` under the router's decorator. A request with an `Idempotency-Key`
  header runs once per person and key; a repeat gets the first answer again (status and
  body), and the same key with a different request is refused (422). The header is
  documented on each such operation in the OpenAPI document.

Both claim the key in the same transaction as the change (a failed attempt leaves no claim,
so it can be corrected and sent again) and rely on a unique constraint for simultaneous
repeats. Claims older than SUBMISSION_KEEP_HOURS are swept by `forget_old_submissions`.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from wulian.core.models import Submission

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100

OPENAPI_HEADER: dict[str, Any] = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    "description": (
        "Any unique string (a UUID) chosen by the client for this create. Sending the same "
        "key again (as the same person) creates nothing more and returns the first answer; "
        "the same key with a different request is refused with 422. Keys are kept for "
        "a day."
    ),
}


def _owner(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return f"session:{session.session_key}"
    return None


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


class OnceFormMixin(forms.Form):
    """A form that may be submitted once: render it, and its hidden token goes along."""

    submission_token = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=MAX_KEY_LENGTH
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = new_submission_token()


def submit_once(
    request: HttpRequest, form: forms.Form, perform: Callable[[], HttpResponse | None]
) -> HttpResponse | None:
    """Run `perform` (which calls the service and answers a redirect on success) once per
    form token. Any other answer (None: the form again, with errors) leaves the token unused."""
    token = str(form.cleaned_data.get("submission_token") or "")
    owner = _owner(request)
    if not token or owner is None:
        return perform()
    key = f"form:{request.path}:{token}"[:140]
    try:
        with transaction.atomic():
            claim = Submission.objects.create(owner=owner, key=key)
            response = perform()
            if isinstance(response, HttpResponseRedirect):
                claim.status = response.status_code
                claim.answer = response["Location"]
                claim.save(update_fields=["status", "answer"])
            else:
                transaction.set_rollback(True)
        return response
    except IntegrityError:
        first = Submission.objects.filter(owner=owner, key=key).first()
        messages.info(request, _("This form was already sent; here is what it made."))
        return redirect(first.answer if first is not None and first.answer else request.path)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _refusal(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _replay(claim: Submission) -> HttpResponse:
    response = HttpResponse(claim.answer, status=claim.status, content_type=claim.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _once(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER, "")
        owner = _owner(request)
        if not key or owner is None:
            return run(request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _refusal(
                400,
                "idempotency.bad_key",
                _("The Idempotency-Key header is at most 100 printable characters."),
            )
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                claim = Submission.objects.create(
                    owner=owner, key=f"api:{key}", fingerprint=fingerprint
                )
                response = run(request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)
                else:
                    claim.status = response.status_code
                    claim.content_type = response.get("Content-Type", "")
                    claim.answer = response.content.decode()
                    claim.save(update_fields=["status", "content_type", "answer"])
            return response
        except IntegrityError:
            first = Submission.objects.filter(owner=owner, key=f"api:{key}").first()
            if first is None:  # pragma: no cover - the first one was rolled back meanwhile
                return run(request, *args, **kwargs)
            if first.fingerprint != fingerprint:
                return _refusal(
                    422,
                    "idempotency.key_reused",
                    _("This Idempotency-Key was already used for a different request."),
                )
            return _replay(first)

    return wrapper


def _document(operation: Any) -> None:
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), OPENAPI_HEADER]
    operation.openapi_extra = extra


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Put under `@router.post(...)`: the operation honours and documents Idempotency-Key."""
    from ninja.decorators import decorate_view
    from ninja.utils import contribute_operation_callback

    view = decorate_view(_once)(view)
    contribute_operation_callback(view, _document)
    return view


def forget_old_submissions() -> int:
    """Delete claims older than SUBMISSION_KEEP_HOURS (a day by default)."""
    hours = int(getattr(settings, "SUBMISSION_KEEP_HOURS", 24))
    since = timezone.now() - datetime.timedelta(hours=hours)
    deleted, _counts = Submission.objects.filter(created_at__lt=since).delete()
    return deleted
