from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wulian.core.errors import DomainError
from wulian.lists import match_files
from wulian.lists.matching import engine_lang
from wulian.matching import Engine, render_reason


class TerminalProgress:
    """Progress of a long run on one line of the terminal (nothing when stderr is not one)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._open = False

    def rows(self, label: str, count: int) -> None:
        self._line(_("reading %(what)s: %(n)s rows") % {"what": label, "n": f"{count:,}"})

    def needs(self, done: int, total: int) -> None:
        self._line(
            _("scoring needs: %(done)s / %(total)s") % {"done": f"{done:,}", "total": f"{total:,}"}
        )

    def say(self, text: str) -> None:
        self._line(text)

    def _line(self, text: str) -> None:
        if self.enabled:
            self.stream.write("\r\033[K" + text)
            self.stream.flush()
            self._open = True

    def done(self) -> None:
        if self.enabled and self._open:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._open = False


def read_lists(
    command: BaseCommand, options: dict[str, Any], progress: TerminalProgress | None = None
) -> match_files.ListFile:
    """Both files as records, read as streams (no size limit); row errors are printed like the
    importer's and end the command before anything is matched."""
    paths = [Path(options["needs"]), Path(options["resources"])]
    for path in paths:
        if not path.is_file():
            raise CommandError(_("Cannot read %(file)s.") % {"file": path})
    try:
        lists = match_files.read_paths(
            paths[0], paths[1], progress.rows if progress is not None else None
        )
    except OSError as exc:
        raise CommandError(_("Cannot read %(file)s.") % {"file": exc.filename}) from exc
    except DomainError as exc:
        raise CommandError(str(exc.message)) from exc
    finally:
        if progress is not None:
            progress.done()
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
        progress = TerminalProgress()
        lists = read_lists(self, options, progress)
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
