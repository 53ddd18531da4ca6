from __future__ import annotations

from collections.abc import Callable
from functools import cache as once
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from wulian.accounts.models import User
from wulian.core import versions
from wulian.core.actions import perform_on_page
from wulian.core.bounds import parse_int, query_int
from wulian.core.db import lag_tolerant
from wulian.core.errors import DomainError, show_on_form
from wulian.core.http import client_ip
from wulian.core.idempotency import submit_once
from wulian.lists import forms, matching, names, services
from wulian.lists.actions import NEED_ACTIONS, PROJECT_ACTIONS
from wulian.lists.models import (
    Attachment,
    Category,
    Claim,
    Invitation,
    Need,
    Project,
    Resource,
    Signature,
)
from wulian.lists.rules import (
    NEED_RELATED,
    get_need_for,
    get_project_for,
    get_resource_for,
    is_provider,
    visible_needs,
)
from wulian.orgs.models import Organization
from wulian.orgs.rules import get_organization_for
from wulian.places.models import Region
from wulian.places.queries import home_community
from wulian.places.rules import covered_regions, get_region_for

PAGE_SIZE = 20
# A need's photos (not its PDFs) for the thumbnails on list cards, in one query a page.
IMAGE_PHOTOS = Prefetch(
    "photos", queryset=Attachment.objects.filter(mime__startswith="image/"), to_attr="image_photos"
)


def _my_orgs(user: Any) -> QuerySet[Organization]:
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user, is_active=True).order_by("name")


def _selected_community(request: HttpRequest) -> Region | None:
    pk = query_int(request.GET, "community")
    if pk is not None:
        return Region.objects.filter(pk=pk, level=Region.Level.COMMUNITY).first()
    return None


# ------------------------------------------------------------------ needs


@lag_tolerant
def need_list_view(request: HttpRequest) -> HttpResponse:
    community = _selected_community(request)
    user = request.user

    def draw() -> HttpResponse:
        filters = forms.NeedFilterForm(
            request.GET or None, community=community or home_community(user)
        )
        needs = visible_needs(user)
        if community is not None:
            needs = needs.filter(community=community)
        needs = filters.filter(needs).select_related(*NEED_RELATED)
        needs = needs.prefetch_related("tags", IMAGE_PHOTOS)
        page = Paginator(needs.order_by("-urgency", "-created_at", "-id"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        staff_communities = covered_regions(user).filter(level=Region.Level.COMMUNITY)
        managed = community or home_community(user)
        can_manage = managed is not None and user.has_perm("lists.manage_lists", managed)
        context = {
            "community": community,
            "page": page,
            "filters": filters,
            "is_staff": staff_communities.exists(),
            "managed": managed if can_manage else None,
        }
        return render(request, "lists/need_list.html", context)

    # The list as drawn for this person, until anything it shows changes.
    return versions.kept_page(
        request, ("lists", community.pk if community else None), ("categories", None), draw=draw
    )


@login_required
def my_needs_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    needs = (
        Need.objects.filter(Q(raised_by=user) | Q(raised_for__in=_my_orgs(user)))
        .select_related(*NEED_RELATED, "merged_into")
        .prefetch_related(IMAGE_PHOTOS)
        .order_by("-created_at")
    )
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "lists/my_needs.html", {"page": page})


@login_required
def opportunities_view(request: HttpRequest) -> HttpResponse:
    """The needs each of the person's units is best placed to claim, invitations first."""
    return render(request, "lists/opportunities.html", {"orgs": list(_my_orgs(request.user))})


@login_required
def review_queue_view(request: HttpRequest) -> HttpResponse:
    regions = covered_regions(request.user)
    if not regions.exists():
        return render(request, "403.html", status=403)
    needs = (
        Need.objects.filter(community__in=regions, state=Need.State.SUBMITTED)
        .select_related(*NEED_RELATED)
        .prefetch_related(IMAGE_PHOTOS)
        .order_by("-urgency", "created_at")
    )
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "lists/review_queue.html", {"page": page})


@login_required
def need_create_view(request: HttpRequest, resource_pk: int | None = None) -> HttpResponse:
    """Raise a need; from a resource's page (`resource_pk`), a need asking its provider."""
    user = User.of(request)
    resource = get_resource_for(user, resource_pk) if resource_pk is not None else None
    community = _selected_community(request) or home_community(user)
    if community is None:
        messages.error(request, _("Choose your community in your profile first."))
        return redirect("accounts:profile")
    staff = user.has_perm("lists.manage_lists", community)
    orgs = _my_orgs(user)
    initial: dict[str, Any] = {"compound": user.compound_id, "slots": 1, "urgency": 0}
    if resource is not None:
        initial["title"] = resource.title
    form = forms.NeedForm(
        request.POST or None,
        request.FILES or None,
        community=community,
        orgs=orgs,
        staff=staff and resource is None,
        initial=initial,
    )

    def perform() -> HttpResponse | None:
        photos = form.cleaned_data.get("photos") or []
        try:
            if resource is not None:
                need = services.ask_for_resource(
                    user,
                    community,
                    resource,
                    form.need_input(),
                    for_org=form.cleaned_data.get("for_org"),
                    photos=photos,
                )
            else:
                need = services.raise_need(
                    user,
                    community,
                    form.need_input(),
                    for_org=form.cleaned_data.get("for_org"),
                    raiser_name=form.cleaned_data.get("raiser_name", ""),
                    photos=photos,
                )
        except DomainError as exc:
            show_on_form(form, exc)
            return None
        if resource is not None:
            messages.success(
                request,
                _(
                    "Thank you. The community reviews your request, then %(provider)s is "
                    "invited to take it on."
                )
                % {"provider": names.provider_name(user, resource)},
            )
        else:
            messages.success(
                request, _("Thank you. Your need has been sent to the community staff for review.")
            )
        return redirect("lists:need", pk=need.pk)

    if request.method == "POST" and form.is_valid():
        done = submit_once(request, form, perform)
        if done is not None:
            return done
    return render(
        request,
        "lists/need_form.html",
        {
            "form": form,
            "community": community,
            "need": None,
            "resource": resource,
            "provider": names.provider_name(user, resource) if resource else "",
        },
    )


@login_required
def need_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    need = get_need_for(user, pk)
    current = services.NeedInput.from_need(need)
    form = forms.NeedForm(
        request.POST or None,
        community=need.community,
        initial=forms.NeedForm.initial_for(current),
        detailed=user.has_perm("lists.manage_lists", need.community)
        or need.raised_for_id is not None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_need(user, need, form.need_input(current))
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The need has been saved."))
            return redirect("lists:need", pk=need.pk)
    return render(
        request, "lists/need_form.html", {"form": form, "community": need.community, "need": need}
    )


def need_view(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_need_for(request.user, pk, related=("community",))
    # The page as drawn for this person (with their own form tokens), until anything it
    # shows changes.
    return versions.kept_page(
        request,
        ("lists", need.community_id),
        ("categories", None),
        draw=lambda: _draw_need(request, need),
    )


def _draw_need(request: HttpRequest, need: Need) -> HttpResponse:
    user = request.user
    # Each is called by the template, once, and only where the page shows it.
    can_review = once(lambda: user.has_perm("lists.review_need", need))
    can_invite = once(
        lambda: need.state == Need.State.PUBLISHED and user.has_perm("lists.invite_to_claim", need)
    )

    @once
    def recommendations() -> list[matching.Recommendation] | None:
        if need.state in matching.OPEN_FOR_MATCHING and user.has_perm(
            "lists.view_recommendations", need
        ):
            return matching.recommend_for_need(need, k=5)
        return None

    @once
    def invite_choices() -> QuerySet[Organization] | None:
        if can_invite() and not recommendations():
            return Organization.objects.filter(region=need.community, is_active=True).order_by(
                "name"
            )
        return None

    context = {
        "need": need,
        "recommendations": recommendations,
        "can_invite": can_invite,
        "invite_choices": invite_choices,
        "photos": need.photos.all(),
        "tags": need.tags.all(),
        "claims": (
            Claim.objects.filter(need=need)
            .select_related("claimant", "organization", "project")
            .order_by("created_at")
        ),
        "can_review": can_review,
        "can_withdraw": once(
            lambda: (
                user.has_perm("lists.withdraw_need", need)
                and need.state in services.OPEN_STATES
                and not need.claimed_slots
            )
        ),
        "can_edit": once(
            lambda: (
                need.state in services.OPEN_STATES
                and (
                    can_review()
                    or (need.raised_by_id == user.pk and need.state == Need.State.SUBMITTED)
                )
            )
        ),
        "can_claim": need.state == Need.State.PUBLISHED and need.slots_left > 0,
        "show_contact": once(lambda: user.has_perm("lists.view_raiser_contact", need)),
        "show_timeline": once(lambda: can_review() or user.has_perm("lists.withdraw_need", need)),
        "reject_form": forms.RejectForm(),
        "merge_form": forms.MergeForm(),
        "cancel_form": forms.CancelForm(),
    }
    return render(request, "lists/need_detail.html", context)


@login_required
@require_POST
def need_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    need = get_need_for(User.of(request), pk)
    perform_on_page(request, NEED_ACTIONS, need, action)
    return redirect("lists:need", pk=need.pk)


@login_required
@require_POST
def need_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff invite a unit to claim: one click from a recommendation, after a confirmation."""
    user = User.of(request)
    need = get_need_for(user, pk, "lists.invite_to_claim")
    org = get_organization_for(user, request.POST.get("organization"))
    raw_resource = request.POST.get("resource", "")
    resource = get_resource_for(user, raw_resource) if raw_resource else None
    try:
        services.invite_to_claim(user, need, org, resource=resource)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("%(org)s has been invited to claim this need.") % {"org": org.name}
        )
    return redirect("lists:need", pk=need.pk)


def claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim page a QR code opens: a few taps on a phone."""
    need = get_need_for(request.user, pk)
    if not request.user.is_authenticated:
        return render(request, "lists/claim.html", {"need": need, "form": None})
    user = User.of(request)
    orgs = _my_orgs(user)
    invited = list(
        Invitation.objects.filter(need=need, organization__in=orgs).select_related("organization")
    )
    form = forms.ClaimForm(request.POST or None, orgs=orgs)
    if invited and not form.is_bound:
        form.fields["organization"].initial = invited[0].organization
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_need(
                user, need, organization=form.cleaned_data.get("organization")
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(
                request, _("Claimed! Now sign the claim agreement to start the project.")
            )
            return redirect("lists:project", pk=claim.project.pk)
    return render(request, "lists/claim.html", {"need": need, "form": form, "invitations": invited})


@login_required
@require_POST
def claim_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    project = get_project_for(user, pk)
    form = forms.CancelForm(request.POST)
    try:
        services.cancel_claim(user, project.claim, form.data.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("lists:project", pk=project.pk)
    messages.info(request, _("The claim was cancelled and the slot is open again."))
    return redirect("lists:need", pk=project.need_id)


# ------------------------------------------------------------------ projects


def _project_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    user = request.user
    agreement = project.agreement
    signatures = {s.side: s for s in agreement.signatures.select_related("signer")}
    my_sides = services.sides_for(user, project) if user.is_authenticated else []
    can_report = user.has_perm("lists.report_progress", project)
    live = project.state in {Project.State.ACTIVE, Project.State.STALLED}
    ratings = project.ratings.select_related("rater")
    images = {
        side: reverse("lists:signature", args=[project.pk, side])
        for side, sig in signatures.items()
        if sig.image and user.has_perm("lists.view_party_contacts", project)
    }
    return {
        "project": project,
        "need": project.need,
        "claim": project.claim,
        "agreement": agreement,
        "signatures": signatures,
        "sides": [
            (side, label, signatures.get(side), images.get(side))
            for side, label in Signature.Side.choices
        ],
        "sign_sides": [
            (side, label)
            for side, label in Signature.Side.choices
            if side in my_sides and side not in signatures
        ]
        if project.state == Project.State.SIGNING
        else [],
        "can_edit_agreement": project.state == Project.State.SIGNING
        and not signatures
        and (bool(my_sides) or user.has_perm("lists.manage_project", project)),
        "milestones": project.milestones.all(),
        "updates": project.updates.select_related("author").prefetch_related("photos"),
        "can_report": can_report and live,
        "can_complete": can_report and live,
        "can_cancel": user.has_perm("lists.manage_project", project)
        and project.state in services.LIVE_PROJECT_STATES,
        "can_rate": user.has_perm("lists.rate_project", project)
        and project.state == Project.State.COMPLETED
        and not ratings.filter(rater_id=user.pk).exists(),
        "ratings": ratings,
        "rating_summary": ratings.aggregate(avg=Avg("score"), n=Count("id")),
        "show_contacts": user.has_perm("lists.view_party_contacts", project),
        "sign_form": forms.SignForm(initial={"typed_name": ""}),
        "code_sent": request.GET.get("code-sent", ""),
        "agreement_form": forms.AgreementForm(
            initial={
                "scope": agreement.scope,
                "need_side_duties": agreement.need_side_duties,
                "claimant_side_duties": agreement.claimant_side_duties,
                "starts_on": agreement.starts_on,
                "ends_on": agreement.ends_on,
            }
        ),
        "progress_form": forms.ProgressForm(project=project),
        "milestone_form": forms.MilestoneForm(),
        "complete_form": forms.CompleteForm(),
        "rating_form": forms.RatingForm(),
        "cancel_form": forms.CancelForm(),
    }


def project_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for(request.user, pk)
    return render(request, "lists/project.html", _project_context(request, project))


def _project_form_error(
    request: HttpRequest, project: Project, name: str, form: Any
) -> HttpResponse:
    context = _project_context(request, project)
    context[name] = form
    return render(request, "lists/project.html", context, status=400)


@login_required
@require_POST
def project_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = User.of(request)
    project = get_project_for(user, pk)
    handlers: dict[str, tuple[str, Callable[[], Form]]] = {
        "sign": ("sign_form", lambda: forms.SignForm(request.POST)),
        "sign-code": ("sign_form", lambda: forms.SideForm(request.POST)),
        "agreement": ("agreement_form", lambda: forms.AgreementForm(request.POST)),
        "progress": (
            "progress_form",
            lambda: forms.ProgressForm(request.POST, request.FILES, project=project),
        ),
        "milestone": ("milestone_form", lambda: forms.MilestoneForm(request.POST)),
        "complete": ("complete_form", lambda: forms.CompleteForm(request.POST)),
        "rate": ("rating_form", lambda: forms.RatingForm(request.POST)),
    }
    if action not in handlers:
        return HttpResponse(status=404)
    done = PROJECT_ACTIONS.get(action)
    name, make = handlers[action]
    form = make()
    if not form.is_valid():
        return _project_form_error(request, project, name, form)
    data = {**form.cleaned_data, "ip_address": client_ip(request)}
    if isinstance(form, forms.CompleteForm):
        data["outcomes"] = form.outcomes()
    try:
        done.run(user, project, data)
    except DomainError as exc:
        show_on_form(form, exc)
        return _project_form_error(request, project, name, form)
    message = (
        str(done.done) % {"mobile": user.masked_mobile} if action == "sign-code" else done.done
    )
    messages.add_message(request, getattr(messages, done.level.upper()), str(message))
    if action == "sign-code":
        side = data["side"]
        url = reverse("lists:project", args=[project.pk])
        return redirect(f"{url}?code-sent={side}#sign-{side}")
    return redirect("lists:project", pk=project.pk)


def signature_image_view(request: HttpRequest, pk: int, side: str) -> HttpResponse:
    """A drawn signature, for the parties and the community's staff only."""
    project = get_project_for(request.user, pk, "lists.view_party_contacts")
    signature = project.agreement.signatures.filter(side=side).first()
    if signature is None or not signature.image:
        raise Http404
    with signature.image.open("rb") as fh:
        response = HttpResponse(fh.read(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def agreement_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for(request.user, pk)
    from wulian.core.pdf import pdf_response

    try:
        pdf = services.agreement_pdf(project.agreement)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("lists:project", pk=project.pk)
    return pdf_response(pdf, f"项目认领书-{project.pk}.pdf")


@lag_tolerant
def built_together_view(request: HttpRequest) -> HttpResponse:
    """What we built together: finished projects, for anyone, with no personal data."""
    community = _selected_community(request)
    projects = Project.objects.filter(state=Project.State.COMPLETED).select_related(
        "need__category__parent", "need__compound", "claim__organization", "community"
    )
    if community is not None:
        projects = projects.filter(community=community)
    totals = projects.aggregate(
        n=Count("id"), people=Sum("people_served"), hours=Sum("volunteer_hours")
    )
    projects = projects.annotate(avg_score=Avg("ratings__score"), n_ratings=Count("ratings"))
    page = Paginator(projects.order_by("-completed_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "lists/built.html",
        {"page": page, "totals": totals, "community": community},
    )


# ------------------------------------------------------------------ taxonomy


@login_required
def categories_view(request: HttpRequest) -> HttpResponse:
    """The shared taxonomy (district staff edit it) and each community's own sub-categories."""
    user = User.of(request)
    if not user.has_perm("lists.manage_categories"):
        return render(request, "403.html", status=403)
    shared = user.has_perm("lists.manage_shared_categories")
    own = list(covered_regions(user).filter(level=Region.Level.COMMUNITY).order_by("path"))
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            pk = parse_int(request.POST.get("category", ""))
            target = Category.objects.filter(pk=pk).first() if pk is not None else None
            if action == "add":
                services.add_category(
                    user, request.POST.get("name", ""), target, _category_community(request, own)
                )
            elif action == "rename" and target is not None:
                services.rename_category(user, target, request.POST.get("name", ""))
            elif action in {"on", "off"} and target is not None:
                services.set_category_active(user, target, action == "on")
            else:
                raise DomainError("category.bad_request", _("Choose a category first."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The categories have been saved."))
        return redirect("lists:categories")
    children = Category.objects.select_related("community").order_by("position", "id")
    if not shared:
        children = children.filter(Q(community=None) | Q(community__in=own))
    tops = (
        Category.objects.filter(parent=None)
        .prefetch_related(Prefetch("children", queryset=children))
        .order_by("position")
    )
    return render(
        request,
        "lists/categories.html",
        {"tops": tops, "shared": shared, "own": own, "own_ids": {c.pk for c in own}},
    )


def _category_community(request: HttpRequest, own: list[Region]) -> Region | None:
    """Whose a new sub-category is: the community chosen, or shared (district staff)."""
    pk = parse_int(request.POST.get("community", ""))
    if pk is not None:
        for community in own:
            if community.pk == pk:
                return community
        raise DomainError(
            "category.not_staff", _("Only the community's staff can add its categories.")
        )
    if request.user.has_perm("lists.manage_shared_categories") or not own:
        return None
    return own[0]


# ------------------------------------------------------------------ resources


@lag_tolerant
def resource_list_view(request: HttpRequest) -> HttpResponse:
    resources = Resource.objects.filter(status=Resource.Status.ACTIVE).select_related(
        "category__parent", "provider_org", "community"
    )
    kind = request.GET.get("kind", "")
    if kind in Resource.Kind.values:
        resources = resources.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        resources = resources.filter(services.needs_matching(query))
    community = _selected_community(request)
    if community is not None:
        resources = resources.filter(community=community)
    page = Paginator(resources.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    managed = community or home_community(request.user)
    can_manage = managed is not None and request.user.has_perm("lists.manage_lists", managed)
    return render(
        request,
        "lists/resource_list.html",
        {
            "page": page,
            "kinds": Resource.Kind.choices,
            "kind": kind,
            "query": query,
            "managed": managed if can_manage else None,
        },
    )


def resource_view(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_resource_for(request.user, pk)
    can_change = request.user.has_perm("lists.change_resource", resource)
    user = request.user
    mine = can_change or is_provider(user, resource)
    return render(
        request,
        "lists/resource_detail.html",
        {
            "resource": resource,
            "can_ask": resource.status == Resource.Status.ACTIVE and not mine,
            "contact": names.provider_contact(user, resource),
            "provider": names.provider_name(user, resource),
            "tags": resource.tags.all(),
            "can_change": can_change,
            "statuses": [s for s in Resource.Status.choices if s[0] != resource.status],
        },
    )


@login_required
def resource_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = User.of(request)
    resource = get_resource_for(user, pk, "lists.change_resource") if pk else None
    current = services.ResourceInput.from_resource(resource) if resource is not None else None
    initial = forms.ResourceForm.initial_for(current) if current is not None else {}
    orgs = _my_orgs(user) if resource is None else None
    form = forms.ResourceForm(request.POST or None, orgs=orgs, initial=initial)
    community = (
        resource.community if resource else (_selected_community(request) or home_community(user))
    )
    if request.method == "POST" and form.is_valid() and community is not None:
        try:
            if resource is None:
                org = form.cleaned_data.get("provider_org")
                resource = services.create_resource(
                    user,
                    org.region if org is not None and org.region.is_community else community,
                    form.resource_input(),
                    provider_org=org,
                )
            else:
                services.update_resource(user, resource, form.resource_input(current))
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The resource has been saved."))
            return redirect("lists:resource", pk=resource.pk)
    return render(request, "lists/resource_form.html", {"form": form, "resource": resource})


@login_required
@require_POST
def resource_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    resource = get_resource_for(user, pk, "lists.change_resource")
    try:
        services.set_resource_status(user, resource, request.POST.get("status", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The resource's status has been changed."))
    return redirect("lists:resource", pk=resource.pk)


# ------------------------------------------------------------------ whole-list assignment


def _assign_picks(request: HttpRequest, community: Region) -> list[tuple[Need, Resource]]:
    """The (need, resource) pairs staff kept, from the "need:resource" values posted."""
    pairs: list[tuple[int, int]] = []
    for value in request.POST.getlist("pick"):
        raw_need, _sep, raw_resource = value.partition(":")
        need, resource = parse_int(raw_need), parse_int(raw_resource)
        if need is not None and resource is not None:
            pairs.append((need, resource))
    needs = (
        Need.objects.filter(community=community)
        .select_related("community")
        .in_bulk([n for n, _r in pairs])
    )
    resources = matching.resources_for(community).in_bulk([r for _n, r in pairs])
    picks = []
    for need_id, resource_id in pairs:
        if need_id not in needs or resource_id not in resources:
            raise DomainError(
                "invitation.bad_pick", _("The proposal changed meanwhile; ask for a new one.")
            )
        picks.append((needs[need_id], resources[resource_id]))
    return picks


@login_required
def assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff ask for a proposed assignment of published needs, adjust it, send invitations."""
    user = User.of(request)
    community = get_region_for(user, pk, "lists.manage_lists")
    if not community.is_community:
        return render(request, "404.html", status=404)
    if request.method == "POST":
        try:
            done = services.send_invitations(user, community, _assign_picks(request, community))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                ngettext(
                    "%(sent)d invitation sent; ", "%(sent)d invitations sent; ", len(done.sent)
                )
                % {"sent": len(done.sent)}
                + ngettext(
                    "%(already)d had been sent before.",
                    "%(already)d had been sent before.",
                    len(done.already),
                )
                % {"already": len(done.already)},
            )
        return redirect(request.get_full_path())
    form = forms.AssignFilterForm(request.GET or None, community=community)
    needs = form.chosen_needs()
    proposal = (
        matching.propose_assignment(community, list(needs), fair=form.is_fair())
        if form.is_bound and form.is_valid()
        else None
    )
    return render(
        request,
        "lists/assign.html",
        {"community": community, "form": form, "proposal": proposal},
    )
