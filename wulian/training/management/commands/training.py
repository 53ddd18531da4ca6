"""`wulian training progress --org NAME --year 2026 --format json`: an organisation's members'
study hours against the norm, and who is behind."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone, translation

from wulian.orgs.models import Organization
from wulian.training import queries


def find_org(name: str) -> Organization:
    found = list(Organization.objects.filter(Q(name=name) | Q(short_name=name))[:2])
    if not found and name.isdigit():
        found = list(Organization.objects.filter(pk=int(name)))
    if not found:
        raise CommandError(f"No organisation is called {name!r}.")
    if len(found) > 1:
        raise CommandError(f"Several organisations are called {name!r}; give its id.")
    return found[0]


class Command(BaseCommand):
    help = "Joint training: `progress` prints an organisation's study hours for a year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        progress = sub.add_parser("progress", help="each member's hours, norm and who is behind")
        progress.add_argument(
            "--org", required=True, help="the organisation's name, short name or id"
        )
        progress.add_argument("--year", type=int, default=None)
        progress.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        org = find_org(options["org"])
        year = options["year"] or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError("Give a year between 2000 and 2100.")
        with translation.override("zh-hans"):
            data = queries.progress(org, year)
            if options["format"] == "json":
                self.stdout.write(json.dumps(data.as_dict(), ensure_ascii=False, indent=2))
                return
            self.stdout.write(
                f"{data.organization} {year}: {data.norm.member_hours} h / "
                f"{data.norm.leader_hours} h; behind {len(data.behind)}"
            )
            for m in data.members:
                flag = " BEHIND" if m.behind else ""
                self.stdout.write(
                    f"{m.name}\t{m.role_label}\t{m.hours}/{m.required}\t{m.sessions}{flag}"
                )
