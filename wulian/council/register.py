"""Households from the residents' register (居民花名册), as .xlsx or .csv.

Read with the lists' reader, so the file follows the same conventions: a title row above the
header is passed over, header words have synonyms in both scripts, totals below the list are
skipped. `check_register` reports every bad row (row, column, what is wrong) and writes
nothing; `import_register` checks again and writes all rows or none.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User, normalize_mobile
from wulian.audit import services as audit
from wulian.core.errors import NotAllowed
from wulian.core.text import fold
from wulian.council.models import Council, Household, HouseholdMember
from wulian.lists import spreadsheets
from wulian.lists.spreadsheets import Headers, RowError, Table
from wulian.places.models import Compound

audit.register_actions({"council.households_imported": gettext_lazy("imported households")})

# The columns of the register: the label the template writes, then the words staff use.
COLUMNS: dict[str, tuple[str, ...]] = {
    "compound": ("小区", "小区名称", "所在小区", "compound"),
    "building": ("楼栋", "栋", "楼号", "栋号", "楼栋号", "幢", "幢号", "building"),
    "unit": ("单元", "单元号", "unit"),
    "room": ("房号", "室", "房间号", "门牌号", "房屋号", "户号", "room"),
    "floor_area": ("建筑面积", "面积", "房屋面积", "住房面积", "产权面积", "floor area", "area"),
    "name": ("户代表", "户主", "户主姓名", "户代表姓名", "姓名", "representative"),
    "mobile": ("联系电话", "手机", "手机号", "手机号码", "电话", "mobile"),
}
HEADERS = Headers.of(COLUMNS, anchor="room")
REQUIRED = ("building", "room", "floor_area")
_SUFFIX = {
    "building": re.compile(r"(号楼|栋|幢|楼|號樓|棟)$"),
    "unit": re.compile(r"(单元|單元)$"),
    "room": re.compile(r"(室|号|號)$"),
}
_AREA = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:m2|m²|㎡|平方米|平米|平)?\s*$", re.IGNORECASE)


def _label(key: str) -> str:
    return COLUMNS[key][0]


@dataclass(frozen=True)
class PlannedHousehold:
    row: int
    compound: Compound
    building: str
    unit: str
    room: str
    floor_area: Decimal
    representative: User | None
    existing: Household | None

    @property
    def address(self) -> str:
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.compound.name} {self.building}栋{unit}{self.room}室"

    @property
    def changed(self) -> bool:
        if self.existing is None:
            return True
        return self.existing.floor_area != self.floor_area or (
            self.representative is not None
            and self.existing.representative_id != self.representative.pk
        )


@dataclass
class RegisterReport:
    filename: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)
    planned: list[PlannedHousehold] = field(default_factory=list)
    skipped: list[spreadsheets.SkippedRow] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def to_create(self) -> list[PlannedHousehold]:
        return [p for p in self.planned if p.existing is None]

    @property
    def to_update(self) -> list[PlannedHousehold]:
        return [p for p in self.planned if p.existing is not None and p.changed]

    @property
    def unchanged(self) -> list[PlannedHousehold]:
        return [p for p in self.planned if not p.changed]


def _check_allowed(actor: User, council: Council) -> None:
    if not actor.has_perm("council.manage_council", council):
        raise NotAllowed("council.not_allowed", _("Only the community's staff can do this."))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _part(key: str, value: Any) -> str:
    text = re.sub(r"\s", "", fold(_cell_text(value)))
    return _SUFFIX[key].sub("", text) if key in _SUFFIX else text


def read_register(filename: str, data: bytes) -> Table:
    """The register's table; a file that is not a register at all is refused."""
    table = spreadsheets.read_table(filename, data, HEADERS)
    keys = {HEADERS.key_of(header) for header in table.headers}
    missing = [_label(key) for key in REQUIRED if key not in keys]
    if missing:
        raise spreadsheets.ImportFileError(
            "register.missing_columns",
            _("The file has no column %(columns)s; download the template to see its columns.")
            % {"columns": "、".join(missing)},
        )
    return table


class _Rows:
    """What each row means, with every problem found in it."""

    def __init__(self, council: Council, table: Table, report: RegisterReport) -> None:
        self.council = council
        self.report = report
        self.positions: dict[str, int] = {}
        self.written: dict[str, str] = {}
        for position, header in enumerate(table.headers):
            key = HEADERS.key_of(header)
            if key is not None and key not in self.positions:
                self.positions[key] = position
                self.written[key] = header
        compounds = Compound.objects.filter(community=council.community)
        self.compounds = {re.sub(r"\s", "", fold(c.name)): c for c in compounds}
        self.seen: dict[tuple[int, str, str, str], int] = {}

    def value(self, cells: Sequence[Any], key: str) -> Any:
        position = self.positions.get(key)
        return cells[position] if position is not None and position < len(cells) else None

    def error(self, row: int, key: str, message: str) -> None:
        self.report.errors.append(RowError(row, self.written.get(key, _label(key)), message))

    def compound(self, row: int, cells: Sequence[Any]) -> Compound | None:
        written = _part("compound", self.value(cells, "compound"))
        if not written:
            if self.council.compound is not None:
                return self.council.compound
            self.error(row, "compound", _("Enter the compound."))
            return None
        found = self.compounds.get(written)
        if found is None:
            self.error(
                row,
                "compound",
                _("There is no compound “%(name)s” in this community.") % {"name": written},
            )
            return None
        if self.council.compound is not None and found.pk != self.council.compound_id:
            self.error(
                row,
                "compound",
                _("“%(name)s” is not this council's compound.") % {"name": found.name},
            )
            return None
        return found

    def area(self, row: int, cells: Sequence[Any]) -> Decimal | None:
        value = self.value(cells, "floor_area")
        match = _AREA.match(fold(_cell_text(value)))
        try:
            area = Decimal(match.group(1)).quantize(Decimal("0.01")) if match else None
        except InvalidOperation:
            area = None
        if area is None or area <= 0 or area >= Decimal("100000"):
            self.error(row, "floor_area", _("Enter the floor area in m², e.g. 68.5."))
            return None
        return area

    def representative(self, row: int, cells: Sequence[Any]) -> User | None:
        written = _cell_text(self.value(cells, "mobile"))
        if not written:
            return None
        mobile = normalize_mobile(written)
        if not re.fullmatch(r"1[3-9]\d{9}", mobile):
            self.error(
                row, "mobile", _("Enter an 11-digit mainland mobile number, e.g. 13812345678.")
            )
            return None
        person = User.objects.filter(mobile=mobile, is_active=True).first()
        if person is None:
            self.report.notes.append(
                RowError(
                    row,
                    self.written.get("mobile", _label("mobile")),
                    _(
                        "Nobody with this number uses the platform yet: the household is "
                        "imported without its representative."
                    ),
                )
            )
            return None
        name = re.sub(r"\s", "", fold(_cell_text(self.value(cells, "name"))))
        if name and re.sub(r"\s", "", fold(person.real_name)) != name:
            self.error(
                row,
                "name",
                _("This number belongs to someone of another name; check the name and number."),
            )
            return None
        return person

    def plan(self, row: int, cells: Sequence[Any]) -> PlannedHousehold | None:
        errors_before = len(self.report.errors)
        compound = self.compound(row, cells)
        parts = {key: _part(key, self.value(cells, key)) for key in ("building", "unit", "room")}
        for key, message in (
            ("building", _("Enter the building.")),
            ("room", _("Enter the room.")),
        ):
            if not parts[key]:
                self.error(row, key, message)
        for key in ("building", "unit", "room"):
            if len(parts[key]) > 20:
                self.error(row, key, _("At most 20 characters."))
        area = self.area(row, cells)
        representative = self.representative(row, cells)
        if compound is not None and parts["building"] and parts["room"]:
            address = (compound.pk, parts["building"], parts["unit"], parts["room"])
            if address in self.seen:
                self.report.errors.append(
                    RowError(
                        row,
                        "",
                        _("The same flat is already on row %(row)d.") % {"row": self.seen[address]},
                    )
                )
            else:
                self.seen[address] = row
        if len(self.report.errors) > errors_before or compound is None or area is None:
            return None
        existing = Household.objects.filter(
            compound=compound, building=parts["building"], unit=parts["unit"], room=parts["room"]
        ).first()
        return PlannedHousehold(
            row,
            compound,
            parts["building"],
            parts["unit"],
            parts["room"],
            area,
            representative,
            existing,
        )


def _plan(council: Council, table: Table, filename: str) -> RegisterReport:
    report = RegisterReport(filename, rows=len(table.rows), skipped=list(table.skipped))
    rows = _Rows(council, table, report)
    for number, cells in table.rows:
        planned = rows.plan(number, cells)
        if planned is not None:
            report.planned.append(planned)
    if not table.rows:
        report.errors.append(RowError(table.header_row, "", _("The file has no households.")))
    return report


def check_register(actor: User, council: Council, table: Table, filename: str) -> RegisterReport:
    """What importing the file would do, and every problem of every row; writes nothing."""
    _check_allowed(actor, council)
    return _plan(council, table, filename)


def import_register(actor: User, council: Council, table: Table, filename: str) -> RegisterReport:
    """Write every household of the file, or none when any row is wrong."""
    _check_allowed(actor, council)
    with transaction.atomic():
        report = _plan(council, table, filename)
        if not report.is_valid:
            return report
        for planned in report.planned:
            if planned.existing is None:
                household = Household.objects.create(
                    compound=planned.compound,
                    building=planned.building,
                    unit=planned.unit,
                    room=planned.room,
                    floor_area=planned.floor_area,
                    representative=planned.representative,
                )
                report.created += 1
            elif planned.changed:
                household = Household.objects.select_for_update().get(pk=planned.existing.pk)
                household.floor_area = planned.floor_area
                if planned.representative is not None:
                    household.representative = planned.representative
                household.save(update_fields=["floor_area", "representative"])
                report.updated += 1
            else:
                continue
            if planned.representative is not None:
                HouseholdMember.objects.update_or_create(
                    user=planned.representative,
                    defaults={"household": household, "confirmed": True},
                )
        audit.record(
            actor,
            "council.households_imported",
            council,
            after={
                "file": filename[:200],
                "created": report.created,
                "updated": report.updated,
                "unchanged": len(report.unchanged),
            },
            community=council.community,
        )
    return report


def template_rows(council: Council) -> list[list[Any]]:
    compound = council.compound or Compound.objects.filter(community=council.community).first()
    headers: list[Any] = [_label(key) for key in COLUMNS]
    example: list[Any] = [
        compound.name if compound else "江汉北路42号小区",
        "12",
        "2",
        "1201",
        68.5,
        "张阿姨",
        "13800000000",
    ]
    return [headers, example]


def template_file(council: Council) -> bytes:
    return spreadsheets.render_xlsx(template_rows(council), "households")


def messages_of(errors: Iterable[RowError]) -> list[str]:
    return [str(error) for error in errors]
