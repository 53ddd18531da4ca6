"""Release event pages: thin views over `services` (changes) and `reports` (what is shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from wulian.accounts.models import User
from wulian.core.errors import DomainError, show_on_form
from wulian.core.pdf import content_disposition, pdf_response
from wulian.events import documents, forms, reports, services
from wulian.events.models import EventNeed, ReleaseEvent
from wulian.events.rules import (
    event_communities,
    get_event_for,
    manageable_communities,
    visible_events,
)
from wulian.lists.models import Claim, Need
from wulian.lists.services import needs_matching
from wulian.orgs.models import Organization

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def event_list_view(request: HttpRequest) -> HttpResponse:
    events = [
        event
        for event in visible_events(request.user).prefetch_related("communities")
        if request.user.has_perm("events.view_event", event)
    ]
    can_create = manageable_communities(request.user).exists()
    return render(request, "events/event_list.html", {"events": events, "can_create": can_create})


@login_required
def event_create_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    communities = manageable_communities(user)
    if not communities.exists():
        return render(request, "403.html", status=403)
    form = forms.EventForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.create_event(
                user,
                title=data["title"],
                starts_at=data["starts_at"],
                place=data["place"],
                description=data["description"],
                communities=list(data["communities"]),
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The event is created. Now put needs on its list."))
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form})


def _open_needs(event: ReleaseEvent) -> QuerySet[Need]:
    return Need.objects.filter(
        event_entries__event=event, state=Need.State.PUBLISHED
    ).select_related("community")


def _claims(event: ReleaseEvent) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(need__event_entries__event=event, state=Claim.State.ACTIVE)
        .select_related("need", "organization", "claimant")
        .order_by("-created_at")
    )


def _organizations(event: ReleaseEvent) -> QuerySet[Organization]:
    """Organisations that may claim at the event: those of its communities and above them."""
    ids: set[int] = set()
    for community in event_communities(event):
        ids.update(community.ancestor_ids)
    return Organization.objects.filter(region_id__in=ids, is_active=True).order_by("kind", "name")


def _manage_context(request: HttpRequest, event: ReleaseEvent) -> dict[str, Any]:
    filters = forms.NeedFilterForm(request.GET or None, event=event)
    candidates = services.addable_needs(event)
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("q"):
            candidates = candidates.filter(needs_matching(data["q"]))
        if data.get("category"):
            category = data["category"]
            candidates = candidates.filter(category__in=[category, *category.children.all()])
        if data.get("community"):
            candidates = candidates.filter(community=data["community"])
    others = ReleaseEvent.objects.exclude(pk=event.pk).exclude(state=ReleaseEvent.State.CLOSED)
    return {
        "filters": filters,
        "add_form": forms.AddNeedsForm(needs=candidates[:200]),
        "candidates": candidates[:200],
        "category_form": forms.AddCategoryForm(),
        "paper_form": forms.PaperClaimForm(
            needs=_open_needs(event), organizations=_organizations(event)
        ),
        "correct_form": forms.CorrectClaimForm(claims=_claims(event)),
        "carry_form": forms.CarryOverForm(
            events=others.filter(communities__in=event_communities(event)).distinct()
        ),
        "poster_kinds": documents.POSTER_KINDS,
    }


def event_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The event's page: its list with claim links for everyone; the controls for its staff."""
    event = get_event_for(request.user, pk)
    can_manage = request.user.has_perm("events.manage_event", event)
    context: dict[str, Any] = {
        "event": event,
        "communities": event_communities(event),
        "board": reports.board_state(event),
        "can_manage": can_manage,
        "rows": [
            {"need": need, "raiser": reports.raiser_label(need)}
            for need in reports.event_needs(event)
        ],
    }
    if can_manage:
        context.update(_manage_context(request, event))
    return render(request, "events/event_detail.html", context)


ACTIONS = {
    "announce",
    "open",
    "close",
    "add",
    "add-category",
    "remove",
    "paper-claim",
    "correct",
    "carry-over",
}


@login_required
@require_POST
def event_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every change from the event page: one service call each, refusals shown as messages."""
    user = User.of(request)
    event = get_event_for(user, pk, "events.manage_event")
    if action not in ACTIONS:
        return render(request, "404.html", status=404)
    try:
        done = _act(request, user, event, action)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if done:
            messages.success(request, done)
    return redirect(reverse("events:detail", args=[event.pk]) + f"#{action}")


def _act(request: HttpRequest, user: User, event: ReleaseEvent, action: str) -> str | None:
    if action == "announce":
        services.announce_event(user, event)
        return _("The event is announced: its page and board are public.")
    if action == "open":
        services.open_event(user, event)
        return _("The event is live: claims are coming in.")
    if action == "close":
        services.close_event(user, event)
        return _("The event is closed.")
    if action == "add":
        add = forms.AddNeedsForm(request.POST, needs=Need.objects.all())
        if not add.is_valid():
            raise DomainError("event.no_selection", _("Tick the needs to add."))
        added = services.add_needs(user, event, list(add.cleaned_data["needs"]))
        return _added(len(added))
    if action == "add-category":
        category_form = forms.AddCategoryForm(request.POST)
        if not category_form.is_valid():
            raise DomainError("event.no_selection", _("Choose a category."))
        added = services.add_category_needs(user, event, category_form.cleaned_data["category"])
        return _added(len(added))
    if action == "remove":
        need = Need.objects.filter(pk=request.POST.get("need", "0") or 0).first()
        if need is None:
            raise DomainError("event.need_not_listed", _("That need is not on this event's list."))
        services.remove_need(user, event, need)
        return _("The need is off the list.")
    if action == "paper-claim":
        paper = forms.PaperClaimForm(
            request.POST, needs=_open_needs(event), organizations=_organizations(event)
        )
        if not paper.is_valid():
            raise DomainError("event.invalid_form", _form_errors(paper))
        data = paper.cleaned_data
        claim = services.record_paper_claim(
            user,
            event,
            data["need"],
            organization=data["organization"],
            person=data["mobile"],
            note=data["note"],
        )
        return _("The paper claim of %(party)s is recorded.") % {"party": claim.party_display}
    if action == "correct":
        correct = forms.CorrectClaimForm(request.POST, claims=_claims(event))
        if not correct.is_valid():
            raise DomainError("event.invalid_form", _form_errors(correct))
        services.correct_claim(
            user, event, correct.cleaned_data["claim"], correct.cleaned_data["reason"]
        )
        return _("The claim is cancelled; the need is open again.")
    if action == "carry-over":
        others = ReleaseEvent.objects.exclude(pk=event.pk)
        carry = forms.CarryOverForm(request.POST, events=others)
        if not carry.is_valid():
            raise DomainError("event.no_selection", _("Choose the next event."))
        target = get_event_for(user, carry.cleaned_data["next_event"].pk, "events.manage_event")
        moved = services.carry_over_unclaimed(user, event, target)
        return ngettext(
            "%(n)d unclaimed need carried over.", "%(n)d unclaimed needs carried over.", len(moved)
        ) % {"n": len(moved)}
    return None


def _added(n: int) -> str:
    return ngettext("%(n)d need added to the list.", "%(n)d needs added to the list.", n) % {"n": n}


def _form_errors(form: Any) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {error}".lstrip(": ")
        for name, errors in form.errors.items()
        for error in errors
    )


def posters_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    event = get_event_for(request.user, pk, "events.manage_event")
    if kind not in documents.POSTER_KINDS:
        return render(request, "404.html", status=404)
    needs = [
        entry.need
        for entry in EventNeed.objects.filter(event=event).select_related(
            "need__community", "need__raised_by", "need__raised_for"
        )
    ]
    pdf = documents.render_posters(kind, event, needs, request.build_absolute_uri)
    return pdf_response(pdf, f"{event.title}-{kind}.pdf")


def board_view(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event_for(request.user, pk)
    page = request.build_absolute_uri(reverse("events:detail", args=[event.pk]))
    return render(
        request,
        "events/board.html",
        {
            "event": event,
            "board": reports.board_state(event),
            "page_url": page,
            "page_qr": documents.qr_data_uri(page),
        },
    )


def board_json_view(request: HttpRequest, pk: int) -> HttpResponse:
    """What the board polls every second: 304 when nothing changed since its last version."""
    event = get_event_for(request.user, pk)
    version = f'"{reports.board_version(event)}"'
    if request.headers.get("If-None-Match") == version:
        response = HttpResponse(status=304)
    else:
        state = reports.board_state_at(event, version.strip('"'))
        response = JsonResponse({"version": version.strip('"'), **state})
    response["ETag"] = version
    response["Cache-Control"] = "no-cache"
    return response


def report_view(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event_for(request.user, pk)
    report = reports.build_report(event)
    return render(
        request,
        "events/report.html",
        {
            "event": event,
            "report": report,
            "sentence": reports.sentence(report),
            "kinds": report.kinds(),
            "rows": report.rows(),
        },
    )


def report_file_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    event = get_event_for(request.user, pk)
    report = reports.build_report(event)
    if fmt == "pdf":
        return pdf_response(documents.render_report_pdf(report), f"{event.title}-report.pdf")
    if fmt == "xlsx":
        response = HttpResponse(documents.render_report_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = content_disposition(f"{event.title}-report.xlsx")
        return response
    if fmt == "json":
        return JsonResponse(report.as_json(), json_dumps_params={"ensure_ascii": False})
    return render(request, "404.html", status=404)
