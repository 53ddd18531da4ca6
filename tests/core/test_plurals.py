"""Counted words agree with their count in English, and every catalogue has the plurals."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "wulian" / "locale"
# A count followed by a plural English noun, in a message that is not a plural entry.
COUNT = r"%\((?:n|m|count|minutes|seconds|hours|days|sent|already|rows|total)\)[ds]"
COUNTED = re.compile(COUNT + r" (?:more )?(?:[a-z-]+ )?[a-z]+s\b")
# The importer's and the matching files' messages (being rewritten elsewhere) are left out;
# so is a size limit in megapixels, which is never one.
NOT_HERE = (
    "lists/spreadsheets.py",
    "lists/import_views.py",
    "lists/management/commands/",
    "lists/match_files.py",
)


def test_no_english_message_counts_with_a_fixed_plural() -> None:
    catalogue = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    fixed = [
        entry.msgid
        for entry in catalogue
        if not entry.msgid_plural
        and COUNTED.search(entry.msgid)
        and not all(any(part in path for part in NOT_HERE) for path, _ in entry.occurrences)
    ]
    assert fixed == []


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant", "en"])
def test_every_plural_is_translated(language: str) -> None:
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    plurals = [entry for entry in catalogue if entry.msgid_plural]
    assert len(plurals) >= 15
    assert all(entry.msgstr_plural.get(0) for entry in plurals)
