"""Staff import households from the residents' register: upload → check → import, as the
lists' importer does (the file waits between the steps under the lists' upload store)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wulian.accounts.models import User
from wulian.core.errors import DomainError
from wulian.council import register
from wulian.council.models import Council
from wulian.council.rules import get_council_for
from wulian.lists import spreadsheets
from wulian.lists.import_views import StoredUpload, discard_upload, load_upload, store_upload


class RegisterForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Residents' register"),
        help_text=gettext_lazy("An .xlsx or .csv file of at most 5 MB with a header row."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > spreadsheets.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(n)d MB.")
                % {"n": spreadsheets.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


def _kind(council: Council) -> str:
    return f"households-{council.pk}"


def _council(request: HttpRequest, pk: int) -> tuple[User, Council]:
    user = User.of(request)
    return user, get_council_for(user, pk, "council.manage_council")


def _stored(user: User, council: Council, token: str) -> StoredUpload:
    stored = load_upload(token, int(user.pk), council.community_id)
    if stored.kind != _kind(council):
        raise Http404
    return stored


@login_required
def import_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, council = _council(request, pk)
    form = RegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = register.read_register(upload.name or "", upload.read())
        except DomainError as exc:
            form.add_error("file", str(exc.message))
        else:
            token = store_upload(
                int(user.pk), council.community_id, _kind(council), upload.name or "", table
            )
            return redirect("council:household_import_check", pk=council.pk, token=token)
    return render(request, "council/household_import.html", {"council": council, "form": form})


@login_required
def check_view(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    user, council = _council(request, pk)
    stored = _stored(user, council, token)
    report = register.check_register(user, council, stored.table, stored.filename)
    return render(
        request,
        "council/household_import_check.html",
        {"council": council, "stored": stored, "report": report, "table": stored.table},
    )


@login_required
@require_POST
def confirm_view(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    user, council = _council(request, pk)
    stored = _stored(user, council, token)
    report = register.import_register(user, council, stored.table, stored.filename)
    if not report.is_valid:
        messages.error(request, _("Nothing was imported: the file has errors."))
        return redirect("council:household_import_check", pk=council.pk, token=token)
    discard_upload(stored.token)
    messages.success(
        request,
        _("Imported %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "file": stored.filename,
            "created": report.created,
            "updated": report.updated,
            "unchanged": len(report.unchanged),
        },
    )
    return redirect("council:household", pk=council.pk)


@login_required
@require_POST
def cancel_view(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    user, council = _council(request, pk)
    discard_upload(_stored(user, council, token).token)
    messages.info(request, _("The upload was discarded; nothing was imported."))
    return redirect("council:household_import", pk=council.pk)


@login_required
def template_view(request: HttpRequest, pk: int) -> HttpResponse:
    _user, council = _council(request, pk)
    response = HttpResponse(register.template_file(council), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "households-template.xlsx")
    return response
