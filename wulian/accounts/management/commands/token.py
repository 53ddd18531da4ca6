from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wulian.accounts import services
from wulian.accounts.models import ApiToken, User, normalize_mobile
from wulian.core.errors import DomainError
from wulian.orgs.models import Organization


class Command(BaseCommand):
    help = "Issue, list and revoke API tokens (the secret is printed once, only its digest kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="issue a token acting as a person")
        issue.add_argument("--mobile", required=True, help="the person the token acts as")
        issue.add_argument("--name", required=True, help="which system uses it")
        issue.add_argument("--scope", choices=ApiToken.Scope.values, default="read")
        issue.add_argument("--unit", type=int, help="the unit (organisation id) it belongs to")
        listing = sub.add_parser("list", help="list tokens")
        listing.add_argument("--mobile", help="only this person's tokens")
        listing.add_argument("--unit", type=int, help="only this unit's tokens")
        revoke = sub.add_parser("revoke", help="revoke a token by its id or prefix")
        revoke.add_argument("token", help="the token's id or the prefix shown by `list`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"])(options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _issue(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(mobile=normalize_mobile(options["mobile"])).first()
        if user is None:
            raise CommandError(f"No account uses the mobile number {options['mobile']}.")
        unit = None
        if options["unit"] is not None:
            unit = Organization.objects.filter(pk=options["unit"]).first()
            if unit is None:
                raise CommandError(f"No unit has the id {options['unit']}.")
        token, secret = services.issue_token(
            None, name=options["name"], scope=options["scope"], organization=unit, user=user
        )
        self.stdout.write(f"Issued token {token.pk} ({token.prefix}…, {token.scope}).")
        self.stdout.write("Its secret, shown only this once:")
        self.stdout.write(secret)

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user", "organization").order_by("id")
        if options["mobile"]:
            tokens = tokens.filter(user__mobile=normalize_mobile(options["mobile"]))
        if options["unit"] is not None:
            tokens = tokens.filter(organization_id=options["unit"])
        for t in tokens:
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "live"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
            unit = t.organization.name if t.organization else "-"
            self.stdout.write(
                f"{t.pk}\t{t.prefix}…\t{t.scope}\t{t.name}\t{t.user.masked_mobile}\t{unit}"
                f"\t{used}\t{state}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        key = options["token"].removeprefix(ApiToken.SECRET_PREFIX).rstrip("…")
        matches = ApiToken.objects.filter(prefix=key)
        if key.isdigit() and len(key) < 19:
            matches = matches | ApiToken.objects.filter(pk=int(key))
        found = list(matches[:2])
        if len(found) != 1:
            raise CommandError(f"No single token has the id or prefix {key!r}.")
        token = services.revoke_token(None, found[0])
        self.stdout.write(f"Revoked token {token.pk} ({token.name}).")
