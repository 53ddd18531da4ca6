from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseCreationForm
from django.http import HttpRequest

from wulian.accounts.models import ApiToken, User


class UserCreationForm(BaseCreationForm[User]):
    class Meta:
        model = User
        fields = ("mobile", "real_name")


class UserChangeForm(BaseChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["id"]
    list_display = ["mobile", "real_name", "community", "compound", "is_verified_resident"]
    list_filter = ["is_verified_resident", "is_party_member", "is_superuser"]
    search_fields = ["mobile", "real_name"]
    fieldsets = (
        (None, {"fields": ("mobile", "password")}),
        ("Profile", {"fields": ("real_name", "community", "compound", "building")}),
        ("Status", {"fields": ("is_party_member", "is_verified_resident", "is_active")}),
        ("Admin", {"fields": ("is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("mobile", "real_name", "password1", "password2")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are issued on the unit's page or with `wulian token issue`, which make the secret
    and show it once; here they are looked at, renamed or revoked."""

    list_display = ["name", "user", "organization", "scope", "prefix", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    fields = [
        "name",
        "user",
        "organization",
        "scope",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["user", "organization", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
