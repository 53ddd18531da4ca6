from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wulian.accounts.models import User
from wulian.places.models import Region, StaffAssignment


class RecipientForm(forms.Form):
    """Staff choose a recipient among the staff of this region and of those above it."""

    recipient = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Empty: the address in the person's notification settings."),
    )

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = StaffAssignment.objects.filter(region_id__in=region.ancestor_ids).values("user_id")
        self.fields["recipient"].queryset = User.objects.filter(pk__in=people).order_by("real_name")  # type: ignore[attr-defined]
