from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from wulian.accounts.models import User, normalize_mobile
from wulian.core import bounds
from wulian.core.widgets import DateTimeInput
from wulian.events.models import ReleaseEvent
from wulian.lists.models import Category, Claim, Need
from wulian.orgs.models import Organization
from wulian.places.models import Region


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    communities = bounds.ModelMultipleChoiceField(
        label=_("Communities it covers"),
        queryset=Region.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, communities: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = communities  # type: ignore[attr-defined]


class NeedFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = bounds.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    community = bounds.ModelChoiceField(
        label=_("Community"), queryset=Region.objects.none(), required=False
    )

    def __init__(self, *args: Any, event: ReleaseEvent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).select_related("parent")
        self.fields["community"].queryset = event.communities.all()  # type: ignore[attr-defined]


class AddNeedsForm(forms.Form):
    needs = bounds.ModelMultipleChoiceField(
        label=_("Published needs"),
        queryset=Need.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, needs: QuerySet[Need], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = needs  # type: ignore[attr-defined]


class AddCategoryForm(forms.Form):
    category = bounds.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True).select_related("parent"),
    )


class PaperClaimForm(forms.Form):
    need = bounds.ModelChoiceField(label=_("Need"), queryset=Need.objects.none())
    organization = bounds.ModelChoiceField(
        label=_("Claimed by an organisation"),
        queryset=Organization.objects.none(),
        required=False,
    )
    mobile = forms.CharField(
        label=_("or by a resident (mobile number)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    confirm = forms.BooleanField(
        label=_("I have checked the paper form: record this claim."), required=True
    )

    def __init__(
        self,
        *args: Any,
        needs: QuerySet[Need],
        organizations: QuerySet[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs  # type: ignore[attr-defined]
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def clean_mobile(self) -> User | None:
        raw = self.cleaned_data.get("mobile", "")
        if not raw:
            return None
        person = User.objects.filter(mobile=normalize_mobile(raw), is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("Nobody is registered with this number."))
        return person


class CorrectClaimForm(forms.Form):
    claim = bounds.ModelChoiceField(label=_("Claim"), queryset=Claim.objects.none())
    reason = forms.CharField(label=_("Why is it corrected?"), max_length=300)
    confirm = forms.BooleanField(
        label=_("Cancel this claim and open the slot again."), required=True
    )

    def __init__(self, *args: Any, claims: QuerySet[Claim], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = claims  # type: ignore[attr-defined]
        self.fields["claim"].label_from_instance = (  # type: ignore[attr-defined]
            lambda claim: f"#{claim.need_id} {claim.need.title} — {claim.party_display}"
        )


class CarryOverForm(forms.Form):
    next_event = bounds.ModelChoiceField(
        label=_("Next event"), queryset=ReleaseEvent.objects.none()
    )

    def __init__(self, *args: Any, events: QuerySet[ReleaseEvent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["next_event"].queryset = events  # type: ignore[attr-defined]
