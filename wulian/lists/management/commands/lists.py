from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wulian.lists import services


class Command(BaseCommand):
    help = "Housekeeping of the three lists: `wulian lists sweep` expires needs and marks stalls."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "sweep",
            help="expire published needs whose deadline passed unclaimed, and mark projects "
            "with no progress for PROJECT_STALLED_DAYS as stalled",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            expired = services.expire_needs()
            stalled = services.mark_stalled_projects()
            self.stdout.write(f"{len(expired)} needs expired, {len(stalled)} projects stalled.")
