from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wulian.activities import services
from wulian.activities.api import _activity_out, activities_with_counts
from wulian.core.text import fold
from wulian.places.models import Region


def find_community(name: str) -> Region:
    """A community by its name, written in simplified or traditional characters."""
    wanted = fold(name.strip())
    for region in Region.objects.filter(level=Region.Level.COMMUNITY):
        if fold(region.name) == wanted:
            return region
    raise CommandError(f"No community is called {name!r}.")


class Command(BaseCommand):
    help = "Activities: `wulian activities list` and `wulian activities sweep`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="a community's activities")
        listing.add_argument("--community", required=True, help="the community's name")
        listing.add_argument("--upcoming", action="store_true", help="only those not yet over")
        listing.add_argument("--format", choices=["json", "table"], default="table")
        sub.add_parser("sweep", help="lapse unconfirmed offers, remind and mark no-shows, once")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self.stdout.write(str({**services.sweep_offers(), **services.sweep_services()}))
            return
        community = find_community(options["community"])
        activities = activities_with_counts().filter(community=community)
        if options["upcoming"]:
            activities = activities.filter(ends_at__gte=timezone.now())
        rows = [_activity_out(a) for a in activities]
        if options["format"] == "json":
            payload = {
                "community": community.name,
                "activities": [
                    {
                        **row,
                        "starts_at": row["starts_at"].isoformat(),
                        "ends_at": row["ends_at"].isoformat(),
                        "signup_opens_at": row["signup_opens_at"].isoformat()
                        if row["signup_opens_at"]
                        else None,
                        "signup_closes_at": row["signup_closes_at"].isoformat()
                        if row["signup_closes_at"]
                        else None,
                    }
                    for row in rows
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for row in rows:
            start = timezone.localtime(row["starts_at"]).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                f"{row['id']:>5}  {start}  {row['taken']}/{row['capacity']}  {row['title']}"
            )
