"""Staff pages for Excel in and Excel out: upload → preview → confirm, templates, exports.

The uploaded file is read once, at the upload; between the preview and the confirmation its
table (as JSON) waits under MEDIA_ROOT/imports/<random token>, bound to the person and the
community; it is deleted once imported or cancelled, and any file older than a day is swept
away at the next upload.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wulian.accounts.models import User
from wulian.core.batch import collector_paused
from wulian.core.bounds import query_int
from wulian.core.db import lag_tolerant
from wulian.core.errors import DomainError
from wulian.lists import spreadsheets
from wulian.places.models import Region
from wulian.places.rules import get_region_for

KEEP_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("List"),
        choices=[("needs", gettext_lazy("Needs")), ("resources", gettext_lazy("Resources"))],
        widget=forms.RadioSelect,
        initial="needs",
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
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


# ---------------------------------------------------------------- the waiting file


@dataclass(frozen=True)
class StoredUpload:
    token: str
    user_id: int
    community_id: int
    kind: str
    filename: str
    answers: dict[str, str]

    @property
    def table(self) -> spreadsheets.Table:
        return spreadsheets.table_from_json(_path(self.token, "data").read_text(encoding="utf-8"))


def _directory() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _path(token: str, suffix: str) -> Path:
    return _directory() / f"{token}.{suffix}"


def _sweep() -> None:
    """Delete waiting files older than a day."""
    if not _directory().is_dir():
        return
    limit = time.time() - KEEP_SECONDS
    for file in _directory().iterdir():
        try:
            if file.stat().st_mtime < limit:
                file.unlink()
        except FileNotFoundError:
            continue


def store_upload(
    user_id: int, community_id: int, kind: str, filename: str, table: spreadsheets.Table
) -> str:
    _sweep()
    _directory().mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    _path(token, "data").write_text(spreadsheets.table_to_json(table), encoding="utf-8")
    meta = {"user": user_id, "community": community_id, "kind": kind, "filename": filename}
    _path(token, "json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def load_upload(token: str, user_id: int, community_id: int) -> StoredUpload:
    """The waiting file of this person for this community, or 404."""
    if not _TOKEN.match(token):
        raise Http404
    try:
        meta_path = _path(token, "json")
        if meta_path.stat().st_mtime < time.time() - KEEP_SECONDS:
            discard_upload(token)
            raise Http404
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    if meta.get("user") != user_id or meta.get("community") != community_id:
        raise Http404
    if not _path(token, "data").is_file():
        raise Http404
    answers = meta.get("answers") or {}
    return StoredUpload(
        token,
        user_id,
        community_id,
        str(meta["kind"]),
        str(meta["filename"]),
        {str(k): str(v) for k, v in answers.items()} if isinstance(answers, dict) else {},
    )


def store_answers(stored: StoredUpload, answers: dict[str, str]) -> None:
    """Keep the mapping step's answers with the waiting file until it is imported."""
    meta = {
        "user": stored.user_id,
        "community": stored.community_id,
        "kind": stored.kind,
        "filename": stored.filename,
        "answers": answers,
    }
    _path(stored.token, "json").write_text(json.dumps(meta), encoding="utf-8")


def discard_upload(token: str) -> None:
    for suffix in ("data", "json"):
        _path(token, suffix).unlink(missing_ok=True)


# ---------------------------------------------------------------- views


def _community_for(request: HttpRequest, community_id: int) -> Region:
    community = get_region_for(request.user, community_id, "lists.manage_lists")
    if not community.is_community:
        raise Http404
    return community


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


@login_required
def import_view(request: HttpRequest, community_id: int) -> HttpResponse:
    community = _community_for(request, community_id)
    kind = request.GET.get("kind", "needs")
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"kind": kind if kind in spreadsheets.IMPORT_KINDS else "needs"},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        kind = form.cleaned_data["kind"]
        try:
            with collector_paused():
                table = spreadsheets.read_table(upload.name or "", data, kind)
                spreadsheets.plan_import(kind, community, table)
        except spreadsheets.ImportFileError as exc:
            form.add_error("file", str(exc.message))
        else:
            token = store_upload(_user_id(request), community.pk, kind, upload.name or "", table)
            return redirect("lists:import_preview", community_id=community.pk, token=token)
    return render(
        request,
        "lists/import.html",
        {
            "community": community,
            "form": form,
            "kinds": spreadsheets.IMPORT_KINDS,
            "remembered": spreadsheets.remembered_answers(community),
        },
    )


def _render_preview(
    request: HttpRequest, community: Region, stored: StoredUpload, report: spreadsheets.ImportReport
) -> HttpResponse:
    return render(
        request,
        "lists/import_preview.html",
        {
            "community": community,
            "stored": stored,
            "report": report,
            "can_import_all": report.is_valid and bool(report.to_create or report.to_update),
            "can_import_valid": not report.is_valid and bool(report.to_create or report.to_update),
            "questions": [
                (index, question, stored.answers.get(question.key, question.suggested))
                for index, question in enumerate(report.questions)
            ],
        },
    )


def _plan(
    request: HttpRequest,
    community: Region,
    stored: StoredUpload,
    *,
    dry_run: bool = False,
    valid_only: bool = False,
) -> spreadsheets.ImportReport | None:
    assert isinstance(request.user, User)
    try:
        return spreadsheets.import_table(
            request.user,
            community,
            stored.kind,
            stored.table,
            filename=stored.filename,
            answers=stored.answers,
            dry_run=dry_run,
            valid_only=valid_only,
        )
    except spreadsheets.ImportFileError as exc:
        discard_upload(stored.token)
        messages.error(request, str(exc.message))
        return None


@login_required
def import_preview_view(request: HttpRequest, community_id: int, token: str) -> HttpResponse:
    community = _community_for(request, community_id)
    stored = load_upload(token, _user_id(request), community.pk)
    report = _plan(request, community, stored, dry_run=True)
    if report is None:
        return redirect("lists:import", community_id=community.pk)
    return _render_preview(request, community, stored, report)


@login_required
@require_POST
def import_confirm_view(request: HttpRequest, community_id: int, token: str) -> HttpResponse:
    community = _community_for(request, community_id)
    stored = load_upload(token, _user_id(request), community.pk)
    valid_only = request.POST.get("mode") == "valid"
    report = _plan(request, community, stored, valid_only=valid_only)
    if report is None:
        return redirect("lists:import", community_id=community.pk)
    if not report.applied:
        messages.error(request, _("Nothing was imported: the file has errors."))
        return _render_preview(request, community, stored, report)
    discard_upload(stored.token)
    messages.success(
        request,
        _(
            "Imported %(file)s: %(created)d created, %(updated)d updated, "
            "%(unchanged)d unchanged, %(skipped)d skipped."
        )
        % {
            "file": stored.filename,
            "created": report.created,
            "updated": report.updated,
            "unchanged": len(report.unchanged),
            "skipped": len(report.error_rows),
        },
    )
    for row, errors in report.skipped:
        messages.warning(
            request,
            _("Row %(row)d was skipped: %(reasons)s")
            % {"row": row, "reasons": " ".join(e.message for e in errors)},
        )
    return redirect(f"{reverse('lists:import', args=[community.pk])}?kind={stored.kind}")


_ANSWER = re.compile(r"^(map:\d+|create|empty|keep)$")


@login_required
@require_POST
def import_map_view(request: HttpRequest, community_id: int, token: str) -> HttpResponse:
    """The mapping step: staff say what each unresolved value means; the preview is checked
    again with the answers. They are remembered once the file is imported."""
    community = _community_for(request, community_id)
    stored = load_upload(token, _user_id(request), community.pk)
    answers = dict(stored.answers)
    for name in request.POST:
        if not name.startswith("key-"):
            continue
        key = request.POST.get(name, "")
        answer = request.POST.get("answer-" + name[4:], "")
        if _ANSWER.match(answer) and "|" in key:
            answers[key] = answer
        else:
            answers.pop(key, None)
    store_answers(stored, answers)
    return redirect("lists:import_preview", community_id=community.pk, token=token)


@login_required
@require_POST
def import_forget_view(request: HttpRequest, community_id: int, mapping_id: int) -> HttpResponse:
    """Forget a remembered answer: the next import asks about the value again."""
    community = _community_for(request, community_id)
    assert isinstance(request.user, User)
    try:
        forgotten = spreadsheets.forget_answer(request.user, community, mapping_id)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.info(
            request,
            _("Forgotten: what “%(value)s” means. The next import will ask again.")
            % {"value": forgotten.value},
        )
    return redirect("lists:import", community_id=community.pk)


@login_required
@require_POST
def import_cancel_view(request: HttpRequest, community_id: int, token: str) -> HttpResponse:
    community = _community_for(request, community_id)
    stored = load_upload(token, _user_id(request), community.pk)
    discard_upload(stored.token)
    messages.info(request, _("The upload was discarded; nothing was imported."))
    return redirect(f"{reverse('lists:import', args=[community.pk])}?kind={stored.kind}")


def _download(filename: str, content_type: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def import_template_view(request: HttpRequest, community_id: int, kind: str) -> HttpResponse:
    community = _community_for(request, community_id)
    if kind not in spreadsheets.IMPORT_KINDS:
        raise Http404
    content = spreadsheets.template_file(kind, community)
    return _download(f"{kind}-template.xlsx", spreadsheets.XLSX_TYPE, content)


@lag_tolerant
@login_required
def export_view(request: HttpRequest, community_id: int, kind: str) -> HttpResponse:
    """Download a community's list; the list pages link here with their filters."""
    community = _community_for(request, community_id)
    file_format = request.GET.get("format", "xlsx")
    if kind not in spreadsheets.EXPORT_KINDS or file_format not in {"xlsx", "csv"}:
        raise Http404
    assert isinstance(request.user, User)
    for name in spreadsheets.EXPORT_NUMBER_FILTERS:
        query_int(request.GET, name)  # a 400 for a number out of range
    exported = spreadsheets.export_list(
        request.user, community, kind, file_format, request.GET.dict()
    )
    return _download(exported.filename, exported.content_type, exported.content)


urlpatterns_io = [
    path("communities/<int:community_id>/import/", import_view, name="import"),
    path(
        "communities/<int:community_id>/import-template/<str:kind>/",
        import_template_view,
        name="import_template",
    ),
    path(
        "communities/<int:community_id>/import/<str:token>/",
        import_preview_view,
        name="import_preview",
    ),
    path(
        "communities/<int:community_id>/import/<str:token>/confirm/",
        import_confirm_view,
        name="import_confirm",
    ),
    path(
        "communities/<int:community_id>/import/<str:token>/map/",
        import_map_view,
        name="import_map",
    ),
    path(
        "communities/<int:community_id>/import-answers/<int:mapping_id>/forget/",
        import_forget_view,
        name="import_forget",
    ),
    path(
        "communities/<int:community_id>/import/<str:token>/cancel/",
        import_cancel_view,
        name="import_cancel",
    ),
    path("communities/<int:community_id>/export/<str:kind>/", export_view, name="export"),
]
