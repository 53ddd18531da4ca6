"""Matching straight from list files: `wulian match` and `wulian assign`.

The files are the import's: the same columns (English keys or Chinese labels, either script),
read by `spreadsheets.read_table`, and the same row-level checks where they need no database (a
missing or over-long title, a repeated id, a bad number, date or urgency, a resource without
提供方).
Nothing is written.

Places are plain names: a need lies in its 小区; a resource serves its 服务范围. When the
database knows the names (a compound of a community, a region), a need also lies in the
compound's community and every region above, and a service area limits the needs a resource
may serve. A service area the command cannot place (not a compound of the needs file, not a
region in the database) is read as a hint (the "same community" signal), not as a limit.
Categories come from the database's taxonomy when it is there ("理发" → 便民服务·理发), else
from the cell's own text ("便民服务·理发" → two levels). Ids are the 编号 column, or
"row N" (the spreadsheet's row number) when it is blank.

The files are read as a stream (``read_paths``): a list staff point the command at may be of
any size (a district's 100,000 needs). The web upload's limits (5 MB, 10,000 rows) are the
upload's, not the command's; the row checks are the same whatever the size.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from io import TextIOWrapper
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError
from django.utils.translation import gettext as _

from wulian.core.text import fold
from wulian.lists import spreadsheets
from wulian.lists.models import PartyKind
from wulian.lists.services import parse_capacity, split_tags

# The importer's own parsers, so that the errors are the same.
from wulian.lists.spreadsheets import (
    _header_key,
    _Invalid,
    _one_of,
    _text,
)
from wulian.matching import Availability, NeedRecord, ResourceRecord

_CATEGORY_SEPARATOR = re.compile(r"\s*[·/>＞、|]\s*")
_WEEKDAY_CHARS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAY_RANGE = re.compile(
    r"(?:周|星期|礼拜)([一二三四五六日天])\s*[至到~～—–-]\s*(?:周|星期|礼拜)?([一二三四五六日天])"
)
_DAYS = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天](?:[、,，和及][一二三四五六日天])*)")
_HOURS = re.compile(r"(\d{1,2})\s*[:：]\s*\d{2}\s*[-–—~～至到]\s*(\d{1,2})\s*[:：]\s*(\d{2})")


def parse_availability(text: str) -> Availability:
    """Weekdays and hours from what people write: 每周三下午, 工作日上午, 周末, 每晚 19:00–21:00,
    周六、周日. Whatever cannot be read stays unknown (empty weekdays)."""
    plain = fold(text)
    days: set[int] = set()
    if any(word in plain for word in ("每天", "每日", "每晚", "全天", "天天")):
        days = set(range(7))
    if "工作日" in plain:
        days |= set(range(5))
    if "周末" in plain or "双休" in plain:
        days |= {5, 6}
    for match in _DAY_RANGE.finditer(plain):
        first, last = _WEEKDAY_CHARS[match.group(1)], _WEEKDAY_CHARS[match.group(2)]
        days |= set(range(first, last + 1))
    for match in _DAYS.finditer(_DAY_RANGE.sub("", plain)):
        days |= {_WEEKDAY_CHARS[c] for c in re.findall(r"[一二三四五六日天]", match.group(1))}
    start: int | None = None
    end: int | None = None
    hours = _HOURS.search(plain)
    if hours:
        start, end = int(hours.group(1)), int(hours.group(2)) + (1 if int(hours.group(3)) else 0)
    elif "上午" in plain:
        start, end = 8, 12
    elif "下午" in plain:
        start, end = 14, 18
    elif "晚" in plain:
        start, end = 18, 21
    if start is not None and end is not None and not 0 <= start < end <= 24:
        start = end = None
    return Availability(weekdays=frozenset(days), start_hour=start, end_hour=end)


@dataclass
class Places:
    """What the database knows about place names (empty without a database)."""

    compounds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name → places above
    regions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name → path to it

    @classmethod
    def load(cls) -> Places:
        from wulian.places.models import Compound, Region

        places = cls()
        try:
            by_id = {r.pk: r for r in Region.objects.all()}
            for region in by_id.values():
                path = tuple(fold(by_id[i].name) for i in region.ancestor_ids if i in by_id)
                places.regions.setdefault(fold(region.name), path)
            for compound in Compound.objects.all():
                above = places.regions.get(fold(by_id[compound.community_id].name), ())
                places.compounds.setdefault(fold(compound.name), above)
        except DatabaseError:
            return cls()
        return places


@dataclass
class Taxonomy:
    """Category names and paths from the database, when there is one."""

    by_name: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Taxonomy:
        from wulian.lists.models import Category

        taxonomy = cls()
        try:
            for category in Category.objects.filter(is_active=True).select_related("parent"):
                taxonomy.by_name.setdefault(fold(category.name), []).append(category.path)
        except DatabaseError:
            return cls()
        return taxonomy

    def path(self, text: str) -> tuple[str, ...]:
        if not text:
            return ()
        parts = tuple(p for p in _CATEGORY_SEPARATOR.split(text.strip()) if p)
        if len(parts) == 1:
            found = self.by_name.get(fold(parts[0]), [])
            if len(found) == 1:
                return found[0]
            top = [p for p in found if len(p) == 1]
            if len(top) == 1:
                return top[0]
        return parts


@dataclass
class ListFile:
    needs: list[NeedRecord] = field(default_factory=list)
    resources: list[ResourceRecord] = field(default_factory=list)
    errors: list[spreadsheets.RowError] = field(default_factory=list)


Row = Mapping[str, tuple[str, Any]]
Progress = Callable[[str, int], None]


@dataclass
class Stream:
    """A sheet read row by row: its header cells, then (row number, cells) of the other
    non-blank rows, with no limit on their number."""

    headers: list[str]
    rows: Iterable[tuple[int, list[Any]]]


class _Restart(Exception):
    """The CSV file is not UTF-8 after all: read it again as GB18030."""


def _non_blank(raw_rows: Iterable[Sequence[Any]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in enumerate(raw_rows, start=1):
        if not all(spreadsheets._blank(cell) for cell in cells):
            yield number, list(cells)


def _stream(rows: Iterator[tuple[int, list[Any]]]) -> Stream:
    first = next(rows, None)
    if first is None:
        raise spreadsheets.ImportFileError("import.empty", _("The file is empty."))
    headers = ["" if cell is None else str(cell).strip() for cell in first[1]]
    return Stream(headers, rows)


def _csv_rows(handle: IO[bytes], encoding: str) -> Iterator[tuple[int, list[Any]]]:
    text = TextIOWrapper(handle, encoding=encoding, errors="strict", newline="")
    head = text.readline()
    first_line = head.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","

    def lines() -> Iterator[str]:
        yield head
        try:
            yield from text
        except UnicodeDecodeError as exc:
            if encoding == "utf-8":
                raise _Restart from exc
            raise spreadsheets.ImportFileError(
                "import.bad_encoding", _("The CSV file is neither UTF-8 nor GB18030 text.")
            ) from exc

    try:
        yield from _non_blank(csv.reader(lines(), delimiter=delimiter))
    except csv.Error as exc:
        raise spreadsheets.ImportFileError(
            "import.unreadable", _("The file could not be read as a spreadsheet.")
        ) from exc


def open_stream(path: Path, encoding: str = "utf-8") -> tuple[Stream, Callable[[], None]]:
    """The first sheet of an .xlsx file, or a .csv file, as a `Stream`, and a function that
    closes it. A CSV file is read as UTF-8 (with or without BOM); when that fails, the caller
    catches ``_Restart`` and reads it again as GB18030."""
    name = path.name.lower()
    if name.endswith(".xls"):
        raise spreadsheets.ImportFileError(
            "import.old_excel",
            _("This is an old Excel file (.xls); save it as .xlsx or .csv and upload it again."),
        )
    if name.endswith((".xlsx", ".xlsm")):
        import openpyxl

        if not zipfile.is_zipfile(path):
            raise spreadsheets.ImportFileError(
                "import.unreadable", _("The file could not be read as a spreadsheet.")
            )
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()
            stream = _stream(_non_blank(sheet.iter_rows(values_only=True)))
        except spreadsheets.ImportFileError:
            raise
        except Exception as exc:  # openpyxl raises many kinds of error on a damaged file
            raise spreadsheets.ImportFileError(
                "import.unreadable", _("The file could not be read as a spreadsheet.")
            ) from exc
        return stream, workbook.close
    if name.endswith((".csv", ".txt")):
        handle = path.open("rb")
        if encoding == "utf-8" and handle.read(3) != b"\xef\xbb\xbf":
            handle.seek(0)
        try:
            return _stream(_csv_rows(handle, encoding)), handle.close
        except UnicodeDecodeError as exc:
            handle.close()
            if encoding == "utf-8":
                raise _Restart from exc
            raise spreadsheets.ImportFileError(
                "import.bad_encoding", _("The CSV file is neither UTF-8 nor GB18030 text.")
            ) from exc
        except BaseException:
            handle.close()
            raise
    raise spreadsheets.ImportFileError(
        "import.bad_type", _("Only .xlsx and .csv files can be imported.")
    )


def _counted(
    rows: Iterable[tuple[int, list[Any]]], label: str, progress: Progress | None
) -> Iterator[tuple[int, list[Any]]]:
    if progress is None:
        yield from rows
        return
    count = 0
    for row in rows:
        yield row
        count += 1
        if count % 10_000 == 0:
            progress(label, count)
    progress(label, count)


def _rows(
    kind: str, table: spreadsheets.Table | Stream, errors: list[spreadsheets.RowError]
) -> Iterator[tuple[int, str, Row]]:
    """The rows as {key: (header, cell)} with the importer's header mapping and its checks of
    the id and the title; rows with errors are left out (their errors are kept)."""
    columns = spreadsheets.columns_for(kind)
    by_header = {_header_key(c.key): c.key for c in columns}
    by_header.update({_header_key(c.label): c.key for c in columns})
    positions: dict[str, tuple[int, str]] = {}
    for index, header in enumerate(table.headers):
        key = by_header.get(_header_key(header)) if header else None
        if key is not None and key not in positions:
            positions[key] = (index, header)
    if "title" not in positions:
        raise spreadsheets.ImportFileError(
            "import.no_title",
            _("The file has no “%(column)s” column.") % {"column": spreadsheets.TITLE.label},
        )
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        row = {
            key: (header, cells[index] if index < len(cells) else None)
            for key, (index, header) in positions.items()
        }
        bad = False

        def fail(column: str, message: str, number: int = number) -> None:
            nonlocal bad
            bad = True
            errors.append(spreadsheets.RowError(number, column, message))

        external_id = _text(row["id"][1]) if "id" in row else ""
        if len(external_id) > 50:
            fail(row["id"][0], _("Keep the id under 50 characters."))
        elif external_id in seen:
            fail(
                row["id"][0],
                _("The id %(id)s already appears in row %(row)d.")
                % {"id": external_id, "row": seen[external_id]},
            )
        elif external_id:
            seen[external_id] = number
        title = _text(row["title"][1])
        if not title:
            fail(
                row["title"][0],
                _("Give the need a title.") if kind == "needs" else _("Give the resource a title."),
            )
        elif len(title) > 120:
            fail(row["title"][0], _("Keep the title under 120 characters."))
        if not bad:
            yield number, external_id or f"row {number}", row


def _cell(
    row: Row,
    key: str,
    parse: Callable[[Any], Any],
    errors: list[spreadsheets.RowError],
    number: int,
) -> Any:
    if key not in row:
        return None
    header, raw = row[key]
    try:
        return parse(raw)
    except _Invalid as exc:
        errors.append(spreadsheets.RowError(number, header, exc.message))
        return None


def _limited(limit: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value)
        if len(text) > limit:
            raise _Invalid(_("Keep this under %(n)d characters.") % {"n": limit})
        return text

    return parse


class _Memo:
    """A cell parser remembered per distinct cell value: a long list repeats its urgencies,
    dates, compounds and capacities, and the answer (or the error) is the same each time."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        self.parse = parse
        self.done: dict[Any, tuple[bool, Any]] = {}

    def __call__(self, value: Any) -> Any:
        try:
            ok, result = self.done[value]
        except KeyError:
            try:
                ok, result = True, self.parse(value)
            except _Invalid as exc:
                ok, result = False, exc
            except TypeError:  # an unhashable cell: not remembered
                return self.parse(value)
            if len(self.done) < 100_000:
                self.done[value] = (ok, result)
        if not ok:
            raise result
        return result


def _party(value: Any) -> Any:
    return _one_of(_text(value), spreadsheets.PARTY_WORDS, PartyKind.values) if _text(value) else ""


def _urgency(value: Any) -> Any:
    return _one_of(_text(value), spreadsheets.URGENCY_WORDS) if _text(value) else 0


def read_needs(
    table: spreadsheets.Table | Stream, taxonomy: Taxonomy, places: Places
) -> tuple[list[NeedRecord], list[spreadsheets.RowError]]:
    errors: list[spreadsheets.RowError] = []
    needs: list[NeedRecord] = []
    compound_cell, number_cell = _Memo(_limited(100)), _Memo(spreadsheets.parse_whole_number)
    date_cell, urgency_cell, party_cell = (
        _Memo(spreadsheets.parse_date),
        _Memo(_urgency),
        _Memo(_party),
    )
    folded, category_path = _Memo(fold), _Memo(taxonomy.path)
    for number, need_id, row in _rows("needs", table, errors):
        before = len(errors)
        category = _cell(row, "category", _text, errors, number) or ""
        compound = _cell(row, "compound", compound_cell, errors, number) or ""
        _cell(row, "beneficiaries", number_cell, errors, number)
        deadline = _cell(row, "deadline", date_cell, errors, number)
        urgency = _cell(row, "urgency", urgency_cell, errors, number)
        _cell(row, "raised_by", party_cell, errors, number)
        if len(errors) > before:
            continue
        place = folded(compound) if compound else None
        above = places.compounds.get(place, ()) if place else ()
        needs.append(
            NeedRecord(
                id=need_id,
                title=_text(row["title"][1]),
                description=_cell(row, "description", _text, errors, number) or "",
                category=category_path(category),
                tags=tuple(split_tags(_text(row["tags"][1]) if "tags" in row else "")),
                compound_id=place,
                community_id=above[-1] if above else None,
                subdistrict_id=above[-2] if len(above) >= 2 else None,
                region_path=above[:-2],
                deadline=deadline,
                urgency=int(urgency or 0),
            )
        )
    return needs, errors


def read_resources(
    table: spreadsheets.Table | Stream,
    taxonomy: Taxonomy,
    places: Places,
    need_places: frozenset[str] = frozenset(),
) -> tuple[list[ResourceRecord], list[spreadsheets.RowError]]:
    """``need_places`` are the 小区 names of the needs file: a service area among them limits."""
    errors: list[spreadsheets.RowError] = []
    resources: list[ResourceRecord] = []
    party_cell, folded, category_path = _Memo(_party), _Memo(fold), _Memo(taxonomy.path)
    capacity_of, availability_of = _Memo(parse_capacity), _Memo(parse_availability)
    for number, resource_id, row in _rows("resources", table, errors):
        before = len(errors)
        category = _cell(row, "category", _text, errors, number) or ""
        provider = _cell(row, "provider", _limited(150), errors, number) or ""
        kind = _cell(row, "provider_kind", party_cell, errors, number)
        capacity = _cell(row, "capacity", _limited(100), errors, number) or ""
        area = _cell(row, "service_area", _limited(100), errors, number) or ""
        when = _cell(row, "availability", _limited(200), errors, number) or ""
        if not provider:
            errors.append(
                spreadsheets.RowError(
                    number,
                    row["provider"][0] if "provider" in row else "",
                    _("Name the organisation or person who offers this resource."),
                )
            )
        if len(errors) > before:
            continue
        amount, unit, _period = capacity_of(capacity)
        place = folded(area) if area else ""
        if place and place in need_places:
            service_area: tuple[str, ...] = (place,)
        elif place and place in places.regions:
            service_area = places.regions[place]
        else:
            service_area = ()
        description = _text(row["description"][1]) if "description" in row else ""
        resources.append(
            ResourceRecord(
                id=resource_id,
                title=_text(row["title"][1]),
                description=" ".join(p for p in (description, when) if p),
                category=category_path(category),
                tags=tuple(split_tags(_text(row["tags"][1]) if "tags" in row else "")),
                provider_id=folded(provider),
                provider_kind=kind or "",
                service_area=service_area,
                compound_id=place if place in need_places else None,
                community_id=place or None,
                capacity_remaining=amount,
                capacity_unit=unit or "人次",
                availability=availability_of(when),
            )
        )
    return resources, errors


def read_files(
    needs_name: str, needs_data: bytes, resources_name: str, resources_data: bytes
) -> ListFile:
    """Both files, given as bytes (an upload), as records, with every row error of both
    (needs first). The upload's limits apply."""
    taxonomy = Taxonomy.load()
    places = Places.load()
    needs, need_errors = read_needs(
        spreadsheets.read_table(needs_name, needs_data), taxonomy, places
    )
    compounds = frozenset(n.compound_id for n in needs if n.compound_id)
    resources, resource_errors = read_resources(
        spreadsheets.read_table(resources_name, resources_data), taxonomy, places, compounds
    )
    return ListFile(needs, resources, need_errors + resource_errors)


def _read_path(
    path: Path, read: Callable[[Stream], Any], label: str, progress: Progress | None
) -> Any:
    for encoding in ("utf-8", "gb18030"):
        try:
            stream, close = open_stream(path, encoding)
        except _Restart:
            continue
        try:
            return read(Stream(stream.headers, _counted(stream.rows, label, progress)))
        except _Restart:
            continue
        finally:
            close()
    raise spreadsheets.ImportFileError(
        "import.bad_encoding", _("The CSV file is neither UTF-8 nor GB18030 text.")
    )


def read_paths(
    needs_path: Path, resources_path: Path, progress: Progress | None = None
) -> ListFile:
    """Both files, read from disk as streams of any length, as records, with every row error
    of both (needs first). ``progress(label, rows)`` is told every 10,000 rows."""
    taxonomy = Taxonomy.load()
    places = Places.load()
    needs, need_errors = _read_path(
        needs_path, lambda t: read_needs(t, taxonomy, places), "needs", progress
    )
    compounds = frozenset(n.compound_id for n in needs if n.compound_id)
    resources, resource_errors = _read_path(
        resources_path,
        lambda t: read_resources(t, taxonomy, places, compounds),
        "resources",
        progress,
    )
    return ListFile(needs, resources, need_errors + resource_errors)
