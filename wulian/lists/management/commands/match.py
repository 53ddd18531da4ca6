from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wulian.core.errors import DomainError
from wulian.lists import match_files
from wulian.lists.matching import engine_lang
from wulian.matching import Engine, render_reason


def read_lists(command: BaseCommand, options: dict[str, Any]) -> match_files.ListFile:
    """Both files as records; row errors are printed like the importer's and end the command."""
    paths = [Path(options["needs"]), Path(options["resources"])]
    contents = []
    for path in paths:
        try:
            contents.append(path.read_bytes())
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s.") % {"file": path}) from exc
    try:
        lists = match_files.read_files(paths[0].name, contents[0], paths[1].name, contents[1])
    except DomainError as exc:
        raise CommandError(str(exc.message)) from exc
    if lists.errors:
        for error in lists.errors:
            command.stderr.write(str(error))
        raise CommandError(
            _("%(n)d rows have errors; nothing was matched.") % {"n": len(lists.errors)}
        )
    return lists


def add_file_arguments(parser: CommandParser) -> None:
    parser.add_argument("--needs", required=True, help="the needs list, .xlsx or .csv")
    parser.add_argument("--resources", required=True, help="the resources list, .xlsx or .csv")
    parser.add_argument(
        "--format", choices=["json", "text"], default="json", help="output format (json)"
    )


class Command(BaseCommand):
    help = (
        "Rank the resources of a resources file for each need of a needs file (the import's "
        "columns). Prints one JSON object per need: its id and its best candidates with score "
        "and reasons; an empty list means no suitable resource."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_file_arguments(parser)
        parser.add_argument("--top", type=int, default=5, help="candidates per need (5)")
        parser.add_argument(
            "--lang", default=None, help="language of the reasons: zh-hans, zh-hant, en"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["top"] < 1:
            raise CommandError(_("--top must be 1 or more."))
        lists = read_lists(self, options)
        engine = Engine(lists.resources)
        lang = engine_lang(options["lang"])
        titles = {r.id: r.title for r in lists.resources}
        for need in lists.needs:
            candidates = engine.recommend(need, k=options["top"])
            if options["format"] == "text":
                self.stdout.write(f"{need.id}  {need.title}")
                if not candidates:
                    self.stdout.write("    " + _("no suitable resource"))
                for c in candidates:
                    reasons = "; ".join(render_reason(r, lang) for r in c.reasons)
                    self.stdout.write(
                        f"    {c.score:.3f}  {c.resource_id}  {titles[c.resource_id]}  {reasons}"
                    )
                continue
            line = {
                "need_id": need.id,
                "candidates": [
                    {
                        "resource_id": c.resource_id,
                        "score": round(c.score, 4),
                        "reasons": [render_reason(r, lang) for r in c.reasons],
                    }
                    for c in candidates
                ],
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
