"""What the ledger's pages and API read; the rules themselves live in services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wulian.core.widgets import DateInput, TimeInput
from wulian.volunteering.models import Badge


def hours_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("24"),
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong"), max_length=1000, widget=forms.Textarea)
    hours = hours_field(
        _("Hours it should be"),
        required=False,
        help_text=_("Leave empty if unsure; 0 if you did not serve."),
    )


class CorrectForm(forms.Form):
    hours = hours_field(
        _("Hours the record should hold"),
        required=False,
        help_text=_("Empty takes the hours the volunteer asked for; 0 reverses the record."),
    )
    answer = forms.CharField(label=_("Answer"), max_length=1000, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Reason"), max_length=1000)


class HoursForm(forms.Form):
    mobile = forms.CharField(label=_("Volunteer's mobile number"), max_length=20)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    starts = forms.TimeField(label=_("From"), widget=TimeInput())
    ends = forms.TimeField(label=_("To"), widget=TimeInput())
    hours = hours_field(_("Hours served"), help_text=_("Actual service time, travel excluded."))


class ManualHoursForm(HoursForm):
    service = forms.CharField(label=_("Service"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    field_order = ["mobile", "service", "place", "date", "starts", "ends", "hours", "note"]


class ProjectHoursForm(HoursForm):
    task = forms.CharField(label=_("Task"), max_length=100, required=False)


class HonoraryForm(forms.Form):
    badge: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Badge"), queryset=Badge.objects.none()
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["badge"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Badge.objects.filter(rule=Badge.Rule.HONORARY, is_active=True)
