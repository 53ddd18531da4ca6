"""Writing spreadsheets people typed into: every .xlsx and .csv export goes through these rows.

Text is made inert (`core.text.spreadsheet_cell`: no control character, an apostrophe before
what would run as a formula) and written to .xlsx explicitly as a string; numbers stay numbers
and dates stay dates. A reader who chose traditional script gets the text in traditional
script, as on the pages (`core.script`); what is stored never changes, and the importer reads
either script.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils import translation

from wulian.core.text import spreadsheet_cell, to_traditional

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


def _in_readers_script(values: Iterable[Any]) -> list[Any]:
    from wulian.core.script import TRADITIONAL

    values = list(values)
    if (translation.get_language() or "").lower() not in TRADITIONAL:
        return values
    return [to_traditional(str(v)) if isinstance(v, str) else v for v in values]


def xlsx_append(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append one row of values to a worksheet, text as string cells."""
    from openpyxl.cell.cell import Cell

    cells: list[Cell] = []
    for value in _in_readers_script(values):
        cell = Cell(sheet)
        cell.value = spreadsheet_cell(value)
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never "f": text people wrote is not a formula
        cells.append(cell)
    sheet.append(cells)


def csv_values(values: Iterable[Any]) -> list[Any]:
    """One row of a .csv export: dates in ISO form, nothing as an empty cell, text inert."""
    return [
        ""
        if value is None
        else value.isoformat()
        if isinstance(value, datetime.date)
        else spreadsheet_cell(value)
        for value in _in_readers_script(values)
    ]
