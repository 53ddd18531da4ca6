from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from wulian.accounts.models import User
from wulian.core.errors import DomainError, show_on_form
from wulian.notifications import forms, services
from wulian.notifications.models import Notification, Preference, UnitWebhook
from wulian.notifications.rules import get_notification_for
from wulian.orgs.models import Organization
from wulian.orgs.rules import get_organization_for

PAGE_SIZE = 20


def _admin_units(user: User) -> list[Organization]:
    orgs = Organization.objects.filter(memberships__user=user, memberships__role="admin")
    return list(orgs.select_related("region").order_by("name"))


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    unread_only = request.GET.get("unread") == "1"
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread_only": unread_only, "unread": services.unread_count(user)},
    )


@login_required
@require_POST
def read_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    notification = get_notification_for(user, pk)
    services.mark_read(user, notification)
    target = notification.url
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all_view(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(User.of(request))
    messages.success(
        request,
        ngettext("%(n)d notification marked as read.", "%(n)d notifications marked as read.", count)
        % {"n": count},
    )
    return redirect("notifications:inbox")


@login_required
def preferences_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    preference = Preference.objects.filter(user=user).first()
    initial = (
        {
            "sms": preference.sms,
            "email": preference.email,
            "email_address": preference.email_address,
        }
        if preference
        else {}
    )
    form = forms.PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(
                user,
                sms=form.cleaned_data["sms"],
                email=form.cleaned_data["email"],
                email_address=form.cleaned_data["email_address"],
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("Your notification channels have been saved."))
            return redirect("notifications:preferences")
    units = _admin_units(user)
    hooks = {w.organization_id: w for w in UnitWebhook.objects.filter(organization__in=units)}
    unit_forms = [
        (
            org,
            forms.WebhookForm(
                initial={"url": hooks[org.pk].url if org.pk in hooks else ""},
                prefix=f"unit{org.pk}",
            ),
        )
        for org in units
    ]
    return render(
        request, "notifications/preferences.html", {"form": form, "unit_forms": unit_forms}
    )


@login_required
@require_POST
def webhook_view(request: HttpRequest, org_pk: int) -> HttpResponse:
    user = User.of(request)
    org = get_organization_for(user, org_pk, "orgs.change_organization")
    form = forms.WebhookForm(request.POST, prefix=f"unit{org.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("notifications:preferences")
    try:
        services.set_unit_webhook(user, org, form.cleaned_data["url"] or "")
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The unit's webhook has been saved."))
    return redirect("notifications:preferences")
