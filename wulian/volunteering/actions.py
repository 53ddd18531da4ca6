"""The actions on a record and on a correction request, shared by the pages and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wulian.core.actions import Action, ActionTable
from wulian.volunteering import forms, services
from wulian.volunteering.models import CorrectionRequest, VolunteerRecord

RECORD_ACTIONS: ActionTable[VolunteerRecord] = ActionTable(
    Action(
        "confirm",
        lambda actor, record, data: services.confirm_hours(actor, record),
        _("Confirmed. The hours now count."),
    ),
    Action(
        "decline",
        lambda actor, record, data: services.decline_hours(actor, record, data["reason"]),
        _("Not confirmed. The record stays, marked with the reason."),
        level="info",
        form=forms.ReasonForm,
    ),
    Action(
        "ask-correction",
        lambda actor, record, data: services.ask_correction(
            actor, record, data["reason"], data.get("hours")
        ),
        _("Your request was sent to the organiser."),
        form=forms.CorrectionForm,
    ),
)

CORRECTION_ACTIONS: ActionTable[CorrectionRequest] = ActionTable(
    Action(
        "correct",
        lambda actor, request, data: services.correct_record(
            actor, request, data.get("hours"), data.get("answer", "")
        ),
        _("Corrected. A correcting entry was added to the ledger."),
        form=forms.CorrectForm,
    ),
    Action(
        "decline",
        lambda actor, request, data: services.decline_correction(actor, request, data["answer"]),
        _("Declined. The volunteer was told why."),
        level="info",
        form=forms.AnswerForm,
    ),
)
