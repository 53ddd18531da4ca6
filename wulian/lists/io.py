"""Excel in, Excel out: the needs and resources lists as .xlsx and .csv files.

Reading turns a file into a `Table`; `plan_import` checks every row and says what an import
would do (an `ImportReport`); `apply_import` writes it through the same services as the pages,
so every change is audited like a page edit. Exporters yield a header row and then rows, which
`render_xlsx` and `render_csv` turn into files; every export is recorded in the audit log.

Rules of an import:
- The header row may use the English key or the Chinese label, in either script.
- A row whose id matches a list entry of the community (its external id, or the ``N12`` /
  ``R12`` an export writes for an entry without one) updates that entry; other rows create.
  Rows without an id always create.
- Only the columns present in the file change an existing entry; an empty cell clears it.
- A new need's deadline may not be in the past, and neither may the deadline of a need the
  file changes: the services refuse both.
- Nothing is written unless every row is valid, or the caller asks for the valid rows only.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.db.models import Avg, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wulian.accounts.models import User
from wulian.core.errors import DomainError, NotAllowed
from wulian.core.text import fold
from wulian.lists import services
from wulian.lists.models import Category, Need, PartyKind, Project, Resource
from wulian.orgs.models import Organization
from wulian.places.models import Region

Cell = str | int | float | Decimal | datetime.date | None

IMPORT_KINDS: tuple[str, ...] = ("needs", "resources")
EXPORT_KINDS: tuple[str, ...] = ("needs", "resources", "projects")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


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
_CATEGORY_SEPARATOR = re.compile(r"\s*[·/>＞、|]\s*")
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_PK_ID = {"needs": re.compile(r"^N([1-9]\d*)$"), "resources": re.compile(r"^R([1-9]\d*)$")}


def columns_for(kind: str) -> tuple[Column, ...]:
    if kind == "needs":
        return NEED_COLUMNS
    if kind == "resources":
        return RESOURCE_COLUMNS
    if kind == "projects":
        return PROJECT_COLUMNS
    raise DomainError("import.bad_kind", _("Unknown list: %(kind)s.") % {"kind": kind})


def _header_key(text: str) -> str:
    return re.sub(r"[\s*]", "", fold(text))


# ---------------------------------------------------------------- reading


class ImportFileError(DomainError):
    """The file as a whole cannot be imported: wrong type, unreadable, too big, no title column."""


@dataclass
class Table:
    """The first sheet of a file: its header cells as written, and its non-blank rows."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number as the spreadsheet shows it, cells)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _finish(raw_rows: Iterable[Sequence[Any]]) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(raw_rows, start=1):
        if all(_blank(cell) for cell in cells):
            continue
        if headers is None:
            headers = ["" if cell is None else str(cell).strip() for cell in cells]
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                "import.too_many_rows",
                _("The file has more than %(n)d rows; split it into smaller files.")
                % {"n": MAX_ROWS},
            )
        rows.append((number, list(cells)))
    if headers is None:
        raise ImportFileError("import.empty", _("The file is empty."))
    return Table(headers, rows)


def _read_xlsx(data: bytes) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged file
        raise ImportFileError(
            "import.unreadable", _("The file could not be read as a spreadsheet.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read every cell
        return _finish(sheet.iter_rows(values_only=True))
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(
            "import.unreadable", _("The file could not be read as a spreadsheet.")
        ) from exc
    finally:
        workbook.close()


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # what Excel saves in a Chinese Windows
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "import.bad_encoding", _("The CSV file is neither UTF-8 nor GB18030 text.")
        ) from exc


def _read_csv(data: bytes) -> Table:
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    try:
        return _finish(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(
            "import.unreadable", _("The file could not be read as a spreadsheet.")
        ) from exc


def read_table(filename: str, data: bytes) -> Table:
    """Read the first sheet of an .xlsx file, or a .csv file, into a `Table`."""
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
            raise ImportFileError(
                "import.unreadable", _("The file could not be read as a spreadsheet.")
            )
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
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


@dataclass
class ImportReport:
    kind: str
    community_id: int
    total_rows: int = 0
    rows: list[PlannedRow] = field(default_factory=list)  # the valid rows
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
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
        return [(row, [e for e in self.errors if e.row == row]) for row in self.error_rows]


# ---------------------------------------------------------------- checking rows


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
    return str(value).strip()


def _limited(value: str, limit: int) -> str:
    if len(value) > limit:
        raise _Invalid(_("Keep this under %(n)d characters.") % {"n": limit})
    return value


def _one_of(value: str, words: Mapping[str, Any], english: Iterable[str] = ()) -> Any:
    key = fold(value).replace(" ", "")
    for word, result in words.items():
        if key == fold(word):
            return result
    if key in set(english):  # the stored value itself, e.g. "school"
        return key
    raise _Invalid(
        _("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": "、".join(words)}
    )


def parse_whole_number(value: Any) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise _Invalid(_("Write a whole number, 0 or more."))
    if isinstance(value, int | float | Decimal):
        if value != int(value) or value < 0:
            raise _Invalid(_("Write a whole number, 0 or more."))
        number = int(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        if not text.isdigit():
            raise _Invalid(_("Write a whole number, 0 or more."))
        number = int(text)
    if number > 2_000_000_000:
        raise _Invalid(_("Write a whole number, 0 or more."))
    return number


def parse_date(value: Any) -> datetime.date | None:
    """An Excel date cell or day number, or text like 2025-06-30, 2025/6/30 or 2025年6月30日."""
    if _blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        from openpyxl.utils.datetime import from_excel

        converted = from_excel(value)
        if isinstance(converted, datetime.datetime):
            return converted.date()
        if isinstance(converted, datetime.date):
            return converted
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise _Invalid(_("“%(value)s” is not a date; write it like 2025-06-30.") % {"value": text})


class _Lookups:
    """Categories, compounds, regions and organisations, loaded once per import."""

    def __init__(self, community: Region) -> None:
        self.community = community
        categories = list(Category.objects.filter(is_active=True).select_related("parent"))
        self.categories_by_name: dict[str, list[Category]] = {}
        self.categories_by_path: dict[tuple[str, str], Category] = {}
        for category in categories:
            self.categories_by_name.setdefault(fold(category.name), []).append(category)
            if category.parent is not None:
                key = (fold(category.parent.name), fold(category.name))
                self.categories_by_path[key] = category
        self.compounds = {fold(c.name): c for c in community.compounds.all()}
        city = community.ancestor_ids[0] if community.ancestor_ids else community.pk
        self.regions: dict[str, list[Region]] = {}
        for region in Region.objects.filter(path__startswith=f"/{city}/"):
            self.regions.setdefault(fold(region.name), []).append(region)
        district = next(
            (r for r in community.ancestors() if r.level == Region.Level.DISTRICT), community
        )
        self.organizations: dict[str, Organization] = {
            fold(org.name): org
            for org in Organization.objects.filter(
                region__path__startswith=district.path, is_active=True
            )
        }

    def category(self, value: str) -> Category | None:
        if not value:
            return None
        parts = _CATEGORY_SEPARATOR.split(fold(value))
        if len(parts) == 2:
            found = self.categories_by_path.get((parts[0], parts[1]))
            if found is not None:
                return found
        matches = self.categories_by_name.get(fold(value).strip(), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            top = [c for c in matches if c.parent_id is None]
            if len(top) == 1:
                return top[0]
            raise _Invalid(
                _("Several categories are called “%(value)s”; write it as %(example)s.")
                % {"value": value, "example": str(matches[0])}
            )
        raise _Invalid(_("“%(value)s” is not a known category.") % {"value": value})

    def category_label(self, category: Category) -> str:
        if len(self.categories_by_name.get(fold(category.name), [])) > 1:
            return str(category)
        return category.name

    def compound(self, value: str) -> Any:
        if not value:
            return None
        found = self.compounds.get(fold(value))
        if found is None:
            names = "、".join(c.name for c in self.compounds.values())
            raise _Invalid(
                _("“%(value)s” is not a compound of %(community)s (its compounds: %(names)s).")
                % {"value": value, "community": self.community.name, "names": names or "—"}
            )
        return found

    def region(self, value: str) -> Region | None:
        if not value:
            return None
        matches = self.regions.get(fold(value), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            near = [r for r in matches if r.is_within(self.community) or r.pk == self.community.pk]
            near = near or [r for r in matches if self.community.is_within(r)]
            if len(near) == 1:
                return near[0]
            raise _Invalid(_("Several regions are called “%(value)s”.") % {"value": value})
        raise _Invalid(_("“%(value)s” is not a known region.") % {"value": value})


def _existing(kind: str, community: Region, ids: list[str]) -> dict[str, Need | Resource]:
    """Entries of the community that rows with these ids update, by id."""
    entries: QuerySet[Any] = (
        Need.objects.select_related("community", "category", "compound")
        if kind == "needs"
        else Resource.objects.select_related(
            "community", "category", "service_area", "provider_org", "provider_user"
        )
    )
    entries = entries.filter(community=community).prefetch_related("tags")
    found: dict[str, Need | Resource] = {
        obj.external_id: obj for obj in entries.filter(external_id__in=ids)
    }
    pks = {
        int(match.group(1)): text
        for text in ids
        if text not in found and (match := _PK_ID[kind].match(text))
    }
    if pks:
        for obj in entries.filter(external_id="", pk__in=list(pks)):
            found[pks[obj.pk]] = obj
    return found


def _tag_names(obj: Need | Resource) -> list[str]:
    return sorted(tag.name for tag in obj.tags.all())


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
    def __init__(self, report: ImportReport, number: int, cells: Mapping[str, Any]) -> None:
        self.report = report
        self.number = number
        self.cells = cells
        self.ok = True

    def has(self, key: str) -> bool:
        return key in self.cells

    def get(self, key: str, parse: Any, default: Any = None) -> Any:
        """The parsed cell, or `default` when the column is absent or the cell is invalid."""
        if key not in self.cells:
            return default
        header, raw = self.cells[key]
        try:
            return parse(raw)
        except _Invalid as exc:
            self.fail(header, exc.message)
            return default

    def header(self, key: str) -> str:
        return str(self.cells[key][0]) if key in self.cells else ""

    def fail(self, column: str, message: str) -> None:
        self.ok = False
        self.report.errors.append(RowError(self.number, column, message))

    def warn(self, column: str, message: str) -> None:
        self.report.warnings.append(RowError(self.number, column, message))


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
        changes["deadline"] = check.get("deadline", parse_date)
    if check.has("urgency"):
        changes["urgency"] = check.get(
            "urgency",
            lambda v: _one_of(_text(v), URGENCY_WORDS) if _text(v) else Need.Urgency.NORMAL,
        )
    if check.has("tags"):
        changes["tags"] = services.split_tags(_text(check.cells["tags"][1]))
    raiser_kind = check.get(
        "raised_by", lambda v: _one_of(_text(v), PARTY_WORDS, PartyKind.values) if _text(v) else ""
    )
    data = replace(base, **changes)
    if not check.ok:
        return None
    today = timezone.localdate()
    if existing is None:
        if data.deadline is not None and data.deadline < today:
            check.fail(check.header("deadline"), _("The deadline has already passed."))
            return None
        options = {"raiser_kind": raiser_kind or None, "external_id": external_id}
        return PlannedRow(check.number, "create", external_id, title, need=data, options=options)
    if not _need_changed(existing, data):
        return PlannedRow(check.number, "unchanged", external_id, title, existing, need=data)
    if existing.state not in services.OPEN_STATES:
        check.fail(
            "",
            _("This need is already %(state)s; an import cannot change it.")
            % {"state": existing.get_state_display()},
        )
        return None
    if data.deadline is not None and data.deadline < today:
        check.fail(check.header("deadline"), _("The deadline has already passed."))
        return None
    if raiser_kind and raiser_kind != existing.raiser_kind:
        check.warn(
            check.header("raised_by"),
            _("Who raised an existing need is not changed by an import."),
        )
    return PlannedRow(check.number, "update", external_id, title, existing, need=data)


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
        changes["capacity_text"] = check.get("capacity", lambda v: _limited(_text(v), 100))
    if check.has("service_area"):
        changes["service_area"] = check.get("service_area", lambda v: lookups.region(_text(v)))
    if check.has("availability"):
        changes["availability"] = check.get("availability", lambda v: _limited(_text(v), 200))
    if check.has("tags"):
        changes["tags"] = services.split_tags(_text(check.cells["tags"][1]))
    provider = check.get("provider", lambda v: _limited(_text(v), 150), "")
    provider_kind = check.get(
        "provider_kind",
        lambda v: _one_of(_text(v), PARTY_WORDS, PartyKind.values) if _text(v) else "",
        "",
    )
    data = replace(base, **changes)
    if existing is None and not provider:
        check.fail(
            check.header("provider"),
            _("Name the organisation or person who offers this resource."),
        )
    if not check.ok:
        return None
    if existing is None:
        org = lookups.organizations.get(fold(provider))
        options: dict[str, Any] = {"external_id": external_id}
        if org is not None:
            options["provider_org"] = org
        else:
            options["provider_name"] = provider
            options["provider_kind"] = provider_kind or PartyKind.RESIDENT
        return PlannedRow(
            check.number, "create", external_id, title, resource=data, options=options
        )
    if not _resource_changed(existing, data):
        return PlannedRow(check.number, "unchanged", external_id, title, existing, resource=data)
    if (provider and fold(provider) != fold(existing.provider_display)) or (
        provider_kind and provider_kind != existing.provider_kind
    ):
        check.warn(
            check.header("provider") or check.header("provider_kind"),
            _("Who offers an existing resource is not changed by an import."),
        )
    return PlannedRow(check.number, "update", external_id, title, existing, resource=data)


def plan_import(kind: str, community: Region, table: Table) -> ImportReport:
    """Check every row of the table and say what importing it would do. Writes nothing."""
    columns = {column.key: column for column in columns_for(kind)}
    if kind not in IMPORT_KINDS:
        raise DomainError("import.bad_kind", _("Unknown list: %(kind)s.") % {"kind": kind})
    report = ImportReport(kind=kind, community_id=community.pk, total_rows=len(table.rows))
    by_header = {_header_key(c.key): c.key for c in columns.values()}
    by_header.update({_header_key(c.label): c.key for c in columns.values()})
    positions: dict[str, tuple[int, str]] = {}  # key -> (cell index, header as written)
    for index, header in enumerate(table.headers):
        if not header:
            continue
        key = by_header.get(_header_key(header))
        if key is None or key in positions:
            report.ignored_columns.append(header)
        else:
            positions[key] = (index, header)
    if "title" not in positions:
        raise ImportFileError(
            "import.no_title",
            _("The file has no “%(column)s” column.") % {"column": TITLE.label},
        )
    lookups = _Lookups(community)
    ids = [
        _text(cells[positions["id"][0]])
        if "id" in positions and positions["id"][0] < len(cells)
        else ""
        for _number, cells in table.rows
    ]
    existing = _existing(kind, community, [i for i in ids if i])
    seen: dict[str, int] = {}
    for (number, cells), external_id in zip(table.rows, ids, strict=True):
        row_cells = {
            key: (header, cells[index] if index < len(cells) else None)
            for key, (index, header) in positions.items()
        }
        check = _RowChecker(report, number, row_cells)
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
    return report


# ---------------------------------------------------------------- applying


def check_can_manage(actor: Any, community: Region, *, exporting: bool = False) -> None:
    if not community.is_community or not actor.has_perm("lists.manage_lists", community):
        if exporting:
            raise NotAllowed(
                "export.not_staff", _("Only the community's staff can export its lists.")
            )
        raise NotAllowed("import.not_staff", _("Only the community's staff can import its lists."))


class _Abort(Exception):
    pass


def _apply_row(actor: User, community: Region, kind: str, planned: PlannedRow) -> None:
    if kind == "needs":
        assert planned.need is not None
        if planned.action == "create":
            services.raise_need(actor, community, planned.need, **planned.options)
        else:
            assert isinstance(planned.target, Need)
            services.update_need(actor, planned.target, planned.need)
    else:
        assert planned.resource is not None
        if planned.action == "create":
            services.create_resource(actor, community, planned.resource, **planned.options)
        else:
            assert isinstance(planned.target, Resource)
            services.update_resource(actor, planned.target, planned.resource)


def apply_import(
    actor: User, community: Region, report: ImportReport, *, valid_only: bool = False
) -> ImportReport:
    """Write a planned import in one transaction, through the services.

    With errors in the file nothing is written, unless `valid_only`: then the valid rows are
    written and `report.skipped` lists the others. A service that refuses a row counts as an
    error of that row.
    """
    check_can_manage(actor, community)
    if report.errors and not valid_only:
        return report
    work = [row for row in report.rows if row.action != "unchanged"]
    created = updated = 0
    failed: set[int] = set()
    try:
        with transaction.atomic():
            for planned in work:
                try:
                    if valid_only:
                        with transaction.atomic():
                            _apply_row(actor, community, report.kind, planned)
                    else:
                        _apply_row(actor, community, report.kind, planned)
                except (DomainError, IntegrityError) as exc:
                    message = (
                        str(exc.message)
                        if isinstance(exc, DomainError)
                        else _("Another entry with this id was saved meanwhile; import again.")
                    )
                    report.errors.append(RowError(planned.row, "", message))
                    failed.add(planned.row)
                    if not valid_only:
                        raise _Abort from exc
                    continue
                if planned.action == "create":
                    created += 1
                else:
                    updated += 1
    except _Abort:
        report.errors.sort(key=lambda e: e.row)
        return report
    report.rows = [row for row in report.rows if row.row not in failed]
    report.errors.sort(key=lambda e: e.row)
    report.created, report.updated, report.applied = created, updated, True
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
) -> ImportReport:
    """Read, check and (unless `dry_run`) apply a file. Raises `ImportFileError` for a bad file."""
    check_can_manage(actor, community)
    report = plan_import(kind, community, read_table(filename, data))
    if dry_run:
        return report
    return apply_import(actor, community, report, valid_only=valid_only)


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
        sheet.append(list(row))
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
        writer.writerow(
            ["" if v is None else v.isoformat() if isinstance(v, datetime.date) else v for v in row]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes
    rows: int


EXPORT_FILTERS: dict[str, tuple[str, ...]] = {
    "needs": ("state", "category", "compound", "urgency", "q"),
    "resources": ("state", "category", "q"),
    "projects": ("state",),
}


def export_queryset(kind: str, community: Region, filters: Mapping[str, str]) -> QuerySet[Any]:
    """The community's list, narrowed by the filters a list page uses."""
    state = filters.get("state", "")
    category = filters.get("category", "")
    query = filters.get("q", "").strip()
    if kind == "needs":
        needs = Need.objects.filter(community=community).order_by("created_at", "id")
        if state:
            needs = needs.filter(state=state)
        if category.isdigit():
            needs = needs.filter(category_id=int(category)) | needs.filter(
                category__parent_id=int(category)
            )
        if filters.get("compound", "").isdigit():
            needs = needs.filter(compound_id=int(filters["compound"]))
        if filters.get("urgency", "").isdigit():
            needs = needs.filter(urgency=int(filters["urgency"]))
        if query:
            needs = needs.filter(services.needs_matching(query))
        return needs
    if kind == "resources":
        resources = Resource.objects.filter(community=community).order_by("created_at", "id")
        if state:
            resources = resources.filter(status=state)
        if category.isdigit():
            resources = resources.filter(category_id=int(category)) | resources.filter(
                category__parent_id=int(category)
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
