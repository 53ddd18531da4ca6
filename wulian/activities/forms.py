from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wulian.activities.models import Audience, Booking
from wulian.core.uploads import MultipleCleanFileField
from wulian.core.widgets import DateInput, DateTimeInput, TimeInput
from wulian.orgs.models import Organization
from wulian.places.models import Compound, Region


class BookingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    starts = forms.TimeField(label=_("From"), widget=TimeInput())
    ends = forms.TimeField(label=_("To"), widget=TimeInput())
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    attendance = forms.IntegerField(label=_("Expected attendance"), min_value=1)
    organization = forms.ModelChoiceField(
        label=_("For the unit"), queryset=Organization.objects.none(), required=False
    )
    weeks = forms.IntegerField(
        label=_("Repeat weekly for (weeks)"), min_value=1, max_value=52, initial=1
    )
    skip_conflicts = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        if units is not None:
            field.queryset = units

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") and data.get("starts") and data.get("ends"):
            data["starts_at"] = timezone.make_aware(
                datetime.datetime.combine(data["date"], data["starts"])
            )
            data["ends_at"] = timezone.make_aware(
                datetime.datetime.combine(data["date"], data["ends"])
            )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VolunteerForm(forms.Form):
    task = forms.CharField(label=_("Task"), max_length=100, required=False)


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("Report"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = MultipleCleanFileField(label=_("Photos"), required=False, allow=("image",))


class ScanForm(forms.Form):
    """What the organiser's scanner sends: the person's code, and a nonce per scan."""

    code = forms.CharField(label=_("Person's code"), max_length=300)
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Scan"),
        choices=[("in", _("Check-in")), ("out", _("Check-out"))],
        initial="in",
        required=False,
    )


class SelfScanForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        choices=[("in", _("Check-in")), ("out", _("Check-out"))], required=False
    )


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    hosts = forms.ModelMultipleChoiceField(
        label=_("Co-hosts"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    booking = forms.ModelChoiceField(
        label=_("Venue booking"), queryset=Booking.objects.none(), required=False
    )
    place = forms.CharField(label=_("Or a place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Or an online link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(label=_("Places"), min_value=1)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    compound = forms.ModelChoiceField(
        label=_("Compound"), queryset=Compound.objects.none(), required=False
    )
    signup_closes_at = forms.DateTimeField(
        label=_("Sign-up closes"), required=False, widget=DateTimeInput()
    )
    cancel_by = forms.DateTimeField(label=_("Cancel by"), required=False, widget=DateTimeInput())
    volunteers_wanted = forms.IntegerField(
        label=_("Volunteers wanted"), min_value=0, initial=0, required=False
    )
    volunteer_tasks = forms.CharField(
        label=_("Volunteer tasks"),
        max_length=300,
        required=False,
        help_text=_("Separated by commas."),
    )

    def __init__(
        self, *args: Any, community: Region, hosts: Any, bookings: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("hosts", hosts),
            ("booking", bookings),
            ("compound", community.compounds.all()),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
