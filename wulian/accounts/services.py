"""Accounts: signing in (password or SMS code, rate-limited), profiles, verifying residents."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from wulian.accounts import sms
from wulian.accounts.models import (
    ApiToken,
    LoginFailure,
    OneTimeCode,
    User,
    normalize_mobile,
)
from wulian.audit import services as audit
from wulian.core.challenge import check_proof
from wulian.core.errors import DomainError, NotAllowed
from wulian.core.idempotency import forget_old_submissions
from wulian.orgs.models import Organization
from wulian.places.models import Compound

audit.register_actions(
    {
        "accounts.profile_updated": gettext_lazy("updated the profile"),
        "accounts.password_changed": gettext_lazy("changed the password"),
        "accounts.resident_verified": gettext_lazy("verified the resident"),
        "accounts.resident_unverified": gettext_lazy("withdrew the resident verification"),
        "accounts.person_created": gettext_lazy("created the account"),
        "accounts.token_issued": gettext_lazy("issued an API token"),
        "accounts.token_revoked": gettext_lazy("revoked an API token"),
    }
)

PROFILE_FIELDS = ("real_name", "compound", "building", "is_party_member")
# The version of the privacy notice (accounts/privacy.html); change it when the notice changes.
PRIVACY_NOTICE_VERSION = "2026-12"


class LoginError(DomainError):
    status = 401


class TooManyCodes(DomainError):
    status = 429


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def check_not_locked(mobile: str, ip_address: str | None) -> None:
    """Refuse further attempts once a number (or an address) has failed too often."""
    since = _window_start()
    limit = settings.LOGIN_FAILURE_LIMIT
    recent = LoginFailure.objects.filter(created_at__gte=since)
    by_mobile = recent.filter(mobile=mobile).count()
    by_ip = recent.filter(ip_address=ip_address).count() if ip_address else 0
    if by_mobile >= limit or by_ip >= limit * 10:
        minutes = settings.LOGIN_FAILURE_WINDOW_SECONDS // 60
        raise LoginError(
            "login.locked",
            ngettext(
                "Too many failed attempts. Please try again in %(minutes)d minute.",
                "Too many failed attempts. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )


def _fail(mobile: str, ip_address: str | None, code: str, message: str) -> LoginError:
    LoginFailure.objects.create(mobile=mobile[:11], ip_address=ip_address)
    return LoginError(code, message)


def sign_in_with_password(mobile: str, password: str, ip_address: str | None) -> User:
    mobile = normalize_mobile(mobile)
    check_not_locked(mobile, ip_address)
    user = User.objects.filter(mobile=mobile, is_active=True).first()
    if user is None or not user.check_password(password):
        raise _fail(
            mobile, ip_address, "login.invalid", _("The mobile number or password is wrong.")
        )
    LoginFailure.objects.filter(mobile=mobile).delete()
    return user


def _check_daily_limits(mobile: str, ip_address: str | None) -> None:
    """Against SMS pumping: codes per number, per address and for the site in 24 hours."""
    day = OneTimeCode.objects.filter(created_at__gte=timezone.now() - datetime.timedelta(days=1))
    if day.count() >= settings.SMS_CODES_PER_DAY:
        raise TooManyCodes(
            "login.site_daily_cap",
            _(
                "Sign-in codes by text message are paused for today. Sign in with your "
                "password, or try again tomorrow."
            ),
        )
    if ip_address and day.filter(ip_address=ip_address).count() >= (
        settings.SMS_CODES_PER_ADDRESS_PER_DAY
    ):
        raise TooManyCodes(
            "login.address_daily_cap",
            _("Too many codes were asked for from this network today. Please try tomorrow."),
        )
    if day.filter(mobile=mobile).count() >= settings.SMS_CODES_PER_NUMBER_PER_DAY:
        raise TooManyCodes(
            "login.number_daily_cap",
            _("This number has had too many codes today. Please try tomorrow."),
        )


def request_code(
    mobile: str,
    ip_address: str | None,
    *,
    allow_new: bool = False,
    challenge: str = "",
    nonce: str = "",
) -> bool:
    """Send a six-digit code by SMS. Returns whether the number already has an account.

    With `allow_new`, a number without an account also gets a code, to register with it, once
    the caller's browser has solved a proof of work (`challenge`, `nonce`; see core.challenge).
    Codes are limited per number, per address and for the site per day.
    """
    mobile = normalize_mobile(mobile)
    check_not_locked(mobile, ip_address)
    known = User.objects.filter(mobile=mobile, is_active=True).exists()
    if not known and User.objects.filter(mobile=mobile).exists():
        raise _fail(
            mobile, ip_address, "login.inactive", _("This account is closed. Ask your staff.")
        )
    if not known and not allow_new:
        raise _fail(
            mobile,
            ip_address,
            "login.unknown_mobile",
            _("No account uses this mobile number. Ask your community staff to register you."),
        )
    _check_daily_limits(mobile, ip_address)
    now = _not_too_soon(mobile)
    if not known and settings.SMS_CHALLENGE_NEW_NUMBERS:
        check_proof(challenge, nonce)
    code = OneTimeCode.new_code()
    minutes = max(1, settings.SMS_CODE_TTL_SECONDS // 60)
    text = ngettext(
        "[Wulian] Your sign-in code is %(code)s. It is valid for %(minutes)d minute. "
        "Do not share it with anyone.",
        "[Wulian] Your sign-in code is %(code)s. It is valid for %(minutes)d minutes. "
        "Do not share it with anyone.",
        minutes,
    ) % {"code": code, "minutes": minutes}
    _keep_and_send(mobile, ip_address, now, code, text)
    return known


def _not_too_soon(mobile: str) -> datetime.datetime:
    """Now, unless a code went to this number within the interval (then refuse)."""
    now = timezone.now()
    interval = datetime.timedelta(seconds=settings.SMS_CODE_INTERVAL_SECONDS)
    if OneTimeCode.objects.filter(mobile=mobile, created_at__gt=now - interval).exists():
        raise DomainError(
            "login.code_too_soon",
            ngettext(
                "A code was just sent. Please wait %(seconds)d second before asking again.",
                "A code was just sent. Please wait %(seconds)d seconds before asking again.",
                settings.SMS_CODE_INTERVAL_SECONDS,
            )
            % {"seconds": settings.SMS_CODE_INTERVAL_SECONDS},
        )
    return now


def _keep_and_send(
    mobile: str, ip_address: str | None, now: datetime.datetime, code: str, text: str
) -> None:
    """Keep the code's digest and text it. The code is kept only if the message went out, so
    a failed send can be retried at once."""
    try:
        with transaction.atomic():
            OneTimeCode.objects.create(
                mobile=mobile,
                ip_address=ip_address,
                digest=OneTimeCode.digest_of(code),
                created_at=now,
                expires_at=now + datetime.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
            )
            sms.send_sms(mobile, text)
    except sms.SmsError as exc:
        raise DomainError(
            "login.sms_failed", _("The text message could not be sent. Please try again.")
        ) from exc


def send_confirmation_code(user: User, purpose: str, ip_address: str | None) -> None:
    """Text a signed-in person a six-digit code that confirms one act (`purpose`, in words:
    "sign the claim agreement for …"), with the sign-in codes' limits."""
    mobile = normalize_mobile(user.mobile)
    check_not_locked(mobile, ip_address)
    _check_daily_limits(mobile, ip_address)
    now = _not_too_soon(mobile)
    code = OneTimeCode.new_code()
    minutes = max(1, settings.SMS_CODE_TTL_SECONDS // 60)
    text = ngettext(
        "[Wulian] Your code to %(purpose)s is %(code)s. It is valid for %(minutes)d minute. "
        "Do not share it with anyone.",
        "[Wulian] Your code to %(purpose)s is %(code)s. It is valid for %(minutes)d minutes. "
        "Do not share it with anyone.",
        minutes,
    ) % {"code": code, "minutes": minutes, "purpose": purpose}
    _keep_and_send(mobile, ip_address, now, code, text)


def confirm_with_code(user: User, code: str, ip_address: str | None) -> None:
    """Use up the code texted to this person, or refuse (wrong, expired, too many tries)."""
    _consume_code(normalize_mobile(user.mobile), code, ip_address)


def _consume_code(mobile: str, code: str, ip_address: str | None) -> None:
    """Use up a valid code for the number, or count a failure and refuse."""
    code = "".join(ch for ch in code if ch.isdigit())
    check_not_locked(mobile, ip_address)
    now = timezone.now()
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(mobile=mobile, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            error: LoginError | None = _fail(
                mobile,
                ip_address,
                "login.code_expired",
                _("The code has expired or was never sent. Ask for a new one."),
            )
        elif otp.digest != OneTimeCode.digest_of(code) or otp.attempts >= OneTimeCode.MAX_ATTEMPTS:
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            error = _fail(mobile, ip_address, "login.code_wrong", _("The code is not right."))
        else:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            error = None
    if error is not None:
        raise error


def sign_in_with_code(mobile: str, code: str, ip_address: str | None) -> User:
    mobile = normalize_mobile(mobile)
    _consume_code(mobile, code, ip_address)
    user = User.objects.filter(mobile=mobile, is_active=True).first()
    if user is None:
        raise LoginError("login.unknown_mobile", _("No account uses this mobile number."))
    LoginFailure.objects.filter(mobile=mobile).delete()
    return user


def register_with_code(
    mobile: str,
    code: str,
    ip_address: str | None,
    *,
    real_name: str,
    compound: Compound,
    privacy_notice_version: str,
) -> User:
    """A resident registers from a phone: the code proves the number, staff verify them later.

    They must have agreed to the current privacy notice; its version and the time are kept.
    """
    mobile = normalize_mobile(mobile)
    if privacy_notice_version != PRIVACY_NOTICE_VERSION:
        raise DomainError(
            "register.no_consent",
            _("Read the privacy notice and tick that you agree to it to register."),
        )
    real_name = " ".join(real_name.split())
    if not real_name or len(real_name) > 50:
        raise DomainError("register.bad_name", _("Give your real name (up to 50 characters)."))
    if User.objects.filter(mobile=mobile).exists():
        raise DomainError(
            "register.exists", _("This number already has an account; sign in instead.")
        )
    _consume_code(mobile, code, ip_address)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                mobile,
                None,
                real_name=real_name,
                community=compound.community,
                compound=compound,
                privacy_notice_version=privacy_notice_version,
                privacy_agreed_at=timezone.now(),
            )
            audit.record(
                user,
                "accounts.person_created",
                user,
                after={"privacy_notice_version": privacy_notice_version},
                community=compound.community,
            )
    except IntegrityError as exc:
        raise DomainError(
            "register.exists", _("This number already has an account; sign in instead.")
        ) from exc
    LoginFailure.objects.filter(mobile=mobile).delete()
    return user


def change_password(user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise DomainError("password.wrong", _("The current password is not right."))
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError("password.weak", " ".join(exc.messages)) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(user, "accounts.password_changed", user, community=user.community)


def update_profile(actor: User, person: User, **changes: Any) -> User:
    if actor.pk != person.pk:
        raise NotAllowed("profile.not_yours", _("You can only change your own profile."))
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise DomainError("profile.unknown_field", _("These fields cannot be changed here."))
    compound = changes.get("compound")
    if compound is not None and not isinstance(compound, Compound):
        raise DomainError("profile.bad_compound", _("Choose a compound from the list."))
    with transaction.atomic():
        before = audit.snapshot(person, PROFILE_FIELDS)
        for name, value in changes.items():
            setattr(person, name, value)
        if compound is not None:
            person.community = compound.community
        person.full_clean(exclude=["password"])
        person.save()
        audit.record(
            actor,
            "accounts.profile_updated",
            person,
            before=before,
            after=audit.snapshot(person, PROFILE_FIELDS),
            community=person.community,
        )
    return person


def set_verified_resident(actor: User, person: User, verified: bool) -> User:
    """Community staff confirm (or withdraw) that a person lives where they say."""
    if not actor.has_perm("accounts.verify_resident", person):
        raise NotAllowed(
            "resident.not_staff", _("Only staff of the person's community can verify residents.")
        )
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        if person.is_verified_resident == verified:
            return person
        before = audit.snapshot(person, ["is_verified_resident"])
        person.is_verified_resident = verified
        person.verified_at = timezone.now() if verified else None
        person.verified_by = actor if verified else None
        person.save(update_fields=["is_verified_resident", "verified_at", "verified_by"])
        audit.record(
            actor,
            "accounts.resident_verified" if verified else "accounts.resident_unverified",
            person,
            before=before,
            after=audit.snapshot(person, ["is_verified_resident"]),
            community=person.community,
        )
    return person


def forget_old_records() -> str:
    """Sign-in codes and failed attempts are kept a day (for the limits), then deleted; so
    are the one-time submission claims (wulian.core.idempotency)."""
    since = timezone.now() - datetime.timedelta(days=1)
    codes, _ = OneTimeCode.objects.filter(created_at__lt=since).delete()
    failures, _ = LoginFailure.objects.filter(created_at__lt=since).delete()
    submissions = forget_old_submissions()
    return f"{codes} codes, {failures} failures, {submissions} submissions forgotten"


def issue_token(
    actor: User | None,
    *,
    name: str,
    scope: str,
    organization: Organization | None = None,
    user: User | None = None,
) -> tuple[ApiToken, str]:
    """Issue an API token; returns it and its secret, which is shown once and never stored.

    On a page a unit's administrator issues tokens for their unit, acting as themselves
    (`actor`); on the command line (`actor` None) an operator names the person (`user`).
    """
    if actor is not None:
        if organization is None or not actor.has_perm("accounts.manage_tokens", organization):
            raise NotAllowed(
                "token.not_admin", _("Only the unit's administrators can issue its API tokens.")
            )
        user = actor
    if user is None or not user.is_active:
        raise DomainError("token.no_person", _("Name an active person for the token to act as."))
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise DomainError("token.bad_name", _("Give the token a name (up to 100 characters)."))
    if scope not in ApiToken.Scope.values:
        raise DomainError("token.bad_scope", _("The scope is read or write."))
    secret = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            organization=organization,
            name=name,
            scope=scope,
            prefix=secret[len(ApiToken.SECRET_PREFIX) :][:8],
            digest=ApiToken.digest_of(secret),
            created_by=actor,
        )
        audit.record(
            actor,
            "accounts.token_issued",
            token,
            after={"name": name, "scope": scope, "user": user.pk},
            community=organization.region if organization is not None else user.community,
        )
    return token, secret


def revoke_token(actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once; the unit's administrators (or an operator) may."""
    if actor is not None and (
        token.organization is None
        or not actor.has_perm("accounts.manage_tokens", token.organization)
    ):
        raise NotAllowed(
            "token.not_admin", _("Only the unit's administrators can revoke its API tokens.")
        )
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor,
            "accounts.token_revoked",
            token,
            after={"revoked_at": token.revoked_at.isoformat()},
            community=token.organization.region if token.organization else token.user.community,
        )
    return token


#: how stale a token's "last used" may grow: marking it on every call would make every API
#: read a write (a commit, and on SQLite a turn at the one write lock)
TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=1)


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token behind a bearer secret, marked as used (to the minute); None for an
    unknown or revoked one."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    now = timezone.now()
    if token is not None and (
        token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION
    ):
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
