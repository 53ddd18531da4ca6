from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wulian.accounts.models import User
from wulian.core.actions import perform_on_page
from wulian.core.errors import DomainError, show_on_form
from wulian.core.idempotency import submit_once
from wulian.lists.rules import get_need_for
from wulian.places.models import Region
from wulian.places.rules import covered_regions, get_region_for
from wulian.whistle import forms, services
from wulian.whistle.actions import CALL_ACTIONS, WHISTLE_ACTIONS
from wulian.whistle.models import Whistle, WhistleAction, WhistleCall, WhistlePhoto
from wulian.whistle.rules import get_call_for, get_whistle_for, unit_ids, visible_whistles
from wulian.whistle.scorecard import PRIOR_WEIGHT, parse_period, scorecard

PAGE_SIZE = 20


def _staff_communities(user: Any) -> QuerySet[Region]:
    return covered_regions(user).filter(level=Region.Level.COMMUNITY).order_by("path")


@login_required
def whistle_list_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    whistles = (
        visible_whistles(user)
        .select_related("community", "compound")
        .prefetch_related(
            Prefetch("calls", WhistleCall.objects.select_related("organization")),
            Prefetch("photos", WhistlePhoto.objects.all(), to_attr="list_photos"),
        )
        .order_by("-state", "-created_at", "-id")  # open before closed
    )
    page = Paginator(whistles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "whistle/whistle_list.html",
        {
            "page": page,
            "communities": _staff_communities(user),
            "has_units": bool(unit_ids(user)),
            "now": timezone.now(),
        },
    )


@login_required
def whistle_create_view(request: HttpRequest, community_pk: int) -> HttpResponse:
    user = User.of(request)
    community = get_region_for(user, community_pk, "whistle.blow")
    units = services.callable_units(community)
    form = forms.WhistleForm(
        request.POST or None,
        request.FILES or None,
        community=community,
        units=units,
        initial={"type": request.GET.get("type", "everyday")},
    )

    def perform() -> HttpResponse | None:
        data = form.cleaned_data
        try:
            need = get_need_for(user, data["need"]) if data.get("need") else None
            whistle = services.blow_whistle(
                user,
                community,
                services.WhistleInput(
                    type=data["type"],
                    title=data["title"],
                    text=data.get("text", ""),
                    compound=data.get("compound"),
                    place=data.get("place", ""),
                    units=list(data["units"]),
                    report_by=data.get("report_by"),
                    resolve_by=data.get("resolve_by"),
                    need=need,
                    raised_by=data.get("reporter"),
                    photos=data.get("photos") or [],
                ),
            )
        except DomainError as exc:
            show_on_form(form, exc)
            return None
        messages.success(request, _("The whistle is blown; the units have been notified."))
        return redirect("whistle:detail", pk=whistle.pk)

    if request.method == "POST" and form.is_valid():
        done = submit_once(request, form, perform)
        if done is not None:
            return done
    defaults = {
        value: services.deadlines_for(community, value)
        for value in ("emergency", "joint", "everyday")
    }
    return render(
        request,
        "whistle/whistle_form.html",
        {"form": form, "community": community, "defaults": defaults},
    )


def _detail_context(request: HttpRequest, whistle: Whistle) -> dict[str, Any]:
    user = request.user
    mine = unit_ids(user)
    calls = list(
        whistle.calls.select_related("organization", "rerouted_to__organization").prefetch_related(
            Prefetch(
                "actions",
                WhistleAction.objects.select_related("author").prefetch_related("photos"),
            )
        )
    )
    can_manage = user.has_perm("whistle.manage_whistle", whistle)
    live_or_declined = any(c.is_live or c.state == WhistleCall.State.DECLINED for c in calls)
    return {
        "whistle": whistle,
        "calls": calls,
        "my_calls": [c for c in calls if c.organization_id in mine],
        "photos": whistle.photos.all(),
        "can_manage": can_manage,
        "can_close": can_manage
        and whistle.state == Whistle.State.OPEN
        and not live_or_declined
        and any(c.state == WhistleCall.State.HANDLED for c in calls),
        "can_rate": user.has_perm("whistle.rate_whistle", whistle)
        and whistle.state == Whistle.State.CLOSED
        and whistle.rating is None,
        "reroute_form": forms.RerouteForm(units=services.callable_units(whistle.community)),
        "reason_form": forms.ReasonForm(),
        "action_form": forms.ActionForm(),
        "rating_form": forms.RatingForm(),
        "now": timezone.now(),
    }


def whistle_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    whistle = get_whistle_for(request.user, pk)
    return render(request, "whistle/whistle_detail.html", _detail_context(request, whistle))


@login_required
@require_POST
def whistle_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    whistle = get_whistle_for(User.of(request), pk)
    perform_on_page(request, WHISTLE_ACTIONS, whistle, action)
    return redirect("whistle:detail", pk=whistle.pk)


@login_required
def calls_view(request: HttpRequest) -> HttpResponse:
    """A unit's inbox of calls: open ones first, with big buttons for a phone."""
    user = User.of(request)
    calls = (
        WhistleCall.objects.filter(organization_id__in=unit_ids(user))
        .select_related("whistle__community", "whistle__compound", "organization")
        .order_by("-called_at", "-id")
    )
    open_calls = [c for c in calls.filter(state__in=services.LIVE)]
    page = Paginator(calls.exclude(state__in=services.LIVE), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "whistle/calls.html",
        {
            "open_calls": open_calls,
            "page": page,
            "reason_form": forms.ReasonForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def call_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    call = get_call_for(User.of(request), pk)
    perform_on_page(request, CALL_ACTIONS, call, action)
    if request.POST.get("back") == "calls":
        return redirect("whistle:calls")
    return redirect("whistle:detail", pk=call.whistle_id)


@login_required
def scorecard_view(request: HttpRequest, community_pk: int) -> HttpResponse:
    user = User.of(request)
    community = get_region_for(user, community_pk, "whistle.view_scorecard")
    try:
        period = parse_period(request.GET.get("period"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        period = parse_period(None)
    return render(
        request,
        "whistle/scorecard.html",
        {
            "community": community,
            "period": period,
            "rows": scorecard(community, period),
            "prior_weight": PRIOR_WEIGHT,
        },
    )
