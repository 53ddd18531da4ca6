from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wulian.core.bounds import MAX_INT, ModelMultipleChoiceField
from wulian.core.widgets import DateInput, DateTimeInput
from wulian.orgs.models import Organization
from wulian.training.models import DualRegistration, PartyMembership, ServicePost, Session


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Session.Kind.choices)
    organisers = ModelMultipleChoiceField(
        label=_("Organising party organisations"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    topics = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by commas."),
    )
    hours_rule = forms.ChoiceField(label=_("Study hours"), choices=Session.HoursRule.choices)
    min_minutes = forms.IntegerField(
        label=_("Minimum minutes online"), min_value=1, max_value=1440, initial=45
    )

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = organisers


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CheckInForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    person = forms.IntegerField(label=_("Member"), min_value=1, max_value=2**63 - 1)


class NormForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    member_hours = forms.IntegerField(label=_("Hours for members"), min_value=0, max_value=MAX_INT)
    leader_hours = forms.IntegerField(
        label=_("Hours for secretaries and committee members"), min_value=0, max_value=MAX_INT
    )


class EnrolForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number"), max_length=20)
    role = forms.ChoiceField(label=_("Role"), choices=PartyMembership.Role.choices)
    joined_on = forms.DateField(label=_("Joined the party on"), required=False, widget=DateInput())

    def clean_joined_on(self) -> Any:
        value = self.cleaned_data.get("joined_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of joining cannot be in the future."))
        return value


class RegistrationForm(forms.Form):
    basis = forms.ChoiceField(
        label=_("I register where I"),
        choices=DualRegistration.Basis.choices,
        widget=forms.RadioSelect,
    )
    posts = ModelMultipleChoiceField(
        label=_("Service posts I take on"),
        queryset=ServicePost.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, posts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["posts"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = posts


class PostForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
