from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wulian.dashboards import services
from wulian.whistle.management.commands.whistle import find_community


class Command(BaseCommand):
    help = "Dashboards' rollups: `wulian dashboards recompute` rebuilds them from the raw data."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        again = sub.add_parser("recompute", help="rebuild the rollups from the raw tables")
        again.add_argument("--community", default="", help="only this community (by name)")
        again.add_argument("--since", default="", help="from this month on, YYYY-MM")
        sub.add_parser("refresh", help="one worker round: what the audit log says changed")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "refresh":
            self.stdout.write(str(services.refresh()))
            return
        since = None
        if options["since"]:
            try:
                since = datetime.date.fromisoformat(options["since"] + "-01")
            except ValueError as exc:
                raise CommandError("Give --since as a month, e.g. 2026-11.") from exc
        if options["community"] or since:
            communities = [find_community(options["community"])] if options["community"] else None
            done = services.recompute(communities, since)
        else:
            done = services.rebuild()
        self.stdout.write(
            f"{done.communities} communities, {done.facts} daily facts, {done.months} monthly rows"
        )
