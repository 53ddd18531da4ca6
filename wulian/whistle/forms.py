from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from wulian.accounts.models import User, normalize_mobile
from wulian.core import bounds
from wulian.core.idempotency import OnceFormMixin
from wulian.core.uploads import MultipleCleanFileField
from wulian.core.widgets import DateTimeInput, PickerCheckboxes
from wulian.orgs.models import Organization
from wulian.places.models import Compound, Region
from wulian.whistle.models import WhistleType


class WhistleForm(OnceFormMixin):
    type = forms.ChoiceField(label=_("Type"), choices=WhistleType.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("What is the matter?"), max_length=120)
    text = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    compound = bounds.ModelChoiceField(
        label=_("Compound"), queryset=Compound.objects.none(), required=False
    )
    place = forms.CharField(label=_("Where exactly"), max_length=200, required=False)
    units = bounds.ModelMultipleChoiceField(
        label=_("Units called"),
        queryset=Organization.objects.none(),
        widget=PickerCheckboxes(
            group=lambda unit: unit.get_kind_display(),
            search=lambda unit: f"{unit.name} {unit.short_name}",
        ),
    )
    report_by = forms.DateTimeField(
        label=_("Report by"),
        required=False,
        help_text=_("Leave empty for the community's default for this type."),
        widget=DateTimeInput(),
    )
    resolve_by = forms.DateTimeField(
        label=_("Resolve by"),
        required=False,
        help_text=_("Leave empty for the community's default for this type."),
        widget=DateTimeInput(),
    )
    need = forms.IntegerField(
        label=_("From need number"), max_value=bounds.MAX_INT, required=False, min_value=1
    )
    reporter = forms.CharField(
        label=_("Reported by (resident's mobile number)"),
        required=False,
        max_length=20,
        help_text=_("The resident who reported it is told of the result and rates it."),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    photos = MultipleCleanFileField(label=_("Photos"), required=False, allow=("image",))

    def __init__(
        self, *args: Any, community: Region, units: QuerySet[Organization], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.community = community
        compound_field = self.fields["compound"]
        assert isinstance(compound_field, forms.ModelChoiceField)
        compound_field.queryset = community.compounds.all()
        units_field = self.fields["units"]
        assert isinstance(units_field, forms.ModelMultipleChoiceField)
        units_field.queryset = units

    def clean_reporter(self) -> User | None:
        raw = self.cleaned_data.get("reporter") or ""
        if not raw.strip():
            return None
        mobile = normalize_mobile(raw)
        person = User.objects.filter(
            mobile=mobile, community=self.community, is_active=True
        ).first()
        if person is None:
            raise forms.ValidationError(
                _("No resident of %(community)s has the number %(mobile)s.")
                % {"community": self.community, "mobile": mobile}
            )
        return person


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultipleCleanFileField(label=_("Photos"), required=False, allow=("image",))


class RerouteForm(forms.Form):
    organization = bounds.ModelChoiceField(
        label=_("Re-route to"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, units: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
