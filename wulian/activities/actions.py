"""What people do to bookings, activities, sign-ups and slot bookings: one table each, for the
page and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wulian.activities import forms, services
from wulian.activities.models import Activity, Booking, ServiceBooking, SignUp
from wulian.core.actions import Action, ActionTable

BOOKING_ACTIONS: ActionTable[Booking] = ActionTable(
    Action(
        "approve",
        lambda actor, booking, data: services.approve_booking(actor, booking),
        _("Approved; the organiser has been told."),
    ),
    Action(
        "decline",
        lambda actor, booking, data: services.decline_booking(actor, booking, data["reason"]),
        _("Declined; the organiser has been told the reason."),
        level="info",
        form=forms.ReasonForm,
    ),
    Action(
        "cancel",
        lambda actor, booking, data: services.cancel_booking(
            actor, booking, data.get("reason", "")
        ),
        _("The booking is cancelled."),
        level="info",
        form=forms.OptionalReasonForm,
    ),
)

ACTIVITY_ACTIONS: ActionTable[Activity] = ActionTable(
    Action(
        "sign-up",
        lambda actor, activity, data: services.sign_up(actor, activity),
        lambda signup: (
            _("You are signed up.")
            if signup.state == SignUp.State.CONFIRMED
            else _("It is full: you are on the waiting list, and will be told if a place frees up.")
        ),
    ),
    Action(
        "volunteer",
        lambda actor, activity, data: services.sign_up(
            actor, activity, SignUp.Role.VOLUNTEER, data.get("task", "")
        ),
        _("Thank you for volunteering."),
        form=forms.VolunteerForm,
    ),
    Action(
        "check-in",
        lambda actor, activity, data: services.check_in(
            actor, activity, data["code"], data["nonce"], data.get("kind") or "in"
        ),
        _("Checked."),
        form=forms.ScanForm,
    ),
    Action(
        "self-check-in",
        lambda actor, activity, data: services.self_check_in(
            actor, activity, data["token"], data["nonce"], data.get("kind") or "in"
        ),
        _("You are checked in. Welcome!"),
        form=forms.SelfScanForm,
    ),
    Action(
        "no-shows",
        lambda actor, activity, data: services.mark_no_shows(actor, activity),
        _("No-shows marked."),
        level="info",
    ),
    Action(
        "report",
        lambda actor, activity, data: services.write_report(
            actor, activity, data.get("text", ""), data.get("photos") or ()
        ),
        _("The report is saved."),
        form=forms.ReportForm,
    ),
    Action(
        "cancel",
        lambda actor, activity, data: services.cancel_activity(actor, activity, data["reason"]),
        _("The activity is cancelled; everyone signed up has been told."),
        level="info",
        form=forms.ReasonForm,
    ),
)

SIGNUP_ACTIONS: ActionTable[SignUp] = ActionTable(
    Action(
        "cancel",
        lambda actor, signup, data: services.cancel_signup(actor, signup),
        _("Your sign-up is cancelled."),
        level="info",
    ),
    Action(
        "confirm",
        lambda actor, signup, data: services.confirm_offer(actor, signup),
        _("Confirmed: the place is yours."),
    ),
    Action(
        "rate",
        lambda actor, signup, data: services.rate_activity(
            actor, signup, data["score"], data.get("comment", "")
        ),
        _("Thank you for your rating."),
        form=forms.RatingForm,
    ),
)

SLOT_ACTIONS: ActionTable[ServiceBooking] = ActionTable(
    Action(
        "cancel",
        lambda actor, booking, data: services.cancel_slot(actor, booking),
        _("The booking is cancelled."),
        level="info",
    ),
    Action(
        "check-in",
        lambda actor, booking, data: services.check_in_slot(actor, booking),
        _("Checked in."),
    ),
)
