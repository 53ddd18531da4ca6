"""Excel in, Excel out: the needs and resources lists as .xlsx and .csv files.

Reading turns a file into a `Table`; `plan_import` checks every row and says what an import
would do (an `ImportReport`); `apply_import` writes it in one transaction, in bulk, with one
audit entry for the whole import that holds every row's change. Exporters yield a header row
and then rows, which `render_xlsx` and `render_csv` turn into files; every export is recorded
in the audit log.

Files as staff keep them:
- The header is the first row within the first ten that names enough known columns (the
  English key, the label in either script, or a variant in `import_words`); the rows above it
  (a merged title, "填表人/日期") are reported as skipped, as are blank rows and footers
  (合计, 备注:…, 填表说明…). A cell merged down a block of rows counts on every row it covers.
- Values as people write them: dates in any Excel format or as text (2026/12/5, 2026年12月5日,
  12月5日 with the year inferred and said), full-width digits, 约40人次, 是/否/✓.
- CSV in UTF-8 (with or without a byte order mark), GB18030/GBK or UTF-16 (WPS). When no
  encoding gives plausible text the file is refused, never read as mojibake.
- Names as people write them: service areas relative to the community (本社区, 全市, …),
  regions with or without their suffix, compounds by full name, short name or alias,
  organisations by name or short name. What stays unresolved becomes a question of the
  mapping step (`Question`); the answers are remembered per community (`ImportMapping`).

Rules of an import:
- A row whose id matches a list entry of the community (its external id, or the ``N12`` /
  ``R12`` an export writes for an entry without one) updates that entry; other rows create.
  Rows without an id always create.
- Only the columns present in the file change an existing entry; an empty cell clears it.
- A new need's deadline may not be in the past, and neither may the deadline of a need the
  file changes.
- Nothing is written unless every row is valid, or the caller asks for the valid rows only.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from django.db import IntegrityError, connection, transaction
from django.db.models import Avg, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core import versions
from wulian.core.batch import collector_paused
from wulian.core.bounds import MAX_INT, parse_int
from wulian.core.errors import DomainError, NotAllowed
from wulian.core.sheets import csv_values, xlsx_append
from wulian.core.text import FORMULA_START, clean_text, fold, to_traditional
from wulian.lists import import_words as words
from wulian.lists import services, xlsx_reader
from wulian.lists.models import Category, ImportMapping, Need, PartyKind, Project, Resource, Tag

# The services' own helpers, so that a bulk import stores what a page edit would.
from wulian.lists.services.common import _search_text as search_text
from wulian.lists.services.resources import _resource_fields as resource_fields
from wulian.lists.xlsx_reader import XlsxFormatError, XlsxTooLarge, read_first_sheet
from wulian.orgs.models import Organization
from wulian.places.models import Compound, Region

Cell = str | int | float | Decimal | datetime.date | None

IMPORT_KINDS: tuple[str, ...] = ("needs", "resources")
EXPORT_KINDS: tuple[str, ...] = ("needs", "resources", "projects")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
HEADER_SEARCH_ROWS = 10
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

audit.register_actions({"lists.imported": gettext_lazy("imported a list")})


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese label: part of the file format, not translated
    required: bool = False


ID = Column("id", "编号")
TITLE = Column("title", "标题", required=True)
DESCRIPTION = Column("description", "描述")
CATEGORY = Column("category", "类别")
TAGS = Column("tags", "标签")
STATE = Column("state", "状态")

NEED_COLUMNS: tuple[Column, ...] = (
    ID,
    TITLE,
    DESCRIPTION,
    CATEGORY,
    Column("compound", "小区"),
    Column("raised_by", "提出方"),
    Column("beneficiaries", "受益人数"),
    Column("deadline", "截止日期"),
    Column("urgency", "紧急程度"),
    TAGS,
)
RESOURCE_COLUMNS: tuple[Column, ...] = (
    ID,
    TITLE,
    DESCRIPTION,
    CATEGORY,
    Column("provider", "提供方"),
    Column("provider_kind", "单位类型"),
    Column("capacity", "容量"),
    Column("service_area", "服务范围"),
    Column("availability", "可服务时间"),
    TAGS,
)
PROJECT_COLUMNS: tuple[Column, ...] = (
    ID,
    Column("need", "需求标题"),
    Column("claimant", "认领方"),
    Column("claimant_kind", "认领方类型"),
    STATE,
    Column("started", "开始日期"),
    Column("completed", "完成日期"),
    Column("people_served", "服务人数"),
    Column("volunteer_hours", "志愿服务时长（小时）"),
    Column("money", "资金（元）"),
    Column("rating", "平均评分"),
)

PARTY_WORDS: dict[str, str] = {
    "居民": PartyKind.RESIDENT,
    "社区": PartyKind.COMMUNITY,
    "企业": PartyKind.ENTERPRISE,
    "学校": PartyKind.SCHOOL,
    "机关": PartyKind.AGENCY,
    "社会组织": PartyKind.SOCIAL_ORGANIZATION,
    "志愿服务队": PartyKind.VOLUNTEER_TEAM,
}
PARTY_LABELS: dict[str, str] = {value: word for word, value in PARTY_WORDS.items()}
URGENCY_WORDS: dict[str, int] = {
    "一般": Need.Urgency.NORMAL,
    "较急": Need.Urgency.PRESSING,
    "紧急": Need.Urgency.URGENT,
}
URGENCY_LABELS: dict[int, str] = {value: word for word, value in URGENCY_WORDS.items()}
_PARTY_VALUES: frozenset[str] = frozenset(PartyKind.values)
_CATEGORY_SEPARATOR = re.compile(r"\s*[·/>＞、|]\s*")
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*(?:月\s*(\d{1,2})\s*[日号]?|/\s*(\d{1,2}))$")
_PK_ID = {"needs": re.compile(r"^N([1-9]\d*)$"), "resources": re.compile(r"^R([1-9]\d*)$")}
_NOTE_IN_HEADER = re.compile(r"[(（\[【].*?[)）\]】]$")
_YEAR_IN_TITLE = re.compile(r"(20\d\d)\s*年")


def columns_for(kind: str) -> tuple[Column, ...]:
    if kind == "needs":
        return NEED_COLUMNS
    if kind == "resources":
        return RESOURCE_COLUMNS
    if kind == "projects":
        return PROJECT_COLUMNS
    raise DomainError("import.bad_kind", _("Unknown list: %(kind)s.") % {"kind": kind})


def _header_key(text: str) -> str:
    key = re.sub(r"[\s*:：]", "", fold(text))
    without_note = _NOTE_IN_HEADER.sub("", key)
    return without_note or key


@dataclass(frozen=True)
class Headers:
    """Another importer's header words, for reading its files with this reader's conventions
    (a title above the header, footers, both scripts, merged cells): folded header text →
    column key, and the column whose header marks the header row."""

    index: Mapping[str, str | None]
    anchor: str

    @classmethod
    def of(cls, words_by_key: Mapping[str, Iterable[str]], anchor: str) -> Headers:
        return cls(
            {_header_key(word): key for key, labels in words_by_key.items() for word in labels},
            anchor,
        )

    def key_of(self, header: str) -> str | None:
        return self.index.get(_header_key(header))


Kind = str | Headers | None


def header_index(kind: Kind) -> dict[str, str | None]:
    """Folded header text → column key (None for a known column that is not imported)."""
    if isinstance(kind, Headers):
        return dict(kind.index)
    kinds = [kind] if kind else list(IMPORT_KINDS)
    index: dict[str, str | None] = {
        _header_key(label): None for label in words.KNOWN_IGNORED_HEADERS
    }
    for one in kinds:
        for column in columns_for(one):
            for label in (column.key, column.label, *words.HEADER_VARIANTS.get(column.key, ())):
                index[_header_key(label)] = column.key
    return index


# ---------------------------------------------------------------- reading


class ImportFileError(DomainError):
    """The file as a whole cannot be imported: wrong type, unreadable, too big, no title column."""


SkipReason = Literal["title", "blank", "footer"]


@dataclass(frozen=True)
class SkippedRow:
    """A row that is not a list entry: the sheet's title or notes, a blank row, a footer."""

    row: int
    reason: SkipReason
    text: str = ""

    @property
    def reason_label(self) -> str:
        labels = {
            "title": _("title or note above the header"),
            "blank": _("blank row"),
            "footer": _("total or note below the list"),
        }
        return labels[self.reason]


@dataclass
class Table:
    """The first sheet of a file: its header cells as written, and its list rows."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number as the spreadsheet shows it, cells)
    header_row: int = 1
    skipped: list[SkippedRow] = field(default_factory=list)
    encoding: str = ""
    title: str = ""  # the text of the rows above the header (the sheet's title), if any


def _cell_to_json(cell: Any) -> Any:
    if isinstance(cell, datetime.datetime):
        return {"datetime": cell.isoformat()}
    if isinstance(cell, datetime.date):
        return {"date": cell.isoformat()}
    if cell is None or isinstance(cell, str | int | float | bool):
        return cell
    return str(cell)  # a time, a duration, a decimal: as the sheet shows it


def _cell_from_json(cell: Any) -> Any:
    if isinstance(cell, dict):
        if "datetime" in cell:
            return datetime.datetime.fromisoformat(cell["datetime"])
        return datetime.date.fromisoformat(cell["date"])
    return cell


def table_to_json(table: Table) -> str:
    """The table as JSON, to keep between the steps of an import instead of reading the file
    again; `table_from_json` gives it back with its dates."""
    return json.dumps(
        {
            "headers": table.headers,
            "rows": [[n, [_cell_to_json(c) for c in cells]] for n, cells in table.rows],
            "header_row": table.header_row,
            "skipped": [[r.row, r.reason, r.text] for r in table.skipped],
            "encoding": table.encoding,
            "title": table.title,
        },
        ensure_ascii=False,
    )


def table_from_json(text: str) -> Table:
    data = json.loads(text)
    return Table(
        headers=[str(h) for h in data["headers"]],
        rows=[(int(n), [_cell_from_json(c) for c in cells]) for n, cells in data["rows"]],
        header_row=int(data["header_row"]),
        skipped=[SkippedRow(int(r), reason, str(t)) for r, reason, t in data["skipped"]],
        encoding=str(data["encoding"]),
        title=str(data["title"]),
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _row_text(cells: Sequence[Any]) -> str:
    return " ".join(_text(cell) for cell in cells if not _blank(cell))[:200]


_FOOTER_PREFIXES = tuple(words.FOOTER_PREFIXES)
# The first characters footers start with, in either script and width: most rows are
# passed over on one set lookup, without folding their text.
_FOOTER_FIRST = frozenset(
    char
    for prefix in words.FOOTER_PREFIXES
    for char in (prefix[0], to_traditional(prefix)[0], unicodedata.normalize("NFKC", prefix)[0])
)


def _is_footer(cells: Sequence[Any]) -> bool:
    first = None
    for cell in cells:
        if cell is not None and cell != "":
            first = cell
            break
    if not isinstance(first, str):
        return False
    stripped = first.strip()
    if not stripped or stripped[0] not in _FOOTER_FIRST:
        return False
    text = _value_key(stripped[:12])
    return bool(text) and text[0] in _FOOTER_FIRST and text.startswith(_FOOTER_PREFIXES)


def _header_score(
    cells: Sequence[Any], index: Mapping[str, str | None], anchor: str = "title"
) -> tuple[int, bool]:
    keys: set[str] = set()
    known = 0
    for cell in cells:
        if isinstance(cell, str) and cell.strip():
            header = _header_key(cell)
            if header in index:
                known += 1
                key = index[header]
                if key is not None:
                    keys.add(key)
    return known, anchor in keys


def _find_header(rows: list[tuple[int, list[Any]]], kind: Kind) -> int:
    """The position in `rows` of the header row (0 when nothing looks like one)."""
    index = header_index(kind)
    anchor = kind.anchor if isinstance(kind, Headers) else "title"
    best, best_score = 0, 0
    for position, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        known, has_title = _header_score(cells, index, anchor)
        score = known + (2 if has_title else 0)
        if score > best_score and (known >= 2 or has_title):
            best, best_score = position, score
    return best


def _finish(
    raw_rows: Iterable[tuple[int, Sequence[Any]]],
    kind: Kind = None,
    merged: Sequence[tuple[int, int, int, int]] = (),
    encoding: str = "",
) -> Table:
    filled = [
        (number, cells if type(cells) is list else list(cells))
        for number, cells in raw_rows
        if cells and (not _blank(cells[0]) or not all(map(_blank, cells)))
    ]
    if not filled:
        raise ImportFileError("import.empty", _("The file is empty."))
    _check_cell_lengths(filled)
    position = _find_header(filled, kind)
    header_number, header_cells = filled[position]
    skipped = [SkippedRow(number, "title", _row_text(cells)) for number, cells in filled[:position]]
    title = " ".join(row.text for row in skipped)
    body = filled[position + 1 :]
    by_number = {number: cells for number, cells in body}
    for top, left, bottom, _right in merged:
        if top <= header_number or bottom == top:
            continue  # a merged title, or a cell merged across one row only
        source = by_number.get(top)
        value = source[left] if source is not None and left < len(source) else None
        if _blank(value):
            continue
        for number in range(top + 1, bottom + 1):
            cells = by_number.get(number)
            if cells is None:
                continue
            if left >= len(cells):
                cells.extend([None] * (left - len(cells) + 1))
            if _blank(cells[left]):
                cells[left] = value
    rows: list[tuple[int, list[Any]]] = []
    previous = header_number
    for number, cells in body:
        skipped.extend(SkippedRow(blank, "blank") for blank in range(previous + 1, number))
        previous = number
        if _is_footer(cells):
            skipped.append(SkippedRow(number, "footer", _row_text(cells)))
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                "import.too_many_rows",
                _("The file has more than %(n)d rows; split it into smaller files.")
                % {"n": MAX_ROWS},
            )
        rows.append((number, cells))
    # Blank rows after the last entry are the sheet's end, not worth a mention.
    last = rows[-1][0] if rows else header_number
    skipped = [row for row in skipped if row.reason != "blank" or row.row < last]
    headers = ["" if cell is None else _text(cell) for cell in header_cells]
    return Table(headers, rows, header_number, skipped, encoding, title)


def _check_cell_lengths(rows: list[tuple[int, list[Any]]]) -> None:
    limit = xlsx_reader.MAX_CELL_CHARS
    for number, cells in rows:
        for position, cell in enumerate(cells):
            if type(cell) is str and len(cell) > limit:
                raise ImportFileError(
                    "import.too_large_cell",
                    _("Row %(row)d, column %(column)s holds more than %(n)d characters.")
                    % {"row": number, "column": get_column_letter(position + 1), "n": limit},
                )


def _unreadable() -> ImportFileError:
    return ImportFileError("import.unreadable", _("The file could not be read as a spreadsheet."))


def _too_large(exc: XlsxTooLarge) -> ImportFileError:
    messages = {
        "unpacked": _(
            "The spreadsheet unpacks to more than %(n)d MB, far more than a list holds. Copy the "
            "list alone into a new file and upload that."
        ),
        "rows": _(
            "The sheet has more than %(n)d rows, blank ones included. Delete the empty rows "
            "below the list (or copy the list into a new sheet) and upload it again."
        ),
        "cells": _(
            "The sheet has more than %(n)d cells, blank ones included. Delete the empty rows "
            "and columns around the list and upload it again."
        ),
        "cell": _(
            "A cell holds more than %(n)d characters, more than Excel allows; check the file."
        ),
    }
    limit = exc.limit // (1024 * 1024) if exc.what == "unpacked" else exc.limit
    return ImportFileError(f"import.too_large_{exc.what}", messages[exc.what] % {"n": limit})


def _read_xlsx(data: bytes, kind: Kind) -> Table:
    try:
        sheet = read_first_sheet(data, MAX_ROWS)
    except XlsxTooLarge as exc:
        raise _too_large(exc) from exc
    except (XlsxFormatError, ValueError, KeyError, IndexError, UnicodeDecodeError):
        return _read_xlsx_with_openpyxl(data, kind)
    return _finish(sheet.rows, kind, sheet.merged)


def _read_xlsx_with_openpyxl(data: bytes, kind: Kind) -> Table:
    """The slow, thorough reader, for files the fast one does not understand."""
    import openpyxl

    try:
        xlsx_reader.check_workbook(data)
    except XlsxTooLarge as exc:
        raise _too_large(exc) from exc
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _unreadable() from exc
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged file
        raise _unreadable() from exc
    try:
        sheet = workbook.worksheets[0]
        merged = [
            (r.min_row, r.min_col - 1, r.max_row, r.max_col - 1) for r in sheet.merged_cells.ranges
        ]
        rows = [
            (number, [clean_text(c) if isinstance(c, str) else c for c in cells])
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        return _finish(rows, kind, merged)
    except ImportFileError:
        raise
    except Exception as exc:
        raise _unreadable() from exc
    finally:
        workbook.close()


def _plausible(text: str) -> float:
    """The share of Chinese characters that are common ones (in GB2312 once simplified).

    Text read in the wrong encoding is full of rare characters; real text hardly has any.
    """
    chinese = [ch for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"]
    if not chinese:
        return 1.0
    common = 0
    for ch in chinese:
        try:
            fold(ch).encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / len(chinese)


def _utf16(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    sample = data[:2000]
    if len(sample) >= 4 and sample.count(0) > len(sample) // 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        return data.decode("utf-16-le" if odd > even else "utf-16-be")
    return None


def _decode_csv(data: bytes, kind: Kind = None) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in."""
    try:
        text = _utf16(data)
        if text is not None:
            return text.lstrip("\ufeff"), "UTF-16"
    except UnicodeDecodeError as exc:
        raise _bad_encoding() from exc
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as exc:
            raise _bad_encoding() from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    # GB18030 decodes nearly any bytes; Big5 (traditional Windows) decodes many. Keep the one
    # whose header is recognised and whose characters are plausible; refuse when neither is.
    index = header_index(kind)
    candidates: list[tuple[tuple[int, float], str, str]] = []
    for codec, label in (("gb18030", "GB18030"), ("big5", "Big5")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        head = text[:4000]
        header_hits = max(
            (_header_score(re.split(r"[,\t;]", line), index)[0] for line in head.splitlines()[:10]),
            default=0,
        )
        candidates.append(((min(header_hits, 3), _plausible(text[:20000])), text, label))
    if candidates:
        (hits, plausible), text, label = max(candidates, key=lambda c: c[0])
        if plausible >= 0.9 or (hits >= 2 and plausible >= 0.75):
            return text, label
    raise _bad_encoding()


def _bad_encoding() -> ImportFileError:
    return ImportFileError(
        "import.bad_encoding",
        _(
            "The CSV file's characters could not be read with certainty (it is not UTF-8, "
            "GB18030 or UTF-16 text). Save it again as “CSV UTF-8” or as .xlsx and upload it."
        ),
    )


def _read_csv(data: bytes, kind: Kind) -> Table:
    text, encoding = _decode_csv(data, kind)
    text = clean_text(text)  # no control characters, as everywhere text enters
    if text.count("\n") > xlsx_reader.MAX_SHEET_ROWS:
        raise _too_large(XlsxTooLarge("rows", xlsx_reader.MAX_SHEET_ROWS))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _finish(enumerate(reader, start=1), kind, encoding=encoding)
    except csv.Error as exc:
        raise _unreadable() from exc


def read_table(filename: str, data: bytes, kind: Kind = None) -> Table:
    """Read the first sheet of an .xlsx file, or a .csv file, into a `Table`.

    `kind` ("needs" or "resources") narrows the labels the header row is looked for by;
    another app's importer passes its own `Headers`.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            "import.too_large",
            _("The file is larger than %(n)d MB.") % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    name = filename.lower()
    if name.endswith(".xls"):
        raise ImportFileError(
            "import.old_excel",
            _("This is an old Excel file (.xls); save it as .xlsx or .csv and upload it again."),
        )
    if name.endswith((".xlsx", ".xlsm")):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise _unreadable()
        return _read_xlsx(data, kind)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data, kind)
    raise ImportFileError("import.bad_type", _("Only .xlsx and .csv files can be imported."))


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the header as written in the file; "" when the whole row is concerned
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("row %(row)d, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ValueNote:
    """Something the importer decided about a value and says, once for all rows it concerns."""

    column: str
    value: str
    message: str
    rows: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        params = {
            "column": self.column,
            "value": self.value,
            "rows": _row_list(self.rows),
            "message": self.message,
        }
        if not self.value:
            return _("column %(column)s (rows %(rows)s): %(message)s") % params
        return _("column %(column)s, %(value)s (rows %(rows)s): %(message)s") % params


def _row_list(rows: Sequence[int], limit: int = 12) -> str:
    shown = "、".join(str(row) for row in rows[:limit])
    return shown + ("…" if len(rows) > limit else "")


# What a value written in a file means, as the mapping step answers it:
# "map:<id>" (an existing compound, category, region or organisation), "create" (a new
# compound or category of that name), "empty" (leave the field empty), "keep" (a provider's
# name as written, for a person or a unit the platform does not know).
Answer = str
FIELDS: dict[str, str] = {  # column key → the field a question is about
    "compound": ImportMapping.Field.COMPOUND,
    "category": ImportMapping.Field.CATEGORY,
    "service_area": ImportMapping.Field.AREA,
    "provider": ImportMapping.Field.ORGANIZATION,
}


def answer_key(field_name: str, value: str) -> str:
    """The key of a value's answer: the field and the value folded ("compound|42号小区")."""
    return f"{field_name}|{_value_key(value)}"


@functools.lru_cache(maxsize=65536)
def _value_key(value: str) -> str:
    return re.sub(r"\s", "", fold(value))


@dataclass
class Question:
    """A value the importer could not resolve, listed once with the rows it appears in."""

    field_name: str
    column: str
    value: str
    ambiguous: bool
    candidates: list[tuple[Answer, str]]  # (answer, label), the likeliest first
    suggested: Answer = ""
    can_create: bool = False
    can_keep: bool = False  # a provider may stay a name as written
    rows: list[int] = field(default_factory=list)

    @property
    def key(self) -> str:
        return answer_key(self.field_name, self.value)

    @property
    def blocking(self) -> bool:
        """Rows wait for an answer (an unknown provider does not: it stays a name)."""
        return not self.can_keep or self.ambiguous

    @property
    def field_label(self) -> str:
        return str(ImportMapping.Field(self.field_name).label)

    @property
    def rows_text(self) -> str:
        return _row_list(self.rows)


@dataclass(frozen=True)
class UsedAnswer:
    """An answer the import applies: given now, or remembered from an earlier import."""

    field_name: str
    value: str
    answer: Answer
    label: str  # what the value was taken to mean, for people
    remembered: bool
    rows: int


Action = Literal["create", "update", "unchanged"]


@dataclass
class PlannedRow:
    row: int
    action: Action
    external_id: str
    title: str
    target: Need | Resource | None = None  # the entry a row updates, as read when checking
    need: services.NeedInput | None = None
    resource: services.ResourceInput | None = None
    options: dict[str, Any] = field(default_factory=dict)
    to_create: dict[str, str] = field(default_factory=dict)  # field → name of a new object


@dataclass
class ImportReport:
    kind: str
    community_id: int
    total_rows: int = 0
    rows: list[PlannedRow] = field(default_factory=list)  # the valid rows
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    notes: list[ValueNote] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: list[SkippedRow] = field(default_factory=list)  # not list entries
    header_row: int = 1
    encoding: str = ""
    questions: list[Question] = field(default_factory=list)
    used_answers: list[UsedAnswer] = field(default_factory=list)
    given_answers: dict[str, Answer] = field(default_factory=dict)
    applied: bool = False
    created: int = 0
    updated: int = 0

    def _with(self, action: Action) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def to_create(self) -> list[PlannedRow]:
        return self._with("create")

    @property
    def to_update(self) -> list[PlannedRow]:
        return self._with("update")

    @property
    def unchanged(self) -> list[PlannedRow]:
        return self._with("unchanged")

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})

    @property
    def skipped(self) -> list[tuple[int, list[RowError]]]:
        """The rows left out, each with its reasons (all rows with errors)."""
        by_row: dict[int, list[RowError]] = {}
        for error in self.errors:
            by_row.setdefault(error.row, []).append(error)
        return sorted(by_row.items())

    @property
    def open_questions(self) -> list[Question]:
        return [question for question in self.questions if question.blocking]


# ---------------------------------------------------------------- reading values


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]  # the quote an export puts before text that looks like a formula
    return text


def _limited(value: str, limit: int) -> str:
    if len(value) > limit:
        raise _Invalid(_("Keep this under %(n)d characters.") % {"n": limit})
    return value


def _one_of(value: str, choices: Mapping[str, Any], english: Iterable[str] = ()) -> Any:
    key = fold(value).replace(" ", "")
    for word, result in choices.items():
        if key == fold(word):
            return result
    if key in set(english):  # the stored value itself, e.g. "school"
        return key
    raise _Invalid(
        _("“%(value)s” is not one of: %(choices)s.")
        % {"value": value, "choices": "、".join(choices)}
    )


def parse_yes_no(value: Any) -> bool | None:
    """是/否, ✓/✗, yes/no, 1/0 as people tick a column; None for an empty cell."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    key = unicodedata.normalize("NFKC", _text(value)).strip().lower()
    if key in {fold(word) for word in words.YES_WORDS} or key in words.YES_WORDS:
        return True
    if key in {fold(word) for word in words.NO_WORDS} or key in words.NO_WORDS:
        return False
    raise _Invalid(_("“%(value)s” is neither yes (是, ✓) nor no (否).") % {"value": value})


def parse_urgency(value: Any) -> int:
    text = _text(value)
    if not text:
        return Need.Urgency.NORMAL
    try:
        return int(_one_of(text, URGENCY_WORDS))
    except _Invalid:
        try:
            ticked = parse_yes_no(text)
        except _Invalid:
            ticked = None
        if ticked is not None:
            return Need.Urgency.URGENT if ticked else Need.Urgency.NORMAL
        raise


_NUMBER = re.compile(r"^(\d+)$")


def parse_whole_number(value: Any) -> int | None:
    """A count as people write it: 30, ３０, 1,200, 30人, 约40人次, 50余户, 100人左右."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise _Invalid(_("Write a whole number, 0 or more."))
    if isinstance(value, int | float | Decimal):
        if value != int(value) or value < 0:
            raise _Invalid(_("Write a whole number, 0 or more."))
        number = int(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
        for prefix in words.NUMBER_PREFIXES:
            if text.startswith(prefix):
                text = text[len(prefix) :]
                break
        stripped = True
        while stripped:
            stripped = False
            for suffix in words.NUMBER_SUFFIXES:
                if text.endswith(suffix) and len(text) > len(suffix):
                    text = text[: -len(suffix)]
                    stripped = True
        if not _NUMBER.match(text):
            raise _Invalid(_("Write a whole number, 0 or more."))
        number = int(text)
    if number > 2_000_000_000:
        raise _Invalid(_("Write a whole number, 0 or more."))
    return number


def read_date(value: Any, today: datetime.date | None = None) -> tuple[datetime.date | None, bool]:
    """A date, and whether its year was inferred (12月5日: the next 5 December from today)."""
    if _blank(value):
        return None, False
    if isinstance(value, datetime.datetime):
        return value.date(), False
    if isinstance(value, datetime.date):
        return value, False
    text = unicodedata.normalize("NFKC", _text(value)).strip()
    if re.fullmatch(r"(19|20)\d{6}", text):  # 20261205
        try:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:])), False
        except ValueError:
            pass
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif re.fullmatch(r"\d{5}(\.\d+)?", text):  # a day number kept as text (1927–2173)
        number = float(text)
    if number is not None and 1 <= number < 2958466:
        from openpyxl.utils.datetime import from_excel

        converted = from_excel(number)  # an Excel day number whose format was lost
        if isinstance(converted, datetime.datetime):
            return converted.date(), False
        if isinstance(converted, datetime.date):
            return converted, False
    match = _DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups())), False
        except ValueError:
            pass
    match = _MONTH_DAY.match(text)
    if match:
        month, day = int(match.group(1)), int(match.group(2) or match.group(3))
        today = today or timezone.localdate()
        for year in (today.year, today.year + 1):
            try:
                candidate = datetime.date(year, month, day)
            except ValueError:
                break
            if candidate >= today:
                return candidate, True
    raise _Invalid(_("“%(value)s” is not a date; write it like 2025-06-30.") % {"value": text})


def parse_date(value: Any) -> datetime.date | None:
    """An Excel date cell or day number, or text like 2025-06-30, 2025/6/30, 2025.6.30,
    2025年6月30日 or 6月30日 (the next 30 June)."""
    return read_date(value)[0]


def parse_party(value: Any) -> str:
    """Who raised or offers something: 居民, 学校, 企业… ("" for an empty cell)."""
    text = _text(value)
    return str(_one_of(text, PARTY_WORDS, _PARTY_VALUES)) if text else ""


# Parsers whose result depends on the cell alone: an import reads each distinct value once.
_PURE_PARSERS = frozenset({parse_whole_number, parse_urgency, parse_party, _text})


# ---------------------------------------------------------------- resolving names


@dataclass(frozen=True)
class _Create:
    """A compound or category the mapping step chose to create under the name written."""

    field: str
    name: str


def _strip_region_suffix(key: str) -> str:
    for suffix in words.REGION_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix)]
    return key


def _by_names(items: Iterable[tuple[Any, Iterable[str]]]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for item, names in items:
        for name in {_value_key(name) for name in names if name}:
            found.setdefault(name, []).append(item)
    return found


class _Lookups:
    """Categories, compounds, regions and organisations, loaded once per import; and the
    questions of the mapping step, with the answers already given or remembered."""

    def __init__(
        self,
        community: Region,
        answers: Mapping[str, Answer] | None = None,
        *,
        can_create: frozenset[str] = frozenset(),
    ) -> None:
        self.community = community
        self.given = dict(answers or {})
        self.remembered: dict[str, Answer] = {}
        for mapping in ImportMapping.objects.filter(community=community):
            target = (
                mapping.compound_id or mapping.category_id or mapping.region_id
            ) or mapping.organization_id
            self.remembered[f"{mapping.field}|{mapping.key}"] = (
                f"map:{target}" if mapping.choice == ImportMapping.Choice.MAP else mapping.choice
            )
        self.can_create = can_create
        self.where: tuple[int, str] = (0, "")
        self.today = timezone.localdate()
        self.parsed: dict[tuple[Any, type, Any], Any] = {}  # pure parsers' results by cell value
        self.questions: dict[str, Question] = {}
        self.used: dict[str, tuple[Answer, str, bool, list[int]]] = {}
        self.notes: dict[tuple[str, str], ValueNote] = {}

        categories = list(Category.objects.filter(is_active=True).select_related("parent"))
        self.categories = {c.pk: c for c in categories}
        self.categories_by_name: dict[str, list[Category]] = {}
        self.categories_by_path: dict[tuple[str, str], Category] = {}
        for category in categories:
            self.categories_by_name.setdefault(_value_key(category.name), []).append(category)
            if category.parent is not None:
                key = (_value_key(category.parent.name), _value_key(category.name))
                self.categories_by_path[key] = category
        compounds = list(community.compounds.all())
        self.compounds = {c.pk: c for c in compounds}
        self.compound_names = _by_names((c, c.known_names) for c in compounds)
        self.ancestors = community.ancestors()
        root = self.ancestors[0] if self.ancestors else community
        self.root = root
        region_list = list(Region.objects.filter(path__startswith=root.path))
        self.region_objects = {r.pk: r for r in region_list}
        self.regions = _by_names(
            (r, [r.name, _strip_region_suffix(_value_key(r.name))]) for r in region_list
        )
        district = next((r for r in self.ancestors if r.level == Region.Level.DISTRICT), community)
        organizations = list(
            Organization.objects.filter(region__path__startswith=district.path, is_active=True)
        )
        self.organizations = {org.pk: org for org in organizations}
        self.organization_names = _by_names(
            (org, [org.name, org.short_name]) for org in organizations
        )

    # -- the mapping step

    def _answer(self, field_name: str, value: str) -> tuple[Answer, bool] | None:
        key = answer_key(field_name, value)
        if key in self.given:
            return self.given[key], False
        if key in self.remembered:
            return self.remembered[key], True
        return None

    def _use(
        self, field_name: str, value: str, answer: Answer, label: str, remembered: bool
    ) -> None:
        key = answer_key(field_name, value)
        entry = self.used.setdefault(key, (answer, label, remembered, []))
        entry[3].append(self.where[0])

    def _ask(
        self,
        field_name: str,
        value: str,
        *,
        ambiguous: bool,
        candidates: Sequence[tuple[Answer, str]],
        suggested: Answer = "",
        can_keep: bool = False,
    ) -> None:
        key = answer_key(field_name, value)
        question = self.questions.get(key)
        if question is None:
            question = self.questions[key] = Question(
                field_name=field_name,
                column=self.where[1],
                value=value,
                ambiguous=ambiguous,
                candidates=list(candidates),
                suggested=suggested,
                can_create=field_name in self.can_create and not ambiguous,
                can_keep=can_keep,
            )
        question.rows.append(self.where[0])

    def _apply(self, field_name: str, value: str, targets: Mapping[int, Any]) -> tuple[bool, Any]:
        """(True, what the answer means) when the value has a usable answer."""
        found = self._answer(field_name, value)
        if found is None:
            return False, None
        answer, remembered = found
        result: Any
        if answer == "empty":
            result, label = None, _("left empty")
        elif answer == "keep" and field_name == ImportMapping.Field.ORGANIZATION:
            result, label = value, _("kept as written")
        elif answer == "create" and field_name in self.can_create:
            result, label = _Create(field_name, value), _("created")
        elif answer.startswith("map:") and answer[4:].isdigit() and int(answer[4:]) in targets:
            result = targets[int(answer[4:])]
            label = str(result)
        else:
            return False, None  # an answer that no longer fits: ask again
        self._use(field_name, value, answer, label, remembered)
        return True, result

    def note(self, message: str) -> None:
        row, column = self.where
        entry = self.notes.get((column, message))
        if entry is None:
            entry = self.notes[(column, message)] = ValueNote(column, "", message)
        entry.rows.append(row)

    # -- the fields

    def category(self, value: str) -> Category | _Create | None:
        if not value:
            return None
        key = _value_key(value)
        parts = _CATEGORY_SEPARATOR.split(key)
        if len(parts) == 2:
            found = self.categories_by_path.get((parts[0], parts[1]))
            if found is not None:
                return found
        matches = self.categories_by_name.get(key, [])
        if len(matches) == 1:
            return matches[0]
        top = [c for c in matches if c.parent_id is None]
        if len(top) == 1:
            return top[0]
        answered, result = self._apply(ImportMapping.Field.CATEGORY, value, self.categories)
        if answered:
            return result
        if matches:
            self._ask(
                ImportMapping.Field.CATEGORY,
                value,
                ambiguous=True,
                candidates=[(f"map:{c.pk}", str(c)) for c in matches],
            )
            raise _Invalid(
                _("Several categories are called “%(value)s” (%(names)s); write it as %(example)s.")
                % {
                    "value": value,
                    "names": "、".join(str(c) for c in matches),
                    "example": str(matches[0]),
                }
            )
        self._ask(
            ImportMapping.Field.CATEGORY,
            value,
            ambiguous=False,
            candidates=[(f"map:{c.pk}", str(c)) for c in self.categories.values()],
        )
        raise _Invalid(
            _("“%(value)s” is not a known category; choose what it means in the mapping step.")
            % {"value": value}
        )

    def category_label(self, category: Category) -> str:
        if len(self.categories_by_name.get(_value_key(category.name), [])) > 1:
            return str(category)
        return category.name

    def compound(self, value: str) -> Compound | _Create | None:
        if not value:
            return None
        key = _value_key(value)
        matches = self.compound_names.get(key, [])
        if len(matches) == 1:
            return matches[0]
        answered, result = self._apply(ImportMapping.Field.COMPOUND, value, self.compounds)
        if answered:
            return result
        if matches:
            self._ask(
                ImportMapping.Field.COMPOUND,
                value,
                ambiguous=True,
                candidates=[(f"map:{c.pk}", c.name) for c in matches],
            )
            raise _Invalid(
                _("“%(value)s” could be any of these compounds: %(names)s; write its full name.")
                % {"value": value, "names": "、".join(c.name for c in matches)}
            )
        likely = [
            c
            for c in self.compounds.values()
            if len(key) >= 2 and any(key in _value_key(name) for name in c.known_names)
        ]
        others = [c for c in self.compounds.values() if c not in likely]
        self._ask(
            ImportMapping.Field.COMPOUND,
            value,
            ambiguous=False,
            candidates=[(f"map:{c.pk}", c.name) for c in [*likely, *others]],
            suggested=f"map:{likely[0].pk}" if len(likely) == 1 else "",
        )
        names = "、".join(c.name for c in self.compounds.values())
        raise _Invalid(
            _("“%(value)s” is not a compound of %(community)s (its compounds: %(names)s).")
            % {"value": value, "community": self.community.name, "names": names or "—"}
        )

    def region(self, value: str) -> Region | None:
        if not value:
            return None
        key = _value_key(value)
        level = words.RELATIVE_AREAS.get(key)
        if level is not None:
            found = next((r for r in self.ancestors if r.level == level), None)
            if found is not None:
                return found
        if key in words.WIDER_THAN_ANY_AREA:
            self.note(
                _("“%(value)s” is wider than any region here; recorded as %(root)s, the widest.")
                % {"value": value, "root": self.root.name}
            )
            return self.root
        matches = self.regions.get(key) or self.regions.get(_strip_region_suffix(key), [])
        if len(matches) == 1:
            return matches[0]
        near = [r for r in matches if r.is_within(self.community) or r.pk == self.community.pk]
        near = near or [r for r in matches if self.community.is_within(r)]
        if len(near) == 1:
            return near[0]
        answered, result = self._apply(ImportMapping.Field.AREA, value, self.region_objects)
        if answered:
            return result
        if matches:
            self._ask(
                ImportMapping.Field.AREA,
                value,
                ambiguous=True,
                candidates=[(f"map:{r.pk}", self._region_label(r)) for r in matches],
            )
            raise _Invalid(
                _("Several regions are called “%(value)s”: %(names)s.")
                % {"value": value, "names": "、".join(self._region_label(r) for r in matches)}
            )
        self._ask(
            ImportMapping.Field.AREA,
            value,
            ambiguous=False,
            candidates=[
                (f"map:{r.pk}", self._region_label(r))
                for r in [*reversed(self.ancestors), *self.region_objects.values()]
                if r.level != Region.Level.COMMUNITY or r.parent_id == self.community.parent_id
            ],
        )
        raise _Invalid(_("“%(value)s” is not a known region.") % {"value": value})

    def _region_label(self, region: Region) -> str:
        names = [
            self.region_objects[pk].name for pk in region.ancestor_ids if pk in self.region_objects
        ]
        return " / ".join(names)

    def organization(self, value: str) -> Organization | str:
        """The organisation written, or the name as written (a person, or a unit not on the
        platform); the mapping step can say which organisation a name means."""
        key = _value_key(value)
        matches = self.organization_names.get(key, [])
        if len(matches) == 1:
            return matches[0]
        answered, result = self._apply(ImportMapping.Field.ORGANIZATION, value, self.organizations)
        if answered:
            return result
        if matches:
            self._ask(
                ImportMapping.Field.ORGANIZATION,
                value,
                ambiguous=True,
                candidates=[(f"map:{org.pk}", org.name) for org in matches],
            )
            raise _Invalid(
                _(
                    "“%(value)s” could be any of these organisations: %(names)s; "
                    "write its full name."
                )
                % {"value": value, "names": "、".join(org.name for org in matches)}
            )
        likely = [
            org
            for org in self.organizations.values()
            if len(key) >= 2 and (key in _value_key(org.name) or _value_key(org.name) in key)
        ]
        self._ask(
            ImportMapping.Field.ORGANIZATION,
            value,
            ambiguous=False,
            candidates=[
                (f"map:{org.pk}", org.name)
                for org in [*likely, *(o for o in self.organizations.values() if o not in likely)]
            ],
            suggested="keep",
            can_keep=True,
        )
        return value


# ---------------------------------------------------------------- checking rows


def _existing(
    kind: str, community: Region, ids: list[str], lookups: _Lookups
) -> dict[str, Need | Resource]:
    """Entries of the community that rows with these ids update, by id.

    Read without joins: categories, compounds and areas come from the lookups already loaded,
    the tags from one query of the link table; thousands of entries load in one pass.
    """
    model: Any = Need if kind == "needs" else Resource
    entries: QuerySet[Any] = model.objects.filter(community=community)
    if kind == "resources":
        entries = entries.select_related("provider_org", "provider_user")
    wanted = set(ids)
    known = entries.exclude(external_id="")
    matched = [pk for pk, text in known.values_list("pk", "external_id") if text in wanted]
    found: dict[str, Need | Resource] = {}
    if matched:
        # One query for the community's entries beats thousands of parameters in an IN list.
        narrowed = known if len(matched) >= 500 else known.filter(pk__in=matched)
        for obj in narrowed:
            if obj.external_id in wanted:
                found[obj.external_id] = obj
    pks = {
        int(match.group(1)): text
        for text in ids
        if text not in found and (match := _PK_ID[kind].match(text))
    }
    if pks:
        for obj in entries.filter(external_id="", pk__in=list(pks)):
            found[pks[obj.pk]] = obj
    if not found:
        return found
    objects: dict[int, Any] = {obj.pk: obj for obj in found.values()}
    for obj in objects.values():
        if obj.category_id in lookups.categories:
            obj.category = lookups.categories[obj.category_id]
        if isinstance(obj, Need) and obj.compound_id in lookups.compounds:
            obj.compound = lookups.compounds[obj.compound_id]
        if isinstance(obj, Resource) and obj.service_area_id in lookups.region_objects:
            obj.service_area = lookups.region_objects[obj.service_area_id]
        obj._import_tags = []
    through: Any = model.tags.through
    owner = "need_id" if kind == "needs" else "resource_id"
    links = through.objects.filter(**{f"{owner[:-3]}__community": community})
    if len(objects) < 500:
        links = links.filter(**{f"{owner}__in": list(objects)})
    for pk, name in links.values_list(owner, "tag__name"):
        if pk in objects:
            objects[pk]._import_tags.append(name)
    return found


def _tag_names(obj: Need | Resource) -> list[str]:
    names = getattr(obj, "_import_tags", None)
    if names is not None:
        return sorted(names)
    return sorted(tag.name for tag in obj.tags.all())


def _pk(obj: Any) -> int | None:
    return obj.pk if obj is not None and not isinstance(obj, _Create) else None


def _need_changed(need: Need, data: services.NeedInput) -> bool:
    return (
        data.title.strip() != need.title
        or data.description.strip() != need.description
        or (data.category.pk if data.category else None) != need.category_id
        or (data.compound.pk if data.compound else None) != need.compound_id
        or data.beneficiaries != need.beneficiaries
        or data.deadline != need.deadline
        or data.urgency != need.urgency
        or sorted(services.split_tags(data.tags)) != _tag_names(need)
    )


def _resource_changed(resource: Resource, data: services.ResourceInput) -> bool:
    return (
        data.title.strip() != resource.title
        or data.description.strip() != resource.description
        or (data.category.pk if data.category else None) != resource.category_id
        or data.capacity_text.strip() != resource.capacity_text
        or (data.service_area.pk if data.service_area else None) != resource.service_area_id
        or data.availability.strip() != resource.availability
        or sorted(services.split_tags(data.tags)) != _tag_names(resource)
    )


class _RowChecker:
    def __init__(
        self, report: ImportReport, lookups: _Lookups, number: int, cells: Mapping[str, Any]
    ) -> None:
        self.report = report
        self.lookups = lookups
        self.number = number
        self.cells = cells
        self.ok = True
        self.to_create: dict[str, str] = {}

    def has(self, key: str) -> bool:
        return key in self.cells

    def get(self, key: str, parse: Any, default: Any = None) -> Any:
        """The parsed cell, or `default` when the column is absent or the cell is invalid."""
        if key not in self.cells:
            return default
        header, raw = self.cells[key]
        self.lookups.where = (self.number, header)
        pure = parse in _PURE_PARSERS
        memo = self.lookups.parsed
        slot = (parse, type(raw), raw)
        if pure and slot in memo:
            value = memo[slot]
            if isinstance(value, _Invalid):
                self.fail(header, value.message)
                return default
            return value
        try:
            value = parse(raw)
        except _Invalid as exc:
            if pure:
                memo[slot] = exc
            self.fail(header, exc.message)
            return default
        if pure:
            memo[slot] = value
        if isinstance(value, _Create):
            self.to_create[key] = value.name
            return None
        return value

    def header(self, key: str) -> str:
        return str(self.cells[key][0]) if key in self.cells else ""

    def fail(self, column: str, message: str) -> None:
        self.ok = False
        self.report.errors.append(RowError(self.number, column, message))

    def warn(self, column: str, message: str) -> None:
        self.report.warnings.append(RowError(self.number, column, message))


def _deadline(lookups: _Lookups, today: datetime.date) -> Any:
    def parse(raw: Any) -> datetime.date | None:
        value, inferred = read_date(raw, today)
        if inferred and value is not None:
            lookups.note(
                _("no year written; read as %(date)s, the next such day.")
                % {"date": value.isoformat()}
            )
        return value

    return parse


def _plan_need(
    check: _RowChecker, lookups: _Lookups, existing: Need | None, external_id: str, title: str
) -> PlannedRow | None:
    base = (
        services.NeedInput(
            title=existing.title,
            description=existing.description,
            category=existing.category,
            tags=_tag_names(existing),
            compound=existing.compound,
            beneficiaries=existing.beneficiaries,
            deadline=existing.deadline,
            urgency=existing.urgency,
            channel=existing.channel,
            slots=existing.slots,
        )
        if existing is not None
        else services.NeedInput(title=title, channel=Need.Channel.IMPORT)
    )
    today = lookups.today
    changes: dict[str, Any] = {"title": title}
    if check.has("description"):
        changes["description"] = check.get("description", _text)
    if check.has("category"):
        changes["category"] = check.get("category", lambda v: lookups.category(_text(v)))
    if check.has("compound"):
        changes["compound"] = check.get("compound", lambda v: lookups.compound(_text(v)))
    if check.has("beneficiaries"):
        changes["beneficiaries"] = check.get("beneficiaries", parse_whole_number)
    if check.has("deadline"):
        changes["deadline"] = check.get("deadline", _deadline(lookups, today))
    if check.has("urgency"):
        changes["urgency"] = check.get("urgency", parse_urgency, Need.Urgency.NORMAL)
    if check.has("tags"):
        changes["tags"] = services.split_tags(_text(check.cells["tags"][1]))
    raiser_kind = check.get("raised_by", parse_party)
    data = replace(base, **changes)
    if not check.ok:
        return None
    if existing is None:
        if data.deadline is not None and data.deadline < today:
            check.fail(check.header("deadline"), _("The deadline has already passed."))
            return None
        options = {"raiser_kind": raiser_kind or None, "external_id": external_id}
        return PlannedRow(
            check.number, "create", external_id, title, need=data, options=options,
            to_create=check.to_create,
        )  # fmt: skip
    if not check.to_create and not _need_changed(existing, data):
        return PlannedRow(check.number, "unchanged", external_id, title, existing, need=data)
    if existing.state not in services.OPEN_STATES:
        check.fail(
            "",
            _("This need is already %(state)s; an import cannot change it.")
            % {"state": existing.get_state_display()},
        )
        return None
    if data.deadline is not None and data.deadline < today and data.deadline != existing.deadline:
        check.fail(check.header("deadline"), _("The deadline has already passed."))
        return None
    if raiser_kind and raiser_kind != existing.raiser_kind:
        check.warn(
            check.header("raised_by"),
            _("Who raised an existing need is not changed by an import."),
        )
    return PlannedRow(
        check.number, "update", external_id, title, existing, need=data, to_create=check.to_create
    )


def _plan_resource(
    check: _RowChecker,
    lookups: _Lookups,
    existing: Resource | None,
    external_id: str,
    title: str,
) -> PlannedRow | None:
    base = (
        services.ResourceInput(
            title=existing.title,
            description=existing.description,
            kind=existing.kind,
            category=existing.category,
            tags=_tag_names(existing),
            capacity_text=existing.capacity_text,
            service_area=existing.service_area,
            availability=existing.availability,
            weekdays=existing.weekdays,
            hours_from=existing.hours_from,
            hours_to=existing.hours_to,
        )
        if existing is not None
        else services.ResourceInput(title=title)
    )
    changes: dict[str, Any] = {"title": title}
    if check.has("description"):
        changes["description"] = check.get("description", _text)
    if check.has("category"):
        changes["category"] = check.get("category", lambda v: lookups.category(_text(v)))
    if check.has("capacity"):
        changes["capacity_text"] = check.get(
            "capacity", lambda v: _limited(unicodedata.normalize("NFKC", _text(v)), 100)
        )
    if check.has("service_area"):
        changes["service_area"] = check.get("service_area", lambda v: lookups.region(_text(v)))
    if check.has("availability"):
        changes["availability"] = check.get("availability", lambda v: _limited(_text(v), 200))
    if check.has("tags"):
        changes["tags"] = services.split_tags(_text(check.cells["tags"][1]))
    provider_text = check.get("provider", lambda v: _limited(_text(v), 150), "")
    provider: Organization | str = ""
    if provider_text:
        provider = check.get("provider", lambda v: lookups.organization(provider_text), "")
    provider_kind = check.get("provider_kind", parse_party, "")
    data = replace(base, **changes)
    if existing is None and not provider_text:
        check.fail(
            check.header("provider"),
            _("Name the organisation or person who offers this resource."),
        )
    if not check.ok:
        return None
    if existing is None:
        options: dict[str, Any] = {"external_id": external_id}
        if isinstance(provider, Organization):
            options["provider_org"] = provider
        else:
            options["provider_name"] = provider or provider_text
            options["provider_kind"] = provider_kind or PartyKind.RESIDENT
        return PlannedRow(
            check.number, "create", external_id, title, resource=data, options=options,
            to_create=check.to_create,
        )  # fmt: skip
    if not check.to_create and not _resource_changed(existing, data):
        return PlannedRow(check.number, "unchanged", external_id, title, existing, resource=data)
    provider_name = provider.name if isinstance(provider, Organization) else provider_text
    if (provider_name and fold(provider_name) != fold(existing.provider_display)) or (
        provider_kind and provider_kind != existing.provider_kind
    ):
        check.warn(
            check.header("provider") or check.header("provider_kind"),
            _("Who offers an existing resource is not changed by an import."),
        )
    return PlannedRow(
        check.number, "update", external_id, title, existing, resource=data,
        to_create=check.to_create,
    )  # fmt: skip


def _can_create(actor: Any, community: Region) -> frozenset[str]:
    if actor is None:
        return frozenset()
    allowed = set()
    if actor.has_perm("places.change_region", community):
        allowed.add(ImportMapping.Field.COMPOUND)
    if actor.has_perm("lists.manage_categories"):
        allowed.add(ImportMapping.Field.CATEGORY)
    return frozenset(allowed)


def plan_import(
    kind: str,
    community: Region,
    table: Table,
    *,
    answers: Mapping[str, Answer] | None = None,
    actor: Any = None,
) -> ImportReport:
    """Check every row of the table and say what importing it would do. Writes nothing.

    `answers` are the mapping step's answers (`answer_key` → answer); the community's
    remembered answers apply to the values they do not cover.
    """
    if kind not in IMPORT_KINDS:
        raise DomainError("import.bad_kind", _("Unknown list: %(kind)s.") % {"kind": kind})
    report = ImportReport(
        kind=kind,
        community_id=community.pk,
        total_rows=len(table.rows),
        skipped_rows=list(table.skipped),
        header_row=table.header_row,
        encoding=table.encoding,
        given_answers=dict(answers or {}),
    )
    index = header_index(kind)
    positions: dict[str, tuple[int, str]] = {}  # key -> (cell index, header as written)
    for position, header in enumerate(table.headers):
        if not header:
            continue
        key = index.get(_header_key(header))
        if key is None or key in positions:
            report.ignored_columns.append(header)
        else:
            positions[key] = (position, header)
    if "title" not in positions:
        raise ImportFileError(
            "import.no_title",
            _("The file has no “%(column)s” column.") % {"column": TITLE.label},
        )
    lookups = _Lookups(community, answers, can_create=_can_create(actor, community))
    ids = [
        _text(cells[positions["id"][0]])
        if "id" in positions and positions["id"][0] < len(cells)
        else ""
        for _number, cells in table.rows
    ]
    existing = _existing(kind, community, [i for i in ids if i], lookups)
    seen: dict[str, int] = {}
    for (number, cells), external_id in zip(table.rows, ids, strict=True):
        row_cells = {
            key: (header, cells[position] if position < len(cells) else None)
            for key, (position, header) in positions.items()
        }
        check = _RowChecker(report, lookups, number, row_cells)
        if len(external_id) > 50:
            check.fail(positions["id"][1], _("Keep the id under 50 characters."))
        elif external_id in seen:
            check.fail(
                positions["id"][1],
                _("The id %(id)s already appears in row %(row)d.")
                % {"id": external_id, "row": seen[external_id]},
            )
        elif external_id:
            seen[external_id] = number
        title = _text(row_cells["title"][1])
        if not title:
            message = (
                _("Give the need a title.") if kind == "needs" else _("Give the resource a title.")
            )
            check.fail(positions["title"][1], message)
        elif len(title) > 120:
            check.fail(positions["title"][1], _("Keep the title under 120 characters."))
        target = existing.get(external_id) if external_id else None
        if kind == "needs":
            planned = _plan_need(
                check, lookups, target if isinstance(target, Need) else None, external_id, title
            )
        else:
            planned = _plan_resource(
                check,
                lookups,
                target if isinstance(target, Resource) else None,
                external_id,
                title,
            )
        if planned is not None and check.ok:
            report.rows.append(planned)
    report.questions = list(lookups.questions.values())
    report.notes = list(lookups.notes.values())
    for key, (answer, label, remembered, rows) in lookups.used.items():
        field_name, _sep, _value = key.partition("|")
        written = next(
            (
                _text(cells[positions[column][0]])
                for number, cells in table.rows
                if number == rows[0]
                for column, name in FIELDS.items()
                if name == field_name and column in positions and positions[column][0] < len(cells)
            ),
            _value,
        )
        report.used_answers.append(
            UsedAnswer(field_name, written, answer, label, remembered, len(rows))
        )
    return report


# ---------------------------------------------------------------- applying


def check_can_manage(actor: Any, community: Region, *, exporting: bool = False) -> None:
    if not community.is_community or not actor.has_perm("lists.manage_lists", community):
        if exporting:
            raise NotAllowed(
                "export.not_staff", _("Only the community's staff can export its lists.")
            )
        raise NotAllowed("import.not_staff", _("Only the community's staff can import its lists."))


def _create_pending(
    actor: User, community: Region, report: ImportReport, rows: Sequence[PlannedRow]
) -> dict[str, Any]:
    """Create the compounds and categories the mapping step chose to create, once each."""
    from wulian.places import services as places

    made: dict[str, Any] = {}
    for planned in rows:
        for column, name in planned.to_create.items():
            key = answer_key(FIELDS[column], name)
            if key in made:
                continue
            try:
                if column == "compound":
                    made[key] = places.add_compound(actor, community, name.strip()[:100])
                else:
                    made[key] = services.add_category(actor, name)
            except DomainError as exc:
                report.errors.append(RowError(planned.row, "", str(exc.message)))
                raise _Refused from exc
    return made


def _tags_by_name(names: set[str]) -> dict[str, Tag]:
    ordered = sorted(names)
    found: dict[str, Tag] = {}
    for start in range(0, len(ordered), 500):
        part = ordered[start : start + 500]
        found.update({t.name: t for t in Tag.objects.filter(name__in=part)})
    missing = [Tag(name=name) for name in ordered if name not in found]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True, batch_size=500)
        for start in range(0, len(missing), 500):
            part = [t.name for t in missing[start : start + 500]]
            found.update({t.name: t for t in Tag.objects.filter(name__in=part)})
    return found


def _set_tags_in_bulk(
    model: type[Need] | type[Resource], tagged: Sequence[tuple[Need | Resource, list[str]]]
) -> None:
    tags = _tags_by_name({name for _obj, names in tagged for name in names})
    through: Any = model.tags.through
    owner = "need_id" if model is Need else "resource_id"
    pks = [obj.pk for obj, _names in tagged]
    for start in range(0, len(pks), 500):
        through.objects.filter(**{f"{owner}__in": pks[start : start + 500]}).delete()
    links = list({(obj.pk, tags[name].pk) for obj, names in tagged for name in names})
    # Plain inserts: building 20,000 link objects through the ORM costs seconds.
    table = connection.ops.quote_name(through._meta.db_table)
    columns = f"{connection.ops.quote_name(owner)}, {connection.ops.quote_name('tag_id')}"
    _insert_rows(table, columns, "%s, %s", links)


def _insert_rows(table: str, columns: str, marks: str, rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows as fast as the database takes them: COPY on PostgreSQL (one stream instead
    of a message per row), one prepared statement run many times elsewhere."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), 2000):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows[start : start + 2000]
            )


def _remembering(adapt: Any) -> Any:
    """`adapt`, computed once per distinct value (an import's rows share a few dates)."""
    seen: dict[Any, Any] = {None: None}

    def convert(value: Any) -> Any:
        if value not in seen:
            seen[value] = adapt(value)
        return seen[value]

    return convert


def _converter(model_field: Any) -> Any:
    """A fast way to turn a model field's value into a database parameter."""
    from django.db import models

    if isinstance(model_field, models.DateTimeField):
        return _remembering(connection.ops.adapt_datetimefield_value)
    if isinstance(model_field, models.DateField):
        return _remembering(connection.ops.adapt_datefield_value)
    if isinstance(model_field, models.TimeField):
        return _remembering(connection.ops.adapt_timefield_value)
    if isinstance(model_field, models.DecimalField | models.JSONField):
        return lambda v: model_field.get_db_prep_save(v, connection)
    return None  # text, numbers, booleans and ids go in as they are


def _insert_in_bulk(model: Any, objs: Sequence[Any], **marker: Any) -> None:
    """Insert new objects with one prepared statement run many times, then read their ids back
    in insertion order by `marker` (fields only this import's rows share).

    Django's bulk_create prepares every field of every object through the ORM, which costs
    seconds for 10,000 rows; the objects here are already checked."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    converters = [_converter(f) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    rows = []
    for obj in objs:
        row = []
        for model_field, convert in zip(fields, converters, strict=True):
            value = getattr(obj, model_field.attname)
            row.append(convert(value) if convert is not None else value)
        rows.append(row)
    _insert_rows(table, columns, marks, rows)
    pks = list(model.objects.filter(**marker).order_by("pk").values_list("pk", flat=True))
    if len(pks) != len(objs):
        raise IntegrityError("the inserted rows could not be told apart")
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False


class _Refused(Exception):
    pass


def _locked_targets(
    model: type[Need] | type[Resource], rows: Sequence[PlannedRow]
) -> dict[int, Any]:
    pks = [row.target.pk for row in rows if row.target is not None]
    related = (
        ("category__parent", "raised_for", "raised_by")
        if model is Need
        else ("category__parent", "provider_org", "provider_user")
    )
    locked: dict[int, Any] = {}
    for start in range(0, len(pks), 500):
        query = (
            model.objects.select_for_update(of=("self",))
            .select_related(*related)
            .filter(pk__in=pks[start : start + 500])
        )
        locked.update({obj.pk: obj for obj in query})
    return locked


def _write_needs(
    actor: User, community: Region, report: ImportReport, work: list[PlannedRow], valid_only: bool
) -> list[dict[str, Any]]:
    detail: list[dict[str, Any]] = []
    updates = [row for row in work if row.action == "update"]
    locked = _locked_targets(Need, updates)
    now = timezone.now()
    changed: list[Need] = []
    tagged: list[tuple[Need | Resource, list[str]]] = []
    refused: set[int] = set()
    for planned in updates:
        assert planned.need is not None and planned.target is not None
        need = locked.get(planned.target.pk)
        if need is None or need.state not in services.OPEN_STATES:
            report.errors.append(RowError(planned.row, "", _("This need can no longer be edited.")))
            refused.add(planned.row)
            continue
        data = planned.need
        before = audit.snapshot(need, services.NEED_FIELDS)
        for name in ("title", "description", "category", "compound", "beneficiaries", "deadline"):
            value = getattr(data, name)
            setattr(need, name, value.strip() if isinstance(value, str) else value)
        need.urgency = data.urgency
        need.updated_at = now
        tags = services.split_tags(data.tags)
        need.search_text = search_text(need, tags)
        changed.append(need)
        tagged.append((need, tags))
        detail.append(
            {"row": planned.row, "action": "update", "id": need.pk, "external_id": need.external_id,
             "before": before, "after": audit.snapshot(need, services.NEED_FIELDS)}
        )  # fmt: skip
    if refused and not valid_only:
        raise _Refused
    fields = [
        "title", "description", "category", "compound", "beneficiaries", "deadline", "urgency",
        "search_text", "updated_at",
    ]  # fmt: skip
    Need.objects.bulk_update(changed, fields, batch_size=500)
    new: list[tuple[PlannedRow, Need, list[str]]] = []
    for planned in work:
        if planned.action != "create":
            continue
        assert planned.need is not None
        data = planned.need
        need = Need(
            community=community,
            external_id=planned.options.get("external_id", ""),
            title=data.title.strip(),
            description=data.description.strip(),
            category=data.category,
            compound=data.compound,
            beneficiaries=data.beneficiaries,
            deadline=data.deadline,
            urgency=data.urgency,
            channel=Need.Channel.IMPORT,
            slots=data.slots,
            raiser_kind=planned.options.get("raiser_kind") or PartyKind.RESIDENT,
            entered_by=actor,
            created_at=now,
            updated_at=now,
        )
        tags = services.split_tags(data.tags)
        need.search_text = search_text(need, tags)
        new.append((planned, need, tags))
    _insert_in_bulk(
        Need,
        [need for _p, need, _t in new],
        community=community,
        entered_by=actor,
        channel=Need.Channel.IMPORT,
        created_at=now,
    )
    for planned, need, tags in new:
        tagged.append((need, tags))
        detail.append(
            {"row": planned.row, "action": "create", "id": need.pk,
             "external_id": need.external_id, "title": need.title}
        )  # fmt: skip
    _set_tags_in_bulk(Need, tagged)
    return detail


def _write_resources(
    actor: User, community: Region, report: ImportReport, work: list[PlannedRow], valid_only: bool
) -> list[dict[str, Any]]:
    detail: list[dict[str, Any]] = []
    updates = [row for row in work if row.action == "update"]
    locked = _locked_targets(Resource, updates)
    now = timezone.now()
    changed: list[Resource] = []
    tagged: list[tuple[Need | Resource, list[str]]] = []
    fields: set[str] = {"search_text", "updated_at"}
    for planned in updates:
        assert planned.resource is not None and planned.target is not None
        resource = locked.get(planned.target.pk)
        if resource is None:
            report.errors.append(
                RowError(planned.row, "", _("This resource can no longer be edited."))
            )
            if not valid_only:
                raise _Refused
            continue
        before = audit.snapshot(resource, services.RESOURCE_FIELDS)
        for name, value in resource_fields(planned.resource).items():
            setattr(resource, name, value)
            fields.add(name)
        resource.updated_at = now
        tags = services.split_tags(planned.resource.tags)
        resource.search_text = search_text(resource, tags)
        changed.append(resource)
        tagged.append((resource, tags))
        detail.append(
            {"row": planned.row, "action": "update", "id": resource.pk,
             "external_id": resource.external_id, "before": before,
             "after": audit.snapshot(resource, services.RESOURCE_FIELDS)}
        )  # fmt: skip
    Resource.objects.bulk_update(changed, sorted(fields), batch_size=500)
    new: list[tuple[PlannedRow, Resource, list[str]]] = []
    for planned in work:
        if planned.action != "create":
            continue
        assert planned.resource is not None
        org: Organization | None = planned.options.get("provider_org")
        resource = Resource(
            community=community,
            provider_org=org,
            provider_name=org.name if org is not None else planned.options.get("provider_name", ""),
            provider_kind=(
                services.org_party_kind(org)
                if org is not None
                else planned.options.get("provider_kind") or PartyKind.RESIDENT
            ),
            created_by=actor,
            external_id=planned.options.get("external_id", ""),
            created_at=now,
            updated_at=now,
            **resource_fields(planned.resource),
        )
        tags = services.split_tags(planned.resource.tags)
        resource.search_text = search_text(resource, tags)
        new.append((planned, resource, tags))
    _insert_in_bulk(
        Resource,
        [resource for _p, resource, _t in new],
        community=community,
        created_by=actor,
        created_at=now,
    )
    for planned, resource, tags in new:
        tagged.append((resource, tags))
        detail.append(
            {"row": planned.row, "action": "create", "id": resource.pk,
             "external_id": resource.external_id, "title": resource.title}
        )  # fmt: skip
    _set_tags_in_bulk(Resource, tagged)
    return detail


def remember_answers(
    actor: User | None, community: Region, answers: Mapping[str, Answer], values: Mapping[str, str]
) -> None:
    """Keep the mapping step's answers for the community's next imports (`values` holds each
    key's value as written)."""
    for key, answer in answers.items():
        field_name, _sep, folded = key.partition("|")
        if field_name not in ImportMapping.Field.values or not folded or answer == "create":
            continue
        target: dict[str, Any] = {"compound": None, "category": None, "region": None,
                                  "organization": None}  # fmt: skip
        if answer.startswith("map:") and answer[4:].isdigit():
            column = {"area": "region"}.get(field_name, field_name)
            target[column + "_id"] = int(answer[4:])
            del target[column]
            choice = ImportMapping.Choice.MAP
        elif answer in {"empty", "keep"}:
            choice = ImportMapping.Choice(answer)
        else:
            continue
        ImportMapping.objects.update_or_create(
            community=community,
            field=field_name,
            key=folded[:150],
            defaults={
                "value": values.get(key, folded)[:150],
                "choice": choice,
                "created_by": actor if getattr(actor, "is_authenticated", False) else None,
                **target,
            },
        )


def forget_answer(actor: User, community: Region, mapping_id: int) -> ImportMapping:
    """Staff forget a remembered answer: the next import asks about the value again."""
    check_can_manage(actor, community)
    with transaction.atomic():
        mapping = ImportMapping.objects.filter(community=community, pk=mapping_id).first()
        if mapping is None:
            raise DomainError("import.no_such_answer", _("That answer is not remembered."))
        audit.record(
            actor,
            "lists.import_answer_forgotten",
            community,
            before={
                "field": mapping.field,
                "value": mapping.value,
                "choice": mapping.choice,
                "target": str(mapping.target or ""),
            },
            community=community,
        )
        mapping.delete()
    return mapping


audit.register_actions(
    {"lists.import_answer_forgotten": gettext_lazy("forgot a remembered import answer")}
)


def remembered_answers(community: Region) -> list[ImportMapping]:
    return list(
        ImportMapping.objects.filter(community=community).select_related(
            "compound", "category", "region", "organization"
        )
    )


def apply_import(
    actor: User,
    community: Region,
    report: ImportReport,
    *,
    valid_only: bool = False,
    filename: str = "",
) -> ImportReport:
    """Write a planned import in one transaction, in bulk, with one audit entry.

    With errors in the file nothing is written, unless `valid_only`: then the valid rows are
    written and `report.skipped` lists the others. The answers given in the mapping step are
    remembered for the community's next imports.
    """
    check_can_manage(actor, community)
    if report.errors and not valid_only:
        return report
    work = [row for row in report.rows if row.action != "unchanged"]
    try:
        with transaction.atomic():
            made = _create_pending(actor, community, report, work)
            for planned in work:
                for column, name in planned.to_create.items():
                    created = made[answer_key(FIELDS[column], name)]
                    target_field = "compound" if column == "compound" else "category"
                    if planned.need is not None:
                        planned.need = replace(planned.need, **{target_field: created})
                    if planned.resource is not None:
                        planned.resource = replace(planned.resource, category=created)
            writer = _write_needs if report.kind == "needs" else _write_resources
            detail = writer(actor, community, report, work, valid_only)
            values = {q.key: q.value for q in report.questions}
            values.update({answer_key(u.field_name, u.value): u.value for u in report.used_answers})
            remember_answers(actor, community, report.given_answers, values)
            created_count = sum(1 for row in detail if row["action"] == "create")
            updated_count = len(detail) - created_count
            if detail:  # an import that changes nothing leaves no entry
                versions.bump("lists", community.pk)  # written in bulk, past the watches
                audit.record(
                    actor,
                    "lists.imported",
                    community,
                    after={
                        "list": report.kind,
                        "file": filename,
                        "created": created_count,
                        "updated": updated_count,
                        "unchanged": len(report.unchanged),
                        "skipped": len(report.error_rows),
                        "rows": detail,
                    },
                    community=community,
                    note=filename[:200],
                )
    except _Refused:
        report.errors.sort(key=lambda e: e.row)
        return report
    except IntegrityError:
        report.errors.append(
            RowError(
                0, "", _("Another entry with one of these ids was saved meanwhile; import again.")
            )
        )
        return report
    done = {row["row"] for row in detail}
    report.rows = [row for row in report.rows if row.row in done or row.action == "unchanged"]
    report.errors.sort(key=lambda e: e.row)
    report.created, report.updated, report.applied = created_count, updated_count, True
    return report


def import_file(
    actor: User,
    community: Region,
    kind: str,
    filename: str,
    data: bytes,
    *,
    dry_run: bool = False,
    valid_only: bool = False,
    answers: Mapping[str, Answer] | None = None,
) -> ImportReport:
    """Read, check and (unless `dry_run`) apply a file. Raises `ImportFileError` for a bad file."""
    check_can_manage(actor, community)
    with collector_paused():
        table = read_table(filename, data, kind)
    return import_table(
        actor, community, kind, table, filename=filename,
        dry_run=dry_run, valid_only=valid_only, answers=answers,
    )  # fmt: skip


def import_table(
    actor: User,
    community: Region,
    kind: str,
    table: Table,
    *,
    filename: str = "",
    dry_run: bool = False,
    valid_only: bool = False,
    answers: Mapping[str, Answer] | None = None,
) -> ImportReport:
    """Check and (unless `dry_run`) apply a table already read (the import pages read an
    upload once and keep its table for the preview, the mapping step and the confirmation)."""
    check_can_manage(actor, community)
    with collector_paused():
        report = plan_import(kind, community, table, answers=answers, actor=actor)
        if dry_run:
            return report
        return apply_import(actor, community, report, valid_only=valid_only, filename=filename)


def answers_from_names(
    community: Region, given: Mapping[str, Mapping[str, Any]], actor: Any = None
) -> dict[str, Answer]:
    """Turn a mapping file's answers, written with names, into answers.

    ``{"compound": {"42号小区": "江汉北路42号小区", "老院": null},
       "category": {"养老": {"create": true}}, "organization": {"王师傅": {"keep": true}}}``:
    a name means that existing one, null leaves the field empty.
    """
    lookups = _Lookups(community, can_create=_can_create(actor, community))
    resolvers = {
        "compound": lookups.compound,
        "category": lookups.category,
        "area": lookups.region,
        "organization": lookups.organization,
    }
    answers: dict[str, Answer] = {}
    for field_name, entries in given.items():
        if field_name not in resolvers or not isinstance(entries, Mapping):
            raise DomainError(
                "import.bad_mapping",
                _("Unknown field in the mapping: %(field)s (use compound, category, area or "
                  "organization).") % {"field": field_name},
            )  # fmt: skip
        for value, meant in entries.items():
            key = answer_key(field_name, str(value))
            if meant is None or meant == "":
                answers[key] = "empty"
            elif isinstance(meant, Mapping) and meant.get("create"):
                answers[key] = "create"
            elif isinstance(meant, Mapping) and meant.get("keep"):
                answers[key] = "keep"
            elif isinstance(meant, str):
                try:
                    target = resolvers[field_name](meant)
                except _Invalid as exc:
                    raise DomainError(
                        "import.bad_mapping",
                        _("The mapping of “%(value)s”: %(reason)s")
                        % {"value": value, "reason": exc.message},
                    ) from exc
                if not isinstance(target, Compound | Category | Region | Organization):
                    raise DomainError(
                        "import.bad_mapping",
                        _("The mapping of “%(value)s” names nothing known: “%(meant)s”.")
                        % {"value": value, "meant": meant},
                    )
                answers[key] = f"map:{target.pk}"
            else:
                raise DomainError(
                    "import.bad_mapping",
                    _("The mapping of “%(value)s” is neither a name, null, {\"create\": true} "
                      "nor {\"keep\": true}.") % {"value": value},
                )  # fmt: skip
    return answers


def mapping_skeleton(report: ImportReport) -> dict[str, dict[str, Any]]:
    """What a dry run would ask, as a mapping file to fill in: each value with the suggested
    answer's name, or null."""
    skeleton: dict[str, dict[str, Any]] = {}
    for question in report.questions:
        labels = dict(question.candidates)
        suggested: Any = labels.get(question.suggested)
        if question.suggested == "keep":
            suggested = {"keep": True}
        skeleton.setdefault(question.field_name, {})[question.value] = suggested
    return skeleton


# ---------------------------------------------------------------- exporting


def _person_name(user: Any) -> str:
    """A person's name for a file: never their mobile number, not even masked."""
    return str(getattr(user, "real_name", "") or "") if user is not None else ""


class Exporter:
    """Yields the header row (the Chinese labels) and then one row per object."""

    kind: str = ""
    columns: tuple[Column, ...] = ()

    def headers(self) -> list[Cell]:
        return [column.label for column in self.columns]

    def prepare(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def row(self, obj: Any) -> list[Cell]:
        raise NotImplementedError

    def iterate(self, queryset: QuerySet[Any]) -> Iterator[list[Cell]]:
        yield self.headers()
        with translation.override("zh-hans"):
            for obj in self.prepare(queryset):
                yield self.row(obj)


class _CategoryLabels:
    def __init__(self) -> None:
        self.lookups: dict[str, int] | None = None

    def __call__(self, category: Category | None) -> str:
        if category is None:
            return ""
        if self.lookups is None:
            self.lookups = {}
            for name in Category.objects.values_list("name", flat=True):
                self.lookups[fold(name)] = self.lookups.get(fold(name), 0) + 1
        return str(category) if self.lookups.get(fold(category.name), 0) > 1 else category.name


class NeedExporter(Exporter):
    kind = "needs"
    columns = (*NEED_COLUMNS, STATE)

    def __init__(self) -> None:
        self.category = _CategoryLabels()

    def prepare(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("category__parent", "compound").prefetch_related("tags")

    def row(self, need: Need) -> list[Cell]:
        return [
            need.external_id or f"N{need.pk}",
            need.title,
            need.description,
            self.category(need.category),
            need.compound.name if need.compound else "",
            PARTY_LABELS.get(need.raiser_kind, need.raiser_kind),
            need.beneficiaries,
            need.deadline,
            URGENCY_LABELS.get(need.urgency, ""),
            "、".join(sorted(tag.name for tag in need.tags.all())),
            str(need.get_state_display()),
        ]


class ResourceExporter(Exporter):
    kind = "resources"
    columns = (*RESOURCE_COLUMNS, STATE)

    def __init__(self) -> None:
        self.category = _CategoryLabels()

    def prepare(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related(
            "category__parent", "provider_org", "provider_user", "service_area"
        ).prefetch_related("tags")

    def row(self, resource: Resource) -> list[Cell]:
        provider = (
            resource.provider_org.name
            if resource.provider_org
            else resource.provider_name or _person_name(resource.provider_user)
        )
        return [
            resource.external_id or f"R{resource.pk}",
            resource.title,
            resource.description,
            self.category(resource.category),
            provider,
            PARTY_LABELS.get(resource.provider_kind, resource.provider_kind),
            resource.capacity_text,
            resource.service_area.name if resource.service_area else "",
            resource.availability,
            "、".join(sorted(tag.name for tag in resource.tags.all())),
            str(resource.get_status_display()),
        ]


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


class ProjectExporter(Exporter):
    kind = "projects"
    columns = PROJECT_COLUMNS

    def prepare(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("need", "claim__claimant", "claim__organization").annotate(
            rating_average=Avg("ratings__score")
        )

    def row(self, project: Project) -> list[Cell]:
        claim = project.claim
        claimant = claim.organization.name if claim.organization else _person_name(claim.claimant)
        average = getattr(project, "rating_average", None)
        return [
            f"P{project.pk}",
            project.need.title,
            claimant,
            PARTY_LABELS.get(claim.claimant_kind, claim.claimant_kind),
            str(project.get_state_display()),
            _local_date(project.started_at),
            _local_date(project.completed_at),
            project.people_served,
            project.volunteer_hours,
            project.money,
            round(float(average), 1) if average is not None else None,
        ]


EXPORTERS: dict[str, type[Exporter]] = {
    "needs": NeedExporter,
    "resources": ResourceExporter,
    "projects": ProjectExporter,
}


def export_rows(kind: str, queryset: QuerySet[Any]) -> Iterator[list[Cell]]:
    """The header row, then one row per object of the queryset."""
    if kind not in EXPORTERS:
        raise DomainError("export.bad_kind", _("Unknown list: %(kind)s.") % {"kind": kind})
    return EXPORTERS[kind]().iterate(queryset)


def _width(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_xlsx(rows: Iterable[Sequence[Cell]], title: str = "Sheet1") -> bytes:
    """A workbook with a bold header row, sensible column widths and real dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    widths: dict[int, int] = {}
    for number, row in enumerate(rows, start=1):
        xlsx_append(sheet, row)
        for index, value in enumerate(row, start=1):
            widths[index] = max(widths.get(index, 0), _width(value))
            if isinstance(value, datetime.date):
                sheet.cell(number, index).number_format = "yyyy-mm-dd"
        if number == 1:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_csv(rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel opens it with the right characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(csv_values(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes
    rows: int


EXPORT_NUMBER_FILTERS = ("category", "compound", "urgency")
EXPORT_FILTERS: dict[str, tuple[str, ...]] = {
    "needs": ("state", "category", "compound", "urgency", "q"),
    "resources": ("state", "category", "q"),
    "projects": ("state",),
}


def export_queryset(kind: str, community: Region, filters: Mapping[str, str]) -> QuerySet[Any]:
    """The community's list, narrowed by the filters a list page uses."""
    state = filters.get("state", "")
    category_id = parse_int(filters.get("category", ""))
    query = filters.get("q", "").strip()
    if kind == "needs":
        needs = Need.objects.filter(community=community).order_by("created_at", "id")
        if state:
            needs = needs.filter(state=state)
        if category_id is not None:
            needs = needs.filter(category_id=category_id) | needs.filter(
                category__parent_id=category_id
            )
        compound_id = parse_int(filters.get("compound", ""))
        if compound_id is not None:
            needs = needs.filter(compound_id=compound_id)
        urgency = parse_int(filters.get("urgency", ""), high=MAX_INT)
        if urgency is not None:
            needs = needs.filter(urgency=urgency)
        if query:
            needs = needs.filter(services.needs_matching(query))
        return needs
    if kind == "resources":
        resources = Resource.objects.filter(community=community).order_by("created_at", "id")
        if state:
            resources = resources.filter(status=state)
        if category_id is not None:
            resources = resources.filter(category_id=category_id) | resources.filter(
                category__parent_id=category_id
            )
        for term in fold(query).split():
            resources = resources.filter(search_text__contains=term)
        return resources
    if kind == "projects":
        projects = Project.objects.filter(community=community).order_by("created_at", "id")
        return projects.filter(state=state) if state else projects
    raise DomainError("export.bad_kind", _("Unknown list: %(kind)s.") % {"kind": kind})


def export_list(
    actor: User,
    community: Region,
    kind: str,
    file_format: str = "xlsx",
    filters: Mapping[str, str] | None = None,
) -> ExportFile:
    """Export a community's list as .xlsx or .csv, and record the export in the audit log."""
    check_can_manage(actor, community, exporting=True)
    if file_format not in {"xlsx", "csv"}:
        raise DomainError("export.bad_format", _("Export to .xlsx or .csv."))
    used = {
        key: value.strip()
        for key, value in (filters or {}).items()
        if key in EXPORT_FILTERS.get(kind, ()) and value and value.strip()
    }
    rows = list(export_rows(kind, export_queryset(kind, community, used)))
    content = render_xlsx(rows, kind) if file_format == "xlsx" else render_csv(rows)
    description = "&".join(f"{key}={value}" for key, value in sorted(used.items()))
    services.record_export(actor, community, kind, len(rows) - 1, description)
    today = timezone.localdate().isoformat()
    return ExportFile(
        filename=f"{community.name}-{kind}-{today}.{file_format}",
        content_type=XLSX_TYPE if file_format == "xlsx" else CSV_TYPE,
        content=content,
        rows=len(rows) - 1,
    )


# ---------------------------------------------------------------- templates


def template_rows(kind: str, community: Region | None = None) -> list[list[Cell]]:
    """The header row and one example row, to start a list from."""
    headers: list[Cell] = [column.label for column in columns_for(kind)]
    today = timezone.localdate()
    if kind == "needs":
        compound = community.compounds.first() if community is not None else None
        example: list[Cell] = [
            "XQ001",
            "42号小区老人理发",
            "小区里行动不便的老人希望每月有人上门理发。",
            "理发",
            compound.name if compound else "江汉北路42号小区",
            "居民",
            30,
            today + datetime.timedelta(days=60),
            "一般",
            "为老、理发",
        ]
    elif kind == "resources":
        school = (
            Organization.objects.filter(region=community, kind=Organization.Kind.SCHOOL).first()
            if community is not None
            else None
        )
        example = [
            "ZY001",
            "理发服务",
            "美发专业师生每月到社区为居民义务理发。",
            "理发",
            school.name if school else "武汉市第一商业学校",
            "学校",
            "40 人次/月",
            community.name if community is not None else "江汉北路社区",
            "每月第一个周三下午",
            "理发、便民",
        ]
    else:
        raise DomainError("import.bad_kind", _("Unknown list: %(kind)s.") % {"kind": kind})
    return [headers, example]


def template_file(kind: str, community: Region | None = None) -> bytes:
    return render_xlsx(template_rows(kind, community), kind)


# ---------------------------------------------------------------- command line


def find_community(name: str) -> Region:
    """The community of this name, written in simplified or traditional characters."""
    matches = [
        region
        for region in Region.objects.filter(level=Region.Level.COMMUNITY)
        if fold(region.name) == fold(name.strip())
    ]
    if len(matches) != 1:
        message = (
            _("Several communities are called “%(name)s”.")
            if matches
            else _("There is no community called “%(name)s”.")
        )
        raise DomainError("import.bad_community", message % {"name": name})
    return matches[0]


def acting_user(mobile: str | None) -> User:
    """The person a command acts as: the one with this mobile number, or the first superuser."""
    if mobile:
        user = User.objects.filter(mobile=mobile.strip(), is_active=True).first()
        if user is None:
            raise DomainError(
                "import.bad_user",
                _("Nobody has the mobile number %(mobile)s.") % {"mobile": mobile},
            )
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise DomainError(
            "import.no_superuser", _("There is no administrator; name a staff member with --as.")
        )
    return user
