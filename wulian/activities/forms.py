from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.activities.models import Audience, Booking, Venue
from wulian.core.idempotency import OnceFormMixin
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
    capacity = forms.IntegerField(label=pgettext_lazy("capacity", "Places"), min_value=1)
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


# ------------------------------------------------------------------ setting venues and services up


def _dated_lines(text: str) -> list[tuple[datetime.date, str]]:
    """Lines such as "2026-10-01 国庆节" (the reason optional), one day each."""
    days: list[tuple[datetime.date, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        first, _space, reason = line.partition(" ")
        try:
            day = datetime.date.fromisoformat(first.replace("/", "-"))
        except ValueError:
            raise forms.ValidationError(
                _("Line %(n)s: start with the date, e.g. 2026-10-01 National Day.") % {"n": number}
            ) from None
        days.append((day, reason.strip()))
    return days


class DatedLinesField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 5000)
        kwargs.setdefault(
            "help_text", _("One day a line: the date, then the reason, e.g. 2026-10-01 国庆节.")
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        return _dated_lines(super().to_python(value) or "")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{day.isoformat()} {reason}".strip() for day, reason in value)
        return value


WEEKDAY_NAMES = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class VenueForm(OnceFormMixin):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("Name"), max_length=120)
    capacity = forms.IntegerField(label=_("Capacity (people)"), min_value=1, max_value=100_000)
    compound = forms.ModelChoiceField(
        label=_("Compound"), queryset=Compound.objects.none(), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    facilities = forms.CharField(
        label=_("Facilities"),
        max_length=300,
        required=False,
        help_text=_("Separated by commas: projector, 30 chairs, hair-washing basin…"),
    )
    bookers = forms.ChoiceField(
        label=_("Who may book"), choices=Venue.Bookers.choices, widget=forms.RadioSelect
    )
    needs_approval = forms.BooleanField(
        label=_("Bookings need the owner's approval"), required=False
    )
    is_active = forms.BooleanField(label=_("Open for booking"), required=False)
    closed = DatedLinesField(label=_("Closed dates"))
    photos = MultipleCleanFileField(
        label=_("Add photos"), required=False, max_files=6, allow=("image",)
    )
    remove_photos = forms.MultipleChoiceField(
        label=_("Remove photos"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        community: Region,
        owners: Any = None,
        photos: Any = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        if owners is None:
            del self.fields["owner"]
        else:
            owner.queryset = owners
        compound = self.fields["compound"]
        assert isinstance(compound, forms.ModelChoiceField)
        compound.queryset = Compound.objects.filter(community=community)
        remove = self.fields["remove_photos"]
        assert isinstance(remove, forms.MultipleChoiceField)
        remove.choices = [(str(p.pk), str(p)) for p in photos]
        if not remove.choices:
            del self.fields["remove_photos"]
        for day, name in WEEKDAY_NAMES:
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=_("%(day)s opens") % {"day": name}, required=False, widget=TimeInput()
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=_("%(day)s closes") % {"day": name}, required=False, widget=TimeInput()
            )

    @property
    def week(self) -> list[tuple[str, Any, Any]]:
        """The opening-hours fields, a weekday a row, for the template."""
        return [
            (str(name), self[f"opens_{day}"], self[f"closes_{day}"]) for day, name in WEEKDAY_NAMES
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours = []
        for day, name in WEEKDAY_NAMES:
            opens, closes = data.get(f"opens_{day}"), data.get(f"closes_{day}")
            if (opens is None) != (closes is None):
                self.add_error(
                    f"closes_{day}" if closes is None else f"opens_{day}",
                    _("Give both the opening and the closing time, or neither."),
                )
            elif opens is not None and closes is not None:
                if closes <= opens:
                    self.add_error(
                        f"closes_{day}",
                        _("On %(day)s the venue must close after it opens.") % {"day": name},
                    )
                hours.append((day, opens, closes))
        data["hours"] = hours
        return data

    @staticmethod
    def initial_of(venue: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(venue, name)
            for name in (
                "name",
                "capacity",
                "compound",
                "address",
                "description",
                "facilities",
                "bookers",
                "needs_approval",
                "is_active",
            )
        }
        initial["closed"] = [(c.date, c.reason) for c in venue.closed_dates.all()]
        for hours in venue.hours.all():
            initial[f"opens_{hours.weekday}"] = hours.opens
            initial[f"closes_{hours.weekday}"] = hours.closes
        return initial


NTH_CHOICES = [
    ("", _("Every week")),
    ("1", _("First of the month")),
    ("2", _("Second of the month")),
    ("3", _("Third of the month")),
    ("4", _("Fourth of the month")),
    ("-1", _("Last of the month")),
]


class ServiceForm(OnceFormMixin):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none(), required=False)
    place = forms.CharField(
        label=_("Or the place"), max_length=200, required=False, help_text=_("Without a venue.")
    )
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=WEEKDAY_NAMES, coerce=int)
    nth = forms.TypedChoiceField(
        label=_("Which weeks"), choices=NTH_CHOICES, coerce=int, empty_value=None, required=False
    )
    starts = forms.TimeField(label=_("From"), widget=TimeInput())
    ends = forms.TimeField(label=_("To"), widget=TimeInput())
    slot_minutes = forms.IntegerField(label=_("Minutes per slot"), min_value=5, max_value=600)
    seats = forms.IntegerField(
        label=_("Places per slot"), min_value=1, max_value=500, help_text=_("e.g. 3 chairs.")
    )
    per_person = forms.IntegerField(
        label=_("Active bookings per person"), min_value=1, max_value=20, initial=1
    )
    starts_on = forms.DateField(label=_("First day"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), required=False, widget=DateInput())
    days_off = DatedLinesField(label=_("Days off (holidays, cancelled days)"))
    is_active = forms.BooleanField(label=_("Open for booking"), required=False, initial=True)

    def __init__(self, *args: Any, community: Region, providers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        if providers is None:
            del self.fields["provider"]
        else:
            provider.queryset = providers
        venue = self.fields["venue"]
        assert isinstance(venue, forms.ModelChoiceField)
        venue.queryset = Venue.objects.filter(community=community)

    @staticmethod
    def initial_of(service: Any) -> dict[str, Any]:
        initial = {
            name: getattr(service, name)
            for name in (
                "title",
                "description",
                "venue",
                "place",
                "weekday",
                "nth",
                "starts",
                "ends",
                "slot_minutes",
                "seats",
                "per_person",
                "starts_on",
                "ends_on",
                "is_active",
            )
        }
        initial["days_off"] = [(e.date, e.reason) for e in service.exceptions.all()]
        return initial
