"""Pages of the ledger: parse input, call one service, render. A volunteer's own pages are
phone-first; the organising body's pages list what waits for it."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wulian.accounts.models import User, normalize_mobile
from wulian.core.actions import perform_on_page
from wulian.core.db import lag_tolerant
from wulian.core.errors import DomainError, show_on_form
from wulian.core.pdf import pdf_response
from wulian.core.text import mask_name
from wulian.lists.rules import get_project_for
from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.places.queries import home_community
from wulian.places.rules import get_region_for
from wulian.volunteering import documents, forms, services
from wulian.volunteering.actions import CORRECTION_ACTIONS, RECORD_ACTIONS
from wulian.volunteering.models import Award, CorrectionRequest, VolunteerRecord
from wulian.volunteering.rules import (
    get_body_for,
    get_correction_for,
    get_record_for,
)

PAGE_SIZE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: HttpRequest, default: str = "year") -> services.Period:
    text = request.GET.get("period", "")
    if text:
        try:
            return services.parse_period(text)
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return services.current_period(default)


def _periods(today: datetime.date | None = None) -> list[str]:
    """The periods offered in a picker: this year and last, this quarter, this month."""
    today = today or timezone.localdate()
    return [
        str(today.year),
        f"{today.year}-Q{(today.month - 1) // 3 + 1}",
        f"{today.year}-{today.month:02d}",
        str(today.year - 1),
    ]


def _person(mobile: str) -> User:
    person = User.objects.filter(mobile=normalize_mobile(mobile), is_active=True).first()
    if person is None:
        raise DomainError("hours.no_person", _("No one on the platform has this mobile number."))
    return person


# ------------------------------------------------------------------ the volunteer


@login_required
def my_hours_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    period = _period(request)
    records = (
        VolunteerRecord.objects.filter(person=user)
        .select_related("organization", "corrects")
        .order_by("-date", "-pk")
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    open_ids = set(
        CorrectionRequest.objects.filter(
            record__person=user, state=CorrectionRequest.State.OPEN
        ).values_list("record_id", flat=True)
    )
    return render(
        request,
        "volunteering/mine.html",
        {
            "period": period,
            "periods": _periods(),
            "totals": services.person_totals(user, period),
            "page": page,
            "open_ids": open_ids,
            "requests": CorrectionRequest.objects.filter(requested_by=user).select_related(
                "record"
            )[:10],
            "awards": services.badges_of(user),
            "on_roll": services.is_on_public_roll(user),
            "masked_name": mask_name(user.real_name),
            "bodies": Organization.objects.filter(memberships__user=user).order_by("name"),
        },
    )


@login_required
def my_certificate_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    period = _period(request)
    try:
        cert = services.issue_certificate(user, user, period)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("volunteering:mine") + f"?period={period.key}")
    return _certificate_response(request, cert)


@login_required
def person_certificate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The community's staff issue a resident's certificate (the residents' committee issues)."""
    person = User.objects.filter(pk=pk, is_active=True).select_related("community").first()
    if person is None or not request.user.has_perm("volunteering.issue_certificate", person):
        raise Http404
    period = _period(request)
    try:
        cert = services.issue_certificate(User.of(request), person, period)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("volunteering:person", pk=person.pk)
    return _certificate_response(request, cert)


def _certificate_response(request: HttpRequest, cert: object) -> HttpResponse:
    from wulian.volunteering.models import Certificate

    assert isinstance(cert, Certificate)
    url = request.build_absolute_uri(reverse("volunteering:verify", args=[cert.token]))
    return pdf_response(
        documents.render_certificate_pdf(cert, url), f"志愿服务证明-{cert.number}.pdf"
    )


@login_required
@require_POST
def roll_choice_view(request: HttpRequest) -> HttpResponse:
    show = request.POST.get("show") == "1"
    services.set_roll_choice(User.of(request), show=show)
    messages.success(
        request,
        _("Your name shows on the public honour roll.")
        if show
        else _("Your name is kept off the public honour roll."),
    )
    return redirect("volunteering:mine")


@login_required
def record_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_record_for(request.user, pk)
    user = request.user
    return render(
        request,
        "volunteering/record.html",
        {
            "record": record,
            "net": services.net_hours(record),
            "corrections": record.corrections.select_related("recorded_by").order_by("pk"),
            "requests": record.correction_requests.select_related("answered_by").order_by("-pk"),
            "may_ask": user.has_perm("volunteering.ask_correction", record)
            and record.kind == "entry"
            and record.state == "confirmed",
            "may_confirm": record.state == "pending"
            and user.has_perm("volunteering.manage_record", record)
            and record.recorded_by_id != user.pk,
            "correction_form": forms.CorrectionForm(),
            "reason_form": forms.ReasonForm(),
        },
    )


@login_required
@require_POST
def record_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    record = get_record_for(request.user, pk)
    perform_on_page(request, RECORD_ACTIONS, record, action)
    return redirect("volunteering:record", pk=record.pk)


@login_required
def correction_view(request: HttpRequest, pk: int) -> HttpResponse:
    correction = get_correction_for(request.user, pk)
    return render(
        request,
        "volunteering/correction.html",
        {
            "correction": correction,
            "record": correction.record,
            "net": services.net_hours(correction.record),
            "may_answer": correction.state == "open"
            and request.user.has_perm("volunteering.answer_correction", correction),
            "correct_form": forms.CorrectForm(initial={"hours": correction.hours}),
            "answer_form": forms.AnswerForm(),
        },
    )


@login_required
@require_POST
def correction_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    correction = get_correction_for(request.user, pk)
    perform_on_page(request, CORRECTION_ACTIONS, correction, action)
    return redirect("volunteering:correction", pk=correction.pk)


# ------------------------------------------------------------------ the organising body


@login_required
def body_view(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_body_for(request.user, pk)
    period = _period(request)
    records = (
        VolunteerRecord.objects.filter(organization=body)
        .select_related("person", "recorded_by")
        .order_by("-date", "-pk")
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/body.html",
        {
            "body": body,
            "period": period,
            "periods": _periods(),
            "page": page,
            "pending": records.filter(state="pending"),
            "open": CorrectionRequest.objects.filter(
                record__organization=body, state="open"
            ).select_related("record__person"),
            "projects": _body_projects(body),
        },
    )


def _body_projects(body: Organization) -> list[Any]:
    from wulian.lists.models import Project

    return list(
        Project.objects.filter(
            claim__organization=body, state__in=["active", "stalled", "completed"]
        ).order_by("-created_at")[:20]
    )


@login_required
def enter_hours_view(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_body_for(request.user, pk)
    form = forms.ManualHoursForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.enter_hours(
                User.of(request),
                body,
                services.ManualInput(
                    person=_person(data["mobile"]),
                    service=data["service"],
                    place=data["place"],
                    date=data["date"],
                    starts=data["starts"],
                    ends=data["ends"],
                    hours=data["hours"],
                    note=data["note"],
                ),
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("Recorded. A second person of the body confirms it."))
            return redirect("volunteering:record", pk=record.pk)
    return render(request, "volunteering/enter.html", {"body": body, "form": form})


@lag_tolerant
@login_required
def body_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_body_for(request.user, pk, "volunteering.export_records")
    period = _period(request)
    response = HttpResponse(documents.render_records_xlsx(body, period), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="volunteer-records-{body.pk}-{period.key}.xlsx"'
    )
    return response


@login_required
def project_hours_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for(request.user, pk, "lists.report_progress")
    form = forms.ProjectHoursForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_project_hours(
                User.of(request),
                project,
                [
                    services.ProjectHoursLine(
                        person=_person(data["mobile"]),
                        date=data["date"],
                        starts=data["starts"],
                        ends=data["ends"],
                        hours=data["hours"],
                        task=data["task"],
                    )
                ],
                report_key=request.POST.get("nonce", "")[:40],
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The hours were recorded for the project."))
            return redirect("volunteering:project", pk=project.pk)
    import secrets

    return render(
        request,
        "volunteering/project.html",
        {
            "project": project,
            "form": form,
            "nonce": secrets.token_urlsafe(12),
            "records": VolunteerRecord.objects.filter(project=project)
            .select_related("person")
            .order_by("-date", "-pk")[:100],
        },
    )


# ------------------------------------------------------------------ people, roll, verification


def person_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's badges: anyone sees them with the name masked (unless the person keeps off
    the public roll); staff see the whole name and may award an honorary badge."""
    person = User.objects.filter(pk=pk, is_active=True).select_related("community").first()
    if person is None:
        raise Http404
    staff = request.user.has_perm("volunteering.award_badge", person.community)
    own = request.user.pk == person.pk
    if not request.user.has_perm("volunteering.view_badges", person) or not (
        staff or own or Award.objects.filter(person=person).exists()
    ):
        raise Http404  # badges are public only for those on the public roll
    form = forms.HonoraryForm(request.POST or None)
    if request.method == "POST":
        if not staff:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.award_honorary(
                    User.of(request),
                    person,
                    form.cleaned_data["badge"],
                    form.cleaned_data["reason"],
                )
            except DomainError as exc:
                show_on_form(form, exc)
            else:
                messages.success(request, _("The badge was awarded."))
                return redirect("volunteering:person", pk=person.pk)
    awards = Award.objects.filter(person=person).select_related("badge").order_by("awarded_at")
    return render(
        request,
        "volunteering/person.html",
        {
            "person": person,
            "name": person.real_name
            if staff or request.user == person
            else mask_name(person.real_name),
            "awards": awards,
            "staff": staff,
            "form": form,
            "period": services.current_period(),
        },
    )


@lag_tolerant
def roll_index_view(request: HttpRequest) -> HttpResponse:
    community = home_community(request.user)
    if community is None:
        community = Region.objects.filter(level=Region.Level.COMMUNITY).order_by("pk").first()
    if community is None:
        raise Http404
    return redirect("volunteering:roll", pk=community.pk)


def _roll(
    request: HttpRequest, pk: int
) -> tuple[Region, services.Period, list[services.RollRow], bool]:
    community = get_region_for(request.user, pk)
    if not community.is_community:
        raise Http404
    period = _period(request)
    staff = request.user.has_perm("volunteering.view_whole_names", community)
    public = not staff or request.GET.get("view") == "public"
    return community, period, services.honour_roll(community, period, public=public), not public


@lag_tolerant
def roll_view(request: HttpRequest, pk: int) -> HttpResponse:
    community, period, rows, whole = _roll(request, pk)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/roll.html",
        {
            "community": community,
            "period": period,
            "periods": _periods(),
            "page": page,
            "whole": whole,
            "cap": services.DAILY_CAP,
        },
    )


@lag_tolerant
def roll_projector_view(request: HttpRequest, pk: int) -> HttpResponse:
    community = get_region_for(request.user, pk)
    if not community.is_community:
        raise Http404
    period = _period(request)
    rows = services.honour_roll(community, period, public=True)[:20]
    return render(
        request,
        "volunteering/projector.html",
        {"community": community, "period": period, "rows": rows},
    )


@lag_tolerant
def roll_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    community = get_region_for(request.user, pk)
    if not community.is_community:
        raise Http404
    period = _period(request)
    rows = services.honour_roll(community, period, public=True)[:40]
    pdf = documents.render_roll_pdf(community, period, rows)
    return pdf_response(pdf, f"社区群英榜-{period.key}.pdf", inline=True)


def verify_view(request: HttpRequest, token: str) -> HttpResponse:
    """Where a certificate's QR code leads: whether it is genuine, and nothing more."""
    cert = services.certificate_by_token(token)
    response = render(
        request, "volunteering/verify.html", {"cert": cert}, status=200 if cert else 404
    )
    response["X-Robots-Tag"] = "noindex"
    return response
