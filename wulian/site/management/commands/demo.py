from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wulian.places.models import Region
from wulian.site.demo import DEMO_PASSWORD, build_demo, demo_accounts
from wulian.site.district import Sizes, build_district


class Command(BaseCommand):
    help = "Build the demo world: Jianghan North Road community, its units, teams and residents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="only build when the database has no region yet (used by `make run`)",
        )
        parser.add_argument(
            "--scale",
            choices=["community", "district"],
            default="community",
            help="community: the demo world; district: about 100 communities and three years "
            "of history around it, for the scale benchmarks (several minutes)",
        )
        parser.add_argument(
            "--communities",
            type=int,
            default=100,
            help="with --scale district: how many communities (default: %(default)s)",
        )
        parser.add_argument("--quiet", action="store_true", help="do not print the accounts")
        parser.add_argument(
            "--accounts", action="store_true", help="only print the accounts (used by `make run`)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] == "district" and not options["accounts"]:
            self._district(options["communities"])
        elif not options["accounts"]:
            self._build(if_empty=options["if_empty"])
        if options["quiet"]:
            return
        accounts = demo_accounts()
        if accounts:
            self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
            for account in accounts:
                self.stdout.write(f"  {account.mobile}  {account.name:<6}  {account.role}")
            self.stdout.write("Residents 13900010000–13900010319 use the same password.\n")

    def _district(self, communities: int) -> None:
        started = time.monotonic()
        built = build_district(Sizes(communities=communities), log=self.stdout.write)
        if not built.communities:
            self.stdout.write("The district is already built; nothing changed.")
            return
        made = ", ".join(f"{n} {kind}" for kind, n in sorted(built.rows.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"District built in {time.monotonic() - started:.0f} s: "
                f"{built.communities} communities, {made}."
            )
        )

    def _build(self, *, if_empty: bool) -> None:
        if if_empty and Region.objects.exists():
            self.stdout.write("The database already holds data; the demo world was not loaded.")
            return
        result = build_demo()
        if result.created:
            made = ", ".join(f"{n} {kind}" for kind, n in sorted(result.created.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo world built: {made}."))
        else:
            self.stdout.write("The demo world is already complete; nothing changed.")
