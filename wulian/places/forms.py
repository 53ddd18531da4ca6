"""Forms of the places pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CompoundNamesForm(forms.Form):
    short_name = forms.CharField(
        label=_("Short name"),
        max_length=50,
        required=False,
        help_text=_("The name people usually write, such as 42号小区."),
    )
    aliases = forms.CharField(
        label=_("Other names"),
        max_length=300,
        required=False,
        help_text=_("Other names staff write in their lists, separated by 、 or commas."),
    )
