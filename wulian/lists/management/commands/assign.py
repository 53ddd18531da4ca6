from __future__ import annotations

import json
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from wulian.lists.management.commands.match import (
    TerminalProgress,
    add_file_arguments,
    read_lists,
)
from wulian.matching import Engine


class Command(BaseCommand):
    help = (
        "Propose, for a whole needs file, the assignment to the resources of a resources file "
        "with the greatest total fit under each resource's capacity (min-cost flow). Needs with "
        "no suitable resource stay unassigned. Prints one JSON object."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_file_arguments(parser)
        parser.add_argument(
            "--fair",
            action="store_true",
            help="spread the load over providers (each extra need to one provider costs more)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="processes that score long lists (default: up to 2, this machine's cores)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = TerminalProgress()
        lists = read_lists(self, options, progress)
        workers = max(1, options["workers"]) if len(lists.needs) >= 2000 else 1
        progress.say(_("indexing %(n)s resources") % {"n": f"{len(lists.resources):,}"})
        engine = Engine(lists.resources, workers=max(1, options["workers"]))
        result = engine.assign(
            lists.needs, fair=options["fair"], workers=workers, progress=progress.needs
        )
        progress.done()
        if options["format"] == "text":
            titles = {r.id: r.title for r in lists.resources}
            for a in result.assignments:
                self.stdout.write(
                    f"{a.need_id}  →  {a.resource_id}  {titles[a.resource_id]}  {a.score:.3f}"
                )
            for need_id in result.unassigned:
                self.stdout.write(f"{need_id}  —  " + _("no suitable resource"))
            self.stdout.write(_("Total fit: %(total).3f") % {"total": result.total_score})
            return
        out = {
            "assignments": [
                {"need_id": a.need_id, "resource_id": a.resource_id, "score": round(a.score, 4)}
                for a in result.assignments
            ],
            "unassigned": list(result.unassigned),
            "total_score": round(result.total_score, 4),
            "status": result.status,
            "candidate_pairs": result.candidate_pairs,
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))
