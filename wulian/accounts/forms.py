from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wulian.accounts.models import ApiToken, User, mobile_validator, normalize_mobile
from wulian.core import bounds
from wulian.places.models import Compound


class MobileField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 1234 5678"}
        )

    def clean(self, value: Any) -> str:
        mobile: str = normalize_mobile(super().clean(value) or "")
        mobile_validator(mobile)
        return mobile


class PasswordLoginForm(forms.Form):
    mobile = MobileField()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeRequestForm(forms.Form):
    mobile = MobileField()


class CodeLoginForm(forms.Form):
    mobile = MobileField(widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class CompoundChoiceField(bounds.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.community.name} · {obj.name}"


class CodeRegisterForm(CodeLoginForm):
    """A number without an account: the same code registers a resident."""

    real_name = forms.CharField(
        label=_("Your real name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    compound = CompoundChoiceField(
        label=_("Your compound"),
        queryset=Compound.objects.select_related("community").order_by("community__name", "id"),
    )

    agree_privacy = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it"),
        error_messages={"required": _("Tick this box to register: the notice says what we keep.")},
    )

    field_order = ["real_name", "compound", "code", "agree_privacy"]


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        min_length=8,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits."),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["real_name", "compound", "building", "is_party_member"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        compounds = Compound.objects.select_related("community")
        if self.instance.community_id:
            compounds = compounds.filter(community_id=self.instance.community_id)
        self.fields["compound"].queryset = compounds  # type: ignore[attr-defined]
        self.fields["compound"].required = False


class TokenIssueForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Which system uses it, e.g. “the school's duty roster”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ
    )
