from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    sms = forms.BooleanField(label=_("Also send me notifications by text message"), required=False)
    email = forms.BooleanField(label=_("Also send me notifications by email"), required=False)
    email_address = forms.EmailField(label=_("Email address"), required=False)


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Webhook address of the unit's group-chat robot"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("Leave empty to stop posting to the group chat."),
    )
