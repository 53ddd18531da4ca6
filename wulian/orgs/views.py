from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wulian.core.bounds import query_int
from wulian.core.errors import DomainError, show_on_form
from wulian.core.text import fold
from wulian.orgs import services
from wulian.orgs.forms import PartnershipForm, PartnershipStatusForm
from wulian.orgs.models import Organization, Partnership
from wulian.orgs.rules import get_organization_for, get_partnership_for
from wulian.places.rules import get_region_for


def organization_list_view(request: HttpRequest) -> HttpResponse:
    orgs = Organization.objects.filter(is_active=True).select_related("region")
    kind = request.GET.get("kind", "")
    if kind in Organization.Kind.values:
        orgs = orgs.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        orgs = orgs.filter(search_text__contains=fold(query))
    region = query_int(request.GET, "region")
    if region is not None:
        orgs = orgs.filter(region_id=region)
    page = Paginator(orgs.order_by("kind", "name"), 24).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/organization_list.html",
        {"page": page, "kinds": Organization.Kind.choices, "kind": kind, "query": query},
    )


def organization_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organization_for(request.user, pk)
    can_view_members = request.user.has_perm("orgs.view_members", org)
    members = org.memberships.select_related("user") if can_view_members else None
    partnerships = Partnership.objects.filter(Q(host=org) | Q(partner=org)).select_related(
        "host", "partner"
    )
    visible = [p for p in partnerships if request.user.has_perm("orgs.view_partnership", p)]
    return render(
        request,
        "orgs/organization.html",
        {
            "org": org,
            "members": members,
            "partnerships": visible,
            "show_contact": can_view_members,
        },
    )


def partnership_list_view(request: HttpRequest, community_id: int) -> HttpResponse:
    community = get_region_for(request.user, community_id)
    partnerships = [
        p
        for p in Partnership.objects.filter(community=community).select_related("host", "partner")
        if request.user.has_perm("orgs.view_partnership", p)
    ]
    return render(
        request,
        "orgs/partnership_list.html",
        {
            "community": community,
            "partnerships": partnerships,
            "can_add": request.user.has_perm("orgs.add_partnership", community),
        },
    )


@login_required
def partnership_view(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = get_partnership_for(request.user, pk)
    can_change = request.user.has_perm("orgs.change_partnership", partnership)
    form = PartnershipStatusForm(request.POST or None) if can_change else None
    if request.method == "POST":
        partnership = get_partnership_for(request.user, pk, "orgs.change_partnership")
        if form is not None and form.is_valid():
            try:
                services.set_partnership_status(
                    request.user,
                    partnership,
                    form.cleaned_data["status"],
                    form.cleaned_data["note"],
                )
            except DomainError as exc:
                form.add_error("status", str(exc.message))
            else:
                messages.success(request, _("The partnership's status has been changed."))
                return redirect("orgs:partnership", pk=partnership.pk)
    moves = services.PARTNERSHIP_FLOW.next_states(partnership)
    return render(
        request,
        "orgs/partnership.html",
        {
            "partnership": partnership,
            "form": form,
            "moves": [(s, label) for s, label in Partnership.Status.choices if s in moves],
        },
    )


@login_required
def partnership_create_view(request: HttpRequest, community_id: int) -> HttpResponse:
    community = get_region_for(request.user, community_id, "orgs.add_partnership")
    host = Organization.objects.filter(region=community, kind=Organization.Kind.COMMUNITY).first()
    form = PartnershipForm(community, request.POST or None)
    if host is None:
        messages.error(request, _("Register the community's party committee first."))
    elif request.method == "POST" and form.is_valid():
        try:
            partnership = services.create_partnership(
                request.user,
                community,
                host,
                form.cleaned_data["partner"],
                started_on=form.cleaned_data["started_on"],
                content=form.cleaned_data["content"],
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The partnership has been recorded."))
            return redirect("orgs:partnership", pk=partnership.pk)
    return render(
        request,
        "orgs/partnership_form.html",
        {"community": community, "form": form, "host": host},
    )
