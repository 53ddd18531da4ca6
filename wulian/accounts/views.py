from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wulian.accounts import services
from wulian.accounts.forms import (
    CodeLoginForm,
    CodeRegisterForm,
    CodeRequestForm,
    PasswordChangeForm,
    PasswordLoginForm,
    ProfileForm,
    TokenIssueForm,
)
from wulian.accounts.models import ApiToken, User
from wulian.accounts.rules import get_person_for
from wulian.core.bounds import query_int
from wulian.core.challenge import new_challenge
from wulian.core.errors import DomainError, show_on_form
from wulian.core.http import client_ip, safe_next
from wulian.orgs.rules import get_organization_for
from wulian.places.rules import get_region_for

BACKEND = "wulian.accounts.backends.KeptUserBackend"


def login_view(request: HttpRequest) -> HttpResponse:
    form = PasswordLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in_with_password(
                form.cleaned_data["mobile"], form.cleaned_data["password"], client_ip(request)
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            login(request, user, backend=BACKEND)
            return redirect(safe_next(request, reverse("site:home")))
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def admin_login_view(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin site signs in through the site's own page, so its lockout applies there too."""
    target = safe_next(request, reverse("admin:index"))
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


def login_code_view(request: HttpRequest) -> HttpResponse:
    """Two steps on one page: ask for a code, then type it. A number without an account
    registers a resident with the same code (name and compound asked for on the way)."""
    request_form = CodeRequestForm(prefix="send")
    code_form: CodeLoginForm | None = None
    if request.method == "POST" and "send-mobile" in request.POST:
        request_form = CodeRequestForm(request.POST, prefix="send")
        if request_form.is_valid():
            mobile = request_form.cleaned_data["mobile"]
            try:
                known = services.request_code(
                    mobile,
                    client_ip(request),
                    allow_new=True,
                    challenge=request.POST.get("challenge", ""),
                    nonce=request.POST.get("nonce", ""),
                )
            except DomainError as exc:
                request_form.add_error("mobile", str(exc.message))
            else:
                messages.success(request, _("A code was sent to %(mobile)s.") % {"mobile": mobile})
                form_class = CodeLoginForm if known else CodeRegisterForm
                code_form = form_class(initial={"mobile": mobile})
    elif request.method == "POST":
        registering = "real_name" in request.POST
        code_form = CodeRegisterForm(request.POST) if registering else CodeLoginForm(request.POST)
        if code_form.is_valid():
            data = code_form.cleaned_data
            try:
                if registering:
                    user = services.register_with_code(
                        data["mobile"],
                        data["code"],
                        client_ip(request),
                        real_name=data["real_name"],
                        compound=data["compound"],
                        privacy_notice_version=services.PRIVACY_NOTICE_VERSION
                        if data["agree_privacy"]
                        else "",
                    )
                    messages.success(
                        request,
                        _("Welcome, %(name)s. Your community staff will confirm your address.")
                        % {"name": user.real_name},
                    )
                else:
                    user = services.sign_in_with_code(
                        data["mobile"], data["code"], client_ip(request)
                    )
            except DomainError as exc:
                code_form.add_error("code", str(exc.message))
            else:
                login(request, user, backend=BACKEND)
                return redirect(safe_next(request, reverse("site:home")))
    return render(
        request,
        "accounts/login_code.html",
        {
            "request_form": request_form,
            "code_form": code_form,
            "challenge": new_challenge(),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


def privacy_view(request: HttpRequest) -> HttpResponse:
    """What we keep about residents, who sees it, and how to have it removed."""
    return render(request, "accounts/privacy.html", {"version": services.PRIVACY_NOTICE_VERSION})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("site:home")


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                request.user, form.cleaned_data["old_password"], form.cleaned_data["new_password"]
            )
        except DomainError as exc:
            field = "old_password" if exc.code == "password.wrong" else "new_password"
            form.add_error(field, str(exc.message))
        else:
            login(request, request.user, backend=BACKEND)  # keep this session signed in
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    user = request.user
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(
                user, user, **{name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    memberships = user.memberships.select_related("organization")
    assignments = user.staff_assignments.select_related("region")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "memberships": memberships, "assignments": assignments},
    )


@login_required
def person_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk)
    return render(
        request,
        "accounts/person.html",
        {
            "person": person,
            "can_verify": request.user.has_perm("accounts.verify_resident", person),
            "show_mobile": request.user.has_perm("accounts.view_mobile", person),
        },
    )


@login_required
@require_POST
def verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    assert isinstance(request.user, User)
    person = get_person_for(request.user, pk, "accounts.verify_resident")
    verified = request.POST.get("verified") == "1"
    services.set_verified_resident(request.user, person, verified)
    if verified:
        messages.success(request, _("%(name)s is now a verified resident.") % {"name": person})
    else:
        messages.info(request, _("Verification of %(name)s withdrawn.") % {"name": person})
    return redirect(safe_next(request, reverse("accounts:person", args=[person.pk])))


@login_required
def residents_view(request: HttpRequest, community_id: int) -> HttpResponse:
    community = get_region_for(request.user, community_id, "places.view_residents")
    people = (
        User.objects.filter(community=community)
        .select_related("compound")
        .order_by("is_verified_resident", "compound_id", "real_name", "id")
    )
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(real_name__icontains=query) | people.filter(mobile__endswith=query)
    compound = query_int(request.GET, "compound")
    if compound is not None:
        people = people.filter(compound_id=compound)
    page = Paginator(people, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/residents.html",
        {
            "community": community,
            "page": page,
            "query": query,
            "compounds": community.compounds.all(),
            "compound_filter": compound,
        },
    )


@login_required
def unit_tokens_view(request: HttpRequest, org_id: int) -> HttpResponse:
    """A unit's administrators issue, list and revoke the unit's API tokens. A new token's
    secret is on this one answer and nowhere else: only its digest is kept."""
    user = User.of(request)
    unit = get_organization_for(user, org_id, "accounts.manage_tokens")
    form = TokenIssueForm(request.POST or None)
    secret = ""
    if request.method == "POST" and "revoke" in request.POST:
        raw = request.POST["revoke"]
        token = (
            ApiToken.objects.filter(organization=unit, pk=int(raw)).first()
            if raw.isdigit() and len(raw) < 19
            else None
        )
        if token is None:
            raise Http404
        services.revoke_token(user, token)
        messages.info(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("accounts:unit_tokens", org_id=unit.pk)
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.issue_token(
                user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                organization=unit,
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            form = TokenIssueForm()
    tokens = ApiToken.objects.filter(organization=unit).select_related("user", "created_by")
    return render(
        request,
        "accounts/unit_tokens.html",
        {"unit": unit, "form": form, "secret": secret, "tokens": tokens},
    )
