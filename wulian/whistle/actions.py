"""What people do to a whistle and to a unit's call: one table each, for the page and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wulian.core.actions import Action, ActionTable
from wulian.whistle import forms, services
from wulian.whistle.models import Whistle, WhistleCall

CALL_ACTIONS: ActionTable[WhistleCall] = ActionTable(
    Action(
        "sign",
        lambda actor, call, data: services.sign_call(actor, call),
        _("Signed for. Please report for duty in time."),
    ),
    Action(
        "arrive",
        lambda actor, call, data: services.arrive_call(actor, call),
        _("Reported for duty."),
    ),
    Action(
        "handle",
        lambda actor, call, data: services.handle_call(actor, call, data.get("text", "")),
        _("Reported handled; the community will confirm."),
    ),
    Action(
        "decline",
        lambda actor, call, data: services.decline_call(actor, call, data.get("reason", "")),
        _("Declined; the community will re-route the call."),
        level="info",
    ),
    Action(
        "post",
        lambda actor, call, data: services.post_action(
            actor, call, data["text"], data.get("photos") or ()
        ),
        _("Posted."),
        form=forms.ActionForm,
    ),
    Action(
        "send-back",
        lambda actor, call, data: services.send_back_call(actor, call, data.get("reason", "")),
        _("Sent back to the unit."),
        level="info",
    ),
    Action(
        "reroute",
        lambda actor, call, data: services.reroute_call(actor, call, data["organization"]),
        _("Re-routed; the unit has been notified."),
        form=forms.RerouteForm,
        form_kwargs=lambda call: {"units": services.callable_units(call.whistle.community)},
    ),
)

WHISTLE_ACTIONS: ActionTable[Whistle] = ActionTable(
    Action(
        "close",
        lambda actor, whistle, data: services.confirm_closure(actor, whistle),
        _("Closed. Thank you, everyone."),
    ),
    Action(
        "rate",
        lambda actor, whistle, data: services.rate_whistle(
            actor, whistle, data["score"], data.get("comment", "")
        ),
        _("Thank you for your rating."),
        form=forms.RatingForm,
    ),
)
