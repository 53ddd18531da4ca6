"""People: one account per mobile number, with their place in the community."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wulian.core.text import mask_mobile

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from wulian.orgs.models import Membership
    from wulian.places.models import StaffAssignment

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13812345678.")
)


def normalize_mobile(raw: str) -> str:
    """Accept what people type: spaces, dashes, full-width digits, a +86 prefix."""
    import unicodedata

    digits = "".join(ch for ch in unicodedata.normalize("NFKC", raw) if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, mobile: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(mobile=normalize_mobile(mobile), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(mobile, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    mobile = models.CharField(
        _("mobile number"), max_length=11, unique=True, validators=[mobile_validator]
    )
    real_name = models.CharField(_("real name"), max_length=50)
    community = models.ForeignKey(
        "places.Region",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
        limit_choices_to={"level": "community"},
    )
    compound = models.ForeignKey(
        "places.Compound",
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    building = models.CharField(_("building and unit"), max_length=50, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_verified_resident = models.BooleanField(_("verified resident"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # The privacy notice the person agreed to when registering (its version), and when.
    privacy_notice_version = models.CharField(
        _("privacy notice agreed to"), max_length=20, blank=True
    )
    privacy_agreed_at = models.DateTimeField(_("privacy notice agreed at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "mobile"
    REQUIRED_FIELDS = ["real_name"]

    if TYPE_CHECKING:
        memberships: RelatedManager[Membership]
        staff_assignments: RelatedManager[StaffAssignment]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["id"]

    @staticmethod
    def of(request: Any) -> User:
        """The signed-in person behind a request (views that require sign-in)."""
        user = request.user
        assert isinstance(user, User), "sign-in required"
        return user

    def __str__(self) -> str:
        return self.real_name or self.masked_mobile

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    def get_full_name(self) -> str:
        return self.real_name

    def get_short_name(self) -> str:
        return self.real_name


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class OneTimeCode(models.Model):
    """An SMS sign-in code. Only its digest is stored."""

    mobile = models.CharField(max_length=11, db_index=True)
    digest = models.CharField(max_length=64)
    # Who asked for it, for the daily limit per address.
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    MAX_ATTEMPTS = 5

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{mask_mobile(self.mobile)} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @staticmethod
    def new_code() -> str:
        return f"{secrets.randbelow(1_000_000):06d}"

    @staticmethod
    def digest_of(code: str) -> str:
        return _digest(code)


class LoginFailure(models.Model):
    """A failed sign-in, kept for a while to slow down guessing."""

    mobile = models.CharField(max_length=11, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{mask_mobile(self.mobile)} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A token for a unit's system to call the API as a person. Only its digest is stored:
    the secret is shown once, when it is issued."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    SECRET_PREFIX = "wl_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("access"), max_length=10, choices=Scope.choices, default=Scope.WRITE)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    @staticmethod
    def new_secret() -> str:
        # The prefix `wulian token list` shows is typed back on a command line
        # (`wulian token revoke PREFIX`): one starting with "-" would read as an option.
        body = secrets.token_urlsafe(32)
        while body.startswith("-"):
            body = secrets.token_urlsafe(32)
        return ApiToken.SECRET_PREFIX + body

    @staticmethod
    def digest_of(key: str) -> str:
        return _digest(key)
