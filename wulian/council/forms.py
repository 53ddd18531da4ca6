"""What the council's pages and API read, checked in one place each."""

from __future__ import annotations

import base64
import binascii
import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.core import bounds
from wulian.core.uploads import MultipleCleanFileField
from wulian.core.widgets import DateInput, DateTimeInput, PickerCheckboxes
from wulian.council import quorum
from wulian.council.models import Meeting, Motion, Proxy
from wulian.orgs.models import Organization


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(
        label=_("What"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    why = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    photos = MultipleCleanFileField(
        label=_("Photos (optional)"), required=False, max_files=6, allow=("image",)
    )
    need = forms.IntegerField(
        label=_("About need number (optional)"),
        required=False,
        min_value=1,
        max_value=bounds.MAX_INT,
        help_text=_("The number on the need's page, e.g. 12."),
    )
    whistle = forms.IntegerField(
        label=_("About whistle number (optional)"),
        required=False,
        min_value=1,
        max_value=bounds.MAX_INT,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("council discussion", "Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class HideForm(forms.Form):
    comment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for hiding"), max_length=2000)


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=Meeting.objects.none())
    minutes = forms.IntegerField(label=_("Minutes allowed"), min_value=1, max_value=240, initial=15)

    def __init__(self, *args: Any, meetings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    called = forms.ChoiceField(label=_("Who is called"), choices=Meeting.Called.choices)
    rule = forms.ChoiceField(
        label=_("Quorum rule"), choices=[(key, key) for key in quorum.MEETING_RULES]
    )
    notice_days = forms.IntegerField(
        label=_("Days of notice"), min_value=0, max_value=60, initial=3
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [  # type: ignore[attr-defined]
            (key, quorum.rule_label(key)) for key in quorum.MEETING_RULES
        ]

    def clean_starts_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["starts_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("The meeting must start in the future."))
        return value


class MotionForm(forms.Form):
    text = forms.CharField(label=_("Motion"), max_length=300)
    item = forms.IntegerField(label=_("Agenda item"), required=False, widget=forms.HiddenInput)
    method = forms.ChoiceField(label=_("Method"), choices=Motion.Method.choices)
    options = forms.CharField(
        label=_("Choices, one a line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=3000,
    )
    max_choices = forms.IntegerField(
        label=_("At most"), min_value=1, max_value=50, initial=1, required=False
    )
    voting = forms.ChoiceField(label=_("Voting"), choices=Motion.Voting.choices)
    secret = forms.BooleanField(label=_("Secret ballot"), required=False, initial=True)
    special = forms.BooleanField(label=_("Special matter (3/4 needed)"), required=False)

    def clean_options(self) -> list[str]:
        raw = self.cleaned_data.get("options") or ""
        if isinstance(raw, list):
            return [str(o).strip() for o in raw if str(o).strip()]
        return [line.strip() for line in raw.splitlines() if line.strip()]


class BallotOpenForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Voting open for (minutes)"), min_value=1, max_value=60 * 24 * 14, initial=15
    )


class VoteForm(forms.Form):
    choices = forms.MultipleChoiceField(label=_("Your choice"), choices=[])
    household = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, options: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = options or []  # type: ignore[attr-defined]

    def clean_choices(self) -> list[str]:
        return [str(c) for c in self.cleaned_data["choices"]]


class TallyForm(forms.Form):
    """One count per choice: `count_<choice>` on the page, `counts` in the API."""

    def __init__(
        self, *args: Any, choices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_keys = [key for key, _label in choices or []]
        for key, label in choices or []:
            self.fields[f"count_{key}"] = forms.IntegerField(
                label=label, min_value=0, max_value=100000, initial=0, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["counts"] = {key: data.get(f"count_{key}") or 0 for key in self.choice_keys}
        return data


class ProxyForm(forms.Form):
    giver = forms.IntegerField(label=_("Household giving its proxy"))
    holder = forms.IntegerField(label=_("Representative holding it"))
    proof = forms.ChoiceField(label=_("Proof"), choices=Proxy.Proof.choices)


class PersonForm(forms.Form):
    person = forms.IntegerField(label=_("Person"))


class ResolutionForm(forms.Form):
    text = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    owner = forms.CharField(label=_("Owner (person or organisation)"), max_length=100)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    notice_days = forms.IntegerField(
        label=_("Days of public notice"), min_value=1, max_value=60, initial=7
    )


class WhistleUnitsForm(forms.Form):
    """The units a resolution's whistle calls."""

    units = bounds.ModelMultipleChoiceField(
        label=_("Units called"),
        queryset=Organization.objects.none(),
        widget=PickerCheckboxes(
            group=lambda unit: unit.get_kind_display(),
            search=lambda unit: f"{unit.name} {unit.short_name}",
        ),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = units


class AnswerForm(forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    upheld = forms.BooleanField(label=_("Uphold the objection"), required=False)


class SignForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Sign as"), choices=[("secretary", _("Secretary")), ("chair", _("Chair"))]
    )
    typed_name = forms.CharField(label=_("Full name"), max_length=50)
    drawing = forms.CharField(widget=forms.HiddenInput, max_length=3_000_000)

    def clean_drawing(self) -> bytes:
        value = self.cleaned_data["drawing"]
        prefix = "data:image/png;base64,"
        if not value.startswith(prefix):
            raise forms.ValidationError(_("Draw your signature in the box before signing."))
        try:
            return base64.b64decode(value[len(prefix) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError(
                _("Draw your signature in the box before signing.")
            ) from exc
