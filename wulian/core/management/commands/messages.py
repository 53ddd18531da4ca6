from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

LOCALE_DIR = Path(settings.BASE_DIR) / "wulian" / "locale"
DOMAINS = ("django", "djangojs")


class Command(BaseCommand):
    help = (
        "Update the translation catalogues: extract strings into zh_Hans and en, fill English "
        "from the source, generate zh_Hant from zh_Hans with OpenCC, and compile them all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-extract", action="store_true", help="only regenerate zh_Hant and compile"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            import polib
        except ImportError as exc:  # pragma: no cover - a development tool
            raise CommandError("polib is needed: make install-dev") from exc
        import opencc

        if not options["no_extract"]:
            cwd = os.getcwd()
            os.chdir(Path(settings.BASE_DIR) / "wulian")
            try:
                call_command(
                    "makemessages",
                    locale=["zh_Hans", "en"],
                    ignore_patterns=["matching/*", "static/vendor/*"],
                    no_obsolete=True,
                    add_location="file",
                    verbosity=0,
                )
            finally:
                os.chdir(cwd)

        english = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(english))
        for entry in catalogue:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.save()

        converter = opencc.OpenCC("s2t")
        simplified = polib.pofile(str(LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"))
        traditional = polib.POFile()
        traditional.metadata = dict(simplified.metadata)
        traditional.metadata["Language"] = "zh_Hant"
        traditional.header = (
            "Generated from zh_Hans by `wulian messages` (OpenCC s2t). Do not edit."
        )
        for entry in simplified:
            traditional.append(
                polib.POEntry(
                    msgid=entry.msgid,
                    msgid_plural=entry.msgid_plural,
                    msgctxt=entry.msgctxt,
                    msgstr=converter.convert(entry.msgstr) if entry.msgstr else "",
                    msgstr_plural={k: converter.convert(v) for k, v in entry.msgstr_plural.items()},
                    occurrences=entry.occurrences,
                    flags=list(entry.flags),
                )
            )
        target = LOCALE_DIR / "zh_Hant" / "LC_MESSAGES"
        target.mkdir(parents=True, exist_ok=True)
        traditional.save(str(target / "django.po"))

        for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po")):
            polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)}")
