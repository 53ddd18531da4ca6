from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wulian.accounts.models import User, mobile_validator, normalize_mobile


class Command(BaseCommand):
    help = "Create a superuser who can use the admin site (mobile number and password)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mobile", help="the mobile number to sign in with")
        parser.add_argument("--name", default="管理员", help="the person's real name")
        parser.add_argument(
            "--password", help="the password (default: asked for, or WULIAN_ADMIN_PASSWORD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import os

        mobile = normalize_mobile(options["mobile"] or input("Mobile number: "))
        try:
            mobile_validator(mobile)
        except Exception as exc:
            raise CommandError(f"{mobile!r} is not an 11-digit mobile number") from exc
        password = options["password"] or os.environ.get("WULIAN_ADMIN_PASSWORD")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("The two passwords differ.")
        if len(password) < 8:
            raise CommandError("The password needs at least 8 characters.")
        user = User.objects.filter(mobile=mobile).first()
        if user is None:
            user = User.objects.create_superuser(mobile, password, real_name=options["name"])
            self.stdout.write(self.style.SUCCESS(f"Created administrator {mobile}."))
        else:
            user.is_superuser = user.is_staff = True
            user.set_password(password)
            user.save()
            self.stdout.write(self.style.SUCCESS(f"{mobile} is now an administrator."))
