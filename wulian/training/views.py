"""Pages of joint training: parse input, call one service (through the action table),
render. Every page needs a sign-in: party data never shows on a public page."""

from __future__ import annotations

import secrets

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wulian.accounts.models import User, normalize_mobile
from wulian.core.actions import perform_on_page
from wulian.core.bounds import parse_int, query_int
from wulian.core.db import lag_tolerant
from wulian.core.errors import DomainError, show_on_form
from wulian.core.pdf import content_disposition, pdf_response
from wulian.core.text import mask_name
from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.places.queries import home_community
from wulian.places.rules import covered_regions, covers
from wulian.training import documents, forms, queries, services
from wulian.training.actions import SESSION_ACTIONS
from wulian.training.models import Attendance, DualRegistration, PartyMembership, ServicePost
from wulian.training.rules import (
    get_party_org_for,
    get_record_for,
    get_registration_for,
    get_session_for,
    party_roles,
    secretary_of,
    visible_sessions,
)

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _qr(text: str) -> str:
    return str(segno.make(text, error="m", micro=False).svg_data_uri(scale=5, border=2))


def _year(request: HttpRequest) -> int:
    year = query_int(request.GET, "year", high=2100)
    if year is None:
        return timezone.localdate().year
    if year < 2000:
        raise BadRequest("year: out of range")
    return year


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    return response


def party_organisations() -> QuerySet[Organization]:
    """Organisations with a party branch: declared, or with members recorded."""
    return (
        Organization.objects.filter(is_active=True)
        .filter(Q(has_party_organization=True) | Q(party_memberships__is_active=True))
        .distinct()
        .order_by("kind", "name")
    )


def progress_organisations(user: User) -> list[Organization]:
    """The party organisations whose progress a person keeps: their own as secretary, and
    those based in the regions they work for."""
    orgs = party_organisations().filter(
        Q(pk__in=secretary_of(user)) | Q(region__in=covered_regions(user))
    )
    return list(orgs.select_related("region")[:500])


# ------------------------------------------------------------------ sessions


@login_required
def session_list_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    sessions = (
        visible_sessions(user)
        .prefetch_related("organisers")
        .annotate(attended=Count("attendances", filter=Q(attendances__state="present")))
        .order_by("-starts_at", "id")
    )
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    community = home_community(user)
    mine = set(
        Attendance.objects.filter(
            person=user, state="present", session__in=[s.pk for s in page]
        ).values_list("session_id", flat=True)
    )
    return render(
        request,
        "training/session_list.html",
        {
            "page": page,
            "mine": mine,
            "community": community,
            "now": timezone.now(),
            "can_add": community is not None and user.has_perm("training.add_session", community),
        },
    )


@login_required
def session_create_view(request: HttpRequest, community_pk: int) -> HttpResponse:
    user = User.of(request)
    community = Region.objects.filter(pk=community_pk, level=Region.Level.COMMUNITY).first()
    if community is None or not user.has_perm("training.add_session", community):
        raise Http404
    form = forms.SessionForm(request.POST or None, organisers=party_organisations())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.create_session(
                user,
                community,
                services.SessionInput(
                    title=data["title"],
                    kind=data["kind"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    organisers=list(data["organisers"]),
                    place=data.get("place", ""),
                    online_url=data.get("online_url", ""),
                    topics=data.get("topics", ""),
                    hours_rule=data["hours_rule"],
                    min_minutes=data["min_minutes"],
                ),
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The training session is scheduled."))
            return redirect("training:session", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form, "community": community})


def _door_url(request: HttpRequest, pk: int, token: str) -> str:
    return request.build_absolute_uri(reverse("training:checkin", args=[pk, token]))


@login_required
def session_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    session = get_session_for(user, pk)
    organisers = list(session.organisers.all())
    can_manage = user.has_perm("training.manage_session", session)
    mine = Attendance.objects.filter(session=session, person=user).first()
    ready_at = None
    if mine is not None and mine.state == Attendance.State.OPENED:
        mine.session = session
        ready_at = services.online_ready_at(mine)
    rows: list[dict[str, object]] = []
    unconfirmed: list[tuple[int, str]] = []
    counts: list[tuple[str, int]] = []
    if can_manage:
        attendances = list(
            session.attendances.select_related("person", "organization").order_by(
                "organization__name", "attended_at", "id"
            )
        )
        visible_orgs = secretary_of(user)
        staff = covers(user, session.community)
        for a in attendances:
            sees = staff or a.organization_id in visible_orgs or a.person_id == user.pk
            rows.append(
                {
                    "attendance": a,
                    "name": a.person.real_name if sees else mask_name(a.person.real_name),
                }
            )
        present = {a.person_id for a in attendances if a.state == Attendance.State.PRESENT}
        counts = [
            (o.short_name or o.name, sum(1 for a in attendances if a.organization_id == o.pk))
            for o in organisers
        ]
        members = (
            PartyMembership.objects.filter(is_active=True, organization__in=organisers)
            .exclude(person_id__in=present)
            .select_related("person", "organization")
            .order_by("organization__name", "person__real_name")
        )
        if not staff:
            members = members.filter(organization_id__in=visible_orgs)
        unconfirmed = [
            (m.person_id, f"{m.person.real_name}（{m.organization.short_name or m.organization}）")
            for m in members[:300]
        ]
    now = timezone.now()
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "organisers": organisers,
            "mine": mine,
            "ready_at": ready_at,
            "may_attend": user.has_perm("training.attend", session),
            "can_manage": can_manage,
            "rows": rows,
            "counts": counts,
            "unconfirmed": unconfirmed,
            "door_url": _door_url(request, session.pk, session.token) if can_manage else "",
            "door_qr": _qr(_door_url(request, session.pk, session.token)) if can_manage else "",
            "is_started": now >= session.starts_at,
            "is_over": now > session.ends_at,
            "is_scheduled": session.state == session.State.SCHEDULED,
        },
    )


@login_required
def checkin_view(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """What the door's QR code opens on a member's phone: one button, with a nonce."""
    user = User.of(request)
    session = get_session_for(user, pk)
    if token != session.token:
        raise Http404
    return render(
        request,
        "training/checkin.html",
        {
            "session": session,
            "mine": Attendance.objects.filter(session=session, person=user).first(),
            "may_attend": user.has_perm("training.attend", session),
            "form": forms.CheckInForm(initial={"token": token, "nonce": secrets.token_urlsafe(12)}),
        },
    )


@login_required
@require_POST
def session_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    session = get_session_for(User.of(request), pk)
    perform_on_page(request, SESSION_ACTIONS, session, action)
    return redirect("training:session", pk=session.pk)


# ------------------------------------------------------------------ progress and records


@login_required
def progress_view(request: HttpRequest) -> HttpResponse:
    """An organisation's year: each member's hours against the norm, who is behind, the
    members' dual registrations and service hours; for its secretary and the staff."""
    user = User.of(request)
    year = _year(request)
    choices = progress_organisations(user)
    org_pk = query_int(request.GET, "org")
    if org_pk is None:
        if not choices:
            raise Http404
        org = choices[0]
    else:
        org = get_party_org_for(user, org_pk)
    if request.method == "POST":
        _progress_post(request, user, org)
        return redirect(f"{reverse('training:progress')}?org={org.pk}&year={year}")
    progress = queries.progress(org, year)
    norm = progress.norm
    return render(
        request,
        "training/progress.html",
        {
            "org": org,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 4, -1)),
            "choices": choices,
            "progress": progress,
            "registrations": queries.org_registrations(org, year),
            "norm_form": forms.NormForm(
                initial={
                    "year": year,
                    "member_hours": norm.member_hours,
                    "leader_hours": norm.leader_hours,
                }
            ),
            "enrol_form": forms.EnrolForm(),
        },
    )


def _progress_post(request: HttpRequest, user: User, org: Organization) -> None:
    try:
        if "member_hours" in request.POST:
            form = forms.NormForm(request.POST)
            if not form.is_valid():
                raise DomainError("invalid", _("Give whole numbers of hours."))
            data = form.cleaned_data
            services.set_norm(user, org, data["year"], data["member_hours"], data["leader_hours"])
            messages.success(request, _("The norm is saved."))
        elif "end" in request.POST:
            membership = PartyMembership.objects.filter(
                pk=parse_int(request.POST.get("end", "")) or 0, organization=org
            ).first()
            if membership is None:
                raise DomainError("party.unknown", _("There is no such member."))
            services.end_membership(user, membership)
            messages.info(request, _("The membership is ended."))
        else:
            enrol = forms.EnrolForm(request.POST)
            if not enrol.is_valid():
                raise DomainError("invalid", _("Check the mobile number, the role and the date."))
            data = enrol.cleaned_data
            person = User.objects.filter(
                mobile=normalize_mobile(data["mobile"]), is_active=True
            ).first()
            if person is None:
                raise DomainError("party.no_person", _("Nobody has an account with this number."))
            services.enrol_member(user, org, person, data["role"], data.get("joined_on"))
            messages.success(request, _("The membership is recorded."))
    except DomainError as exc:
        messages.error(request, str(exc.message))


@lag_tolerant
@login_required
def progress_xlsx_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    org = get_party_org_for(user, query_int(request.GET, "org") or 0)
    year = _year(request)
    content = documents.render_progress_xlsx(queries.progress(org, year))
    return _xlsx(content, f"{org.short_name or org.name}-{year}年度学习进度.xlsx")


@login_required
def mine_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    membership = (
        PartyMembership.objects.filter(person=user, is_active=True)
        .select_related("organization")
        .first()
    )
    if membership is None:
        raise Http404
    year = _year(request)
    return render(
        request,
        "training/mine.html",
        {
            "membership": membership,
            "year": year,
            "record": queries.study_record(membership, year),
        },
    )


@login_required
def record_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_record_for(User.of(request), pk)
    record = queries.study_record(membership, _year(request))
    return pdf_response(
        documents.render_record_pdf(record), f"{record.name}-{record.year}年度学习档案.pdf"
    )


@login_required
def record_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_record_for(User.of(request), pk)
    record = queries.study_record(membership, _year(request))
    return _xlsx(
        documents.render_record_xlsx(record), f"{record.name}-{record.year}年度学习档案.xlsx"
    )


# ------------------------------------------------------------------ dual registration


@login_required
def dual_view(request: HttpRequest) -> HttpResponse:
    """双报到: a party member registers at a community and takes on its service posts; the
    community's staff see who registered and open posts."""
    user = User.of(request)
    community = home_community(user)
    chosen = query_int(request.GET, "community")
    if chosen is not None:
        community = Region.objects.filter(pk=chosen, level=Region.Level.COMMUNITY).first()
        if community is None:
            raise Http404
    if community is None:
        raise Http404
    posts = ServicePost.objects.filter(community=community, is_active=True)
    form = forms.RegistrationForm(request.POST or None, posts=posts)
    post_form = forms.PostForm(request.POST or None, prefix="post")
    staff = covers(user, community)
    if request.method == "POST":
        try:
            if "post-name" in request.POST:
                if post_form.is_valid():
                    services.create_post(
                        user,
                        community,
                        post_form.cleaned_data["name"],
                        post_form.cleaned_data.get("description", ""),
                    )
                    messages.success(request, _("The service post is open."))
            elif "end" in request.POST:
                registration = get_registration_for(
                    user, parse_int(request.POST.get("end", "")) or 0
                )
                services.end_registration(user, registration)
                messages.info(request, _("The registration is ended."))
            elif form.is_valid():
                services.register(
                    user, community, form.cleaned_data["basis"], list(form.cleaned_data["posts"])
                )
                messages.success(
                    request,
                    _("You are registered; your service hours will be reported to your branch."),
                )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect(f"{reverse('training:dual')}?community={community.pk}")
    year = timezone.localdate().year
    mine = queries.registration_reports(
        DualRegistration.objects.filter(person=user, state=DualRegistration.State.ACTIVE)
        .select_related("person", "community", "membership__organization")
        .prefetch_related("posts"),
        year,
    )
    return render(
        request,
        "training/dual.html",
        {
            "community": community,
            "form": form,
            "post_form": forms.PostForm(prefix="post"),
            "posts": posts,
            "mine": mine,
            "is_member": bool(party_roles(user)),
            "registered_here": any(r.community == community.name for r in mine),
            "staff": staff,
            "registrations": queries.community_registrations(community.pk, year) if staff else [],
            "year": year,
        },
    )
