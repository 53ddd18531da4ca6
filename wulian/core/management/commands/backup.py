from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wulian.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup or pg_dump) and the uploaded files into "
        "one dated .tar.gz archive with a manifest of row counts and file hashes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", default=".", help="a folder (a dated name is chosen) or a file name"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path, manifest = backup(Path(options["output"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        summary = {
            "archive": str(path),
            "engine": manifest.engine,
            "rows": sum(manifest.tables.values()),
            "tables": len(manifest.tables),
            "files": len(manifest.files),
            "bytes": path.stat().st_size,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
