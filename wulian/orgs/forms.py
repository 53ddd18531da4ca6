from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wulian.core import bounds
from wulian.core.widgets import DateInput
from wulian.orgs.models import Organization, Partnership
from wulian.places.models import Region


class PartnershipForm(forms.Form):
    partner = bounds.ModelChoiceField(queryset=Organization.objects.none(), label=_("Partner unit"))
    started_on = forms.DateField(label=_("Start date"), widget=DateInput())
    content = forms.CharField(
        label=_("Content of the co-building"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, community: Region, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        ancestors = community.ancestors()
        district = ancestors[1] if len(ancestors) > 1 else community
        nearby = Q(region__path__startswith=district.path) | Q(region__in=ancestors)
        self.fields["partner"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.filter(nearby, is_active=True)
            .exclude(kind=Organization.Kind.COMMUNITY)
            .order_by("kind", "name")
        )

    def clean_started_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["started_on"]
        return value


class PartnershipStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Partnership.Status.choices, label=_("New status"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
