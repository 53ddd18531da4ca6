"""The council's pages: parse input, call one service (through the action tables), render."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wulian.accounts.models import User
from wulian.core.actions import perform_on_page
from wulian.core.errors import DomainError, NotAllowed, show_on_form
from wulian.core.pdf import pdf_response
from wulian.council import documents, forms, queries, services
from wulian.council.actions import (
    MEETING_ACTIONS,
    MOTION_ACTIONS,
    RESOLUTION_ACTIONS,
    TOPIC_ACTIONS,
    choice_labels,
)
from wulian.council.models import HouseholdMember, Meeting, Motion, Resolution, Topic, VoteMark
from wulian.council.rules import (
    current_roles,
    get_council_for,
    get_meeting_for,
    get_motion_for,
    get_resolution_for,
    get_topic_for,
    visible_councils,
)


@login_required
def council_list_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    councils = list(visible_councils(user).select_related("community", "compound")[:200])
    if len(councils) == 1:
        return redirect("council:council", pk=councils[0].pk)
    return render(request, "council/council_list.html", {"councils": councils})


@login_required
def council_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    council = get_council_for(user, pk)
    return render(
        request,
        "council/council.html",
        {
            "council": council,
            "members": council.members.select_related("user").order_by("role", "id"),
            "topics": council.topics.exclude(state=Topic.State.DISMISSED).select_related(
                "raised_by"
            )[:50],
            "meetings": council.meetings.all()[:20],
            "resolutions": Resolution.objects.filter(council=council).select_related("motion")[:20],
            "can_run": user.has_perm("council.run_council", council),
            "can_take_part": user.has_perm("council.take_part", council),
            "roles": current_roles(user, council),
        },
    )


def _int(value: str | None) -> int:
    """A posted id, or 0 (which matches nothing) when it is not a number."""
    try:
        return int(value or 0)
    except ValueError:
        return 0


@login_required
def household_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident sees their household and asks to join one; staff confirm the requests."""
    user = User.of(request)
    council = get_council_for(user, pk)
    if request.method == "POST":
        try:
            if "confirm" in request.POST:
                if not user.has_perm("council.manage_council", council):
                    raise NotAllowed(
                        "council.not_allowed", _("Only the community's staff can do this.")
                    )
                member = HouseholdMember.objects.filter(
                    pk=_int(request.POST.get("confirm")),
                    household__in=services.households(council),
                ).first()
                if member is None:
                    raise DomainError("household.unknown", _("There is no such request."))
                services.confirm_household_member(user, member)
                messages.success(request, _("Confirmed."))
            else:
                household = (
                    services.households(council)
                    .filter(pk=_int(request.POST.get("household")))
                    .first()
                )
                if household is None:
                    raise DomainError(
                        "household.unknown", _("There is no such household in this compound.")
                    )
                services.request_join_household(user, household)
                messages.success(
                    request, _("Your request is sent; the community's staff will confirm it.")
                )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("council:household", pk=council.pk)
    mine = HouseholdMember.objects.filter(user=user).select_related("household").first()
    can_manage = user.has_perm("council.manage_council", council)
    return render(
        request,
        "council/household.html",
        {
            "council": council,
            "mine": mine,
            "can_manage": can_manage,
            "households": services.households(council) if mine is None else [],
            "pending": HouseholdMember.objects.filter(
                household__in=services.households(council), confirmed=False
            ).select_related("household", "user")
            if can_manage
            else [],
        },
    )


@login_required
def topic_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    council = get_council_for(user, pk, "council.take_part")
    form = forms.TopicForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.raise_topic(user, council, services.TopicInput(**form.cleaned_data))
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("Your topic is raised; neighbours can second it."))
            return redirect("council:topic", pk=topic.pk)
    return render(request, "council/topic_form.html", {"form": form, "council": council})


@login_required
def topic_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    topic = get_topic_for(user, pk)
    if not services.may_edit_topic(user, topic):
        messages.error(request, services.TOPIC_NOT_EDITABLE)
        return redirect("council:topic", pk=topic.pk)
    current = services.TopicInput.from_topic(topic)
    form = forms.TopicForm(request.POST or None, request.FILES or None, initial=vars(current))
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_topic(user, topic, services.TopicInput(**form.cleaned_data))
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The topic has been saved."))
            return redirect("council:topic", pk=topic.pk)
    return render(
        request,
        "council/topic_form.html",
        {"form": form, "council": topic.council, "topic": topic},
    )


@login_required
def topic_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    topic = get_topic_for(user, pk)
    council = topic.council
    can_moderate = user.has_perm("council.moderate", council)
    comments = topic.comments.select_related("author")
    return render(
        request,
        "council/topic.html",
        {
            "topic": topic,
            "council": council,
            "seconds": topic.seconds.count(),
            "photos": topic.photos.all(),
            "can_see_need": topic.need is not None and user.has_perm("lists.view_need", topic.need),
            "can_see_whistle": topic.whistle is not None
            and user.has_perm("whistle.view_whistle", topic.whistle),
            "seconded": topic.seconds.filter(user=user).exists(),
            "comments": [
                c for c in comments if not c.is_hidden or can_moderate or c.author_id == user.pk
            ],
            "can_take_part": user.has_perm("council.take_part", council),
            "can_run": user.has_perm("council.run_council", council),
            "can_moderate": can_moderate,
            "can_edit": services.may_edit_topic(user, topic),
            "agenda_form": forms.AgendaForm(
                meetings=council.meetings.exclude(state=Meeting.State.CLOSED)
            ),
            "open": topic.state in {Topic.State.RAISED, Topic.State.SECONDED, Topic.State.AGENDA},
        },
    )


@login_required
@require_POST
def topic_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    topic = get_topic_for(User.of(request), pk)
    perform_on_page(request, TOPIC_ACTIONS, topic, action)
    return redirect("council:topic", pk=topic.pk)


@login_required
def meeting_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    council = get_council_for(user, pk, "council.run_council")
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.schedule_meeting(
                user, council, services.MeetingInput(**form.cleaned_data)
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The meeting is planned; put topics on its agenda."))
            return redirect("council:meeting", pk=meeting.pk)
    return render(request, "council/meeting_form.html", {"form": form, "council": council})


def _checkin_url(request: HttpRequest, meeting: Meeting) -> str:
    return request.build_absolute_uri(
        reverse("council:checkin", args=[meeting.pk, meeting.checkin_token])
    )


@login_required
def meeting_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    meeting = get_meeting_for(user, pk)
    council = meeting.council
    can_run = user.has_perm("council.run_council", council)
    motions = list(meeting.motions.select_related("item__topic"))
    voted = set(
        VoteMark.objects.filter(motion__in=motions, voter=user).values_list("motion", flat=True)
    )
    return render(
        request,
        "council/meeting.html",
        {
            "meeting": meeting,
            "council": council,
            "agenda": meeting.agenda.select_related("topic"),
            "motions": [(m, m.pk in voted, services.motion_result(m)) for m in motions],
            "attendance": services.attendance(meeting),
            "checked_in": meeting.checkins.filter(user=user).exists(),
            "can_run": can_run,
            "roles": current_roles(user, council),
            "qr": documents.qr_data_uri(_checkin_url(request, meeting)) if can_run else "",
            "checkin_url": _checkin_url(request, meeting) if can_run else "",
            "motion_form": forms.MotionForm(),
            "proxy_form": forms.ProxyForm(),
            "sign_form": forms.SignForm(),
            "households": services.households(council) if can_run else [],
            "signatures": meeting.signatures.all(),
        },
    )


@login_required
@require_POST
def meeting_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = get_meeting_for(User.of(request), pk)
    perform_on_page(request, MEETING_ACTIONS, meeting, action)
    return redirect("council:meeting", pk=meeting.pk)


@login_required
def checkin_view(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """What the QR code opens: a phone confirms its check-in with one tap (a nonce per scan)."""
    user = User.of(request)
    meeting = get_meeting_for(user, pk)
    result = None
    if request.method == "POST":
        try:
            result = services.check_in(
                user, meeting, nonce=request.POST.get("nonce", ""), token=token
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            if result.created:
                messages.success(request, _("Checked in. Welcome!"))
            else:
                messages.info(request, _("You are already checked in."))
            return redirect("council:meeting", pk=meeting.pk)
    return render(
        request,
        "council/checkin.html",
        {"meeting": meeting, "token": token, "nonce": secrets.token_urlsafe(16)},
    )


def projector_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for(request.user, pk)
    return render(
        request,
        "council/projector.html",
        {
            "meeting": meeting,
            "state": queries.projector_state(meeting),
            "qr": documents.qr_data_uri(_checkin_url(request, meeting))
            if request.user.has_perm("council.run_council", meeting.council)
            else "",
        },
    )


def projector_json_view(request: HttpRequest, pk: int) -> HttpResponse:
    """What the projector polls every second: 304 when nothing changed since its last version."""
    meeting = get_meeting_for(request.user, pk)
    version = f'"{queries.projector_version(meeting)}"'
    if request.headers.get("If-None-Match") == version:
        response = HttpResponse(status=304)
    else:
        response = JsonResponse({"version": version.strip('"'), **queries.projector_state(meeting)})
    response["ETag"] = version
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def motion_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    motion = get_motion_for(user, pk)
    council = motion.meeting.council
    result = services.motion_result(motion) if motion.state == Motion.State.CLOSED else None
    can_run = user.has_perm("council.run_council", council)
    return render(
        request,
        "council/motion.html",
        {
            "motion": motion,
            "meeting": motion.meeting,
            "result": result,
            "voted": VoteMark.objects.filter(motion=motion, voter=user).exists(),
            "may_vote": services.may_attend(user, motion.meeting),
            "checked_in": motion.meeting.checkins.filter(user=user).exists(),
            "choices": choice_labels(motion),
            "can_run": can_run,
            "roles": current_roles(user, council),
            "tally": getattr(motion, "tally", None) if motion.voting == "hands" else None,
            "votes_cast": motion.marks.count(),
            "resolution": Resolution.objects.filter(motion=motion).first(),
            "resolution_form": forms.ResolutionForm(),
            "named": services.named_ballots(user, motion)
            if result and not motion.secret and user.has_perm("council.view_ballots", council)
            else [],
        },
    )


@login_required
@require_POST
def motion_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    motion = get_motion_for(User.of(request), pk)
    perform_on_page(request, MOTION_ACTIONS, motion, action)
    resolution = Resolution.objects.filter(motion=motion).first()
    if action == "resolve" and resolution is not None:
        return redirect("council:resolution", pk=resolution.pk)
    return redirect("council:motion", pk=motion.pk)


@login_required
def resolution_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    resolution = get_resolution_for(user, pk)
    council = resolution.council
    can_follow_up = user.has_perm("council.manage_council", council) and resolution.state in {
        Resolution.State.NOTICE,
        Resolution.State.EFFECTIVE,
    }
    return render(
        request,
        "council/resolution.html",
        {
            "resolution": resolution,
            "council": council,
            "result": services.motion_result(resolution.motion),
            "objections": resolution.objections.select_related("author"),
            "can_run": user.has_perm("council.run_council", council),
            "can_manage": user.has_perm("council.manage_council", council),
            "can_object": user.has_perm("council.object", council)
            and resolution.state == Resolution.State.NOTICE
            and resolution.notice_ends_at is not None
            and resolution.notice_ends_at > timezone.now(),
            "can_answer": user.has_perm("council.answer_objection", council),
            "can_follow_up": can_follow_up,
            "whistle_form": forms.WhistleUnitsForm(units=services.whistle_units(resolution))
            if can_follow_up
            else None,
        },
    )


@login_required
@require_POST
def resolution_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    resolution = get_resolution_for(User.of(request), pk)
    perform_on_page(request, RESOLUTION_ACTIONS, resolution, action)
    return redirect("council:resolution", pk=resolution.pk)


@login_required
def minutes_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for(User.of(request), pk)
    return pdf_response(documents.render_minutes_pdf(meeting), f"{meeting.title}-会议纪要.pdf")


@login_required
def notice_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for(User.of(request), pk)
    pdf = documents.render_notice_pdf(meeting, _checkin_url(request, meeting))
    return pdf_response(pdf, f"{meeting.title}-通知.pdf")


@login_required
def resolution_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    resolution = get_resolution_for(User.of(request), pk)
    return pdf_response(
        documents.render_resolution_pdf(resolution), f"决议公示-{resolution.pk}.pdf"
    )
