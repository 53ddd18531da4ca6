from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wulian.core.backup import BackupError, read_manifest, restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with those of a `wulian backup` archive, "
        "then check the row counts and file hashes against its manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask: everything now stored is replaced"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["archive"])
        try:
            manifest = read_manifest(source)
            if not options["yes"]:
                answer = input(
                    f"Replace this site's database and files with the backup of "
                    f"{manifest.created_at} ({sum(manifest.tables.values())} rows, "
                    f"{len(manifest.files)} files)? Type yes: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Nothing was changed.")
            restored = restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        summary = {
            "archive": str(source),
            "created_at": manifest.created_at,
            "rows": sum(manifest.tables.values()),
            "files": len(manifest.files),
            "tables_differ": restored.tables_differ,
            "files_differ": restored.files_differ,
            "ok": restored.ok,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if not restored.ok:
            raise CommandError("The restored data differs from the backup's manifest.")
