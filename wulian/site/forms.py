from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.whistle.queries import WhistleFilter


class WhistleFilterForm(forms.Form):
    """The overview's whistle filters: state, unit called, late only."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", pgettext_lazy("whistle state", "Open")),
            ("closed", pgettext_lazy("whistle state", "Closed")),
        ],
    )
    unit = forms.TypedChoiceField(label=_("Unit called"), required=False, coerce=int)
    late = forms.BooleanField(label=_("Late only"), required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Any unit")), *units]  # type: ignore[attr-defined]

    def chosen(self) -> WhistleFilter:
        if not self.is_bound or not self.is_valid():
            return WhistleFilter()
        data = self.cleaned_data
        return WhistleFilter(
            state=data.get("state") or "",
            unit=data.get("unit") or None,
            late_only=bool(data.get("late")),
        )
