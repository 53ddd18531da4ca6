"""Households imported from the residents' register, as staff keep it in Excel."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from wulian.audit.models import AuditEntry
from wulian.core.errors import NotAllowed
from wulian.council import register
from wulian.council.models import Household, HouseholdMember


def register_file(rows: list[list[Any]], title: str | None = "江汉北路42号小区居民花名册") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.append([title])
        sheet.merge_cells("A1:F1")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Traditional script and the words staff write: 棟號, 房間號, 面積（㎡）, 戶主, 手機號.
HEADER: list[Any] = ["小區", "棟號", "單元", "房間號", "建筑面积（㎡）", "戶主", "手機號"]
GOOD: list[list[Any]] = [
    HEADER,
    ["江汉北路42号小区", "5栋", 2.0, "301室", 88.5, "代表赵", "139 1000 0004"],
    ["", 5, 2, 302, "76平方米", "", ""],
    ["江漢北路42號小區", "6", "", "101", 64, "", "13800000999"],
    ["合计", "", "", "", "229", "", ""],
]
BAD: list[list[Any]] = [
    HEADER,
    ["江汉北路42号小区", "5", "2", "301", "八十", "", ""],
    ["长春街小区", "5", "2", "303", 70, "", ""],
    ["", "", "2", "304", 70, "", ""],
    ["", "5", "2", "301", 70, "", ""],
    ["", "7", "1", "101", 70, "错名字", "13910000004"],
    ["", "7", "1", "102", 70, "", "12345"],
]


def upload(client: Any, cw: Any, data: bytes, name: str = "花名册.xlsx") -> Any:
    file = io.BytesIO(data)
    file.name = name
    return client.post(f"/council/{cw.council.pk}/households/import/", {"file": file})


def test_the_check_reports_every_bad_row_with_its_column_and_writes_nothing(cw, client):
    client.force_login(cw.staff)
    before = Household.objects.count()
    sent = upload(client, cw, register_file(BAD))
    assert sent.status_code == 302
    page = client.get(sent["Location"])
    body = page.content.decode()
    assert "表头在第 2 行。" in body
    report = page.context["report"]
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "建筑面积（㎡）"),
        (4, "小區"),
        (5, "棟號"),
        (6, ""),
        (7, "戶主"),
        (8, "手機號"),
    }
    assert "请填写建筑面积（平方米），如 68.5。" in body
    assert "本社区没有“长春街小区”这个小区。" in body
    assert "同一户已在第 3 行。" in body
    assert "该手机号属于另一姓名的人" in body
    assert "/confirm/" not in body
    refused = client.post(sent["Location"] + "confirm/", follow=True)
    assert "未导入任何内容" in refused.content.decode()
    assert Household.objects.count() == before


def test_a_good_register_under_a_title_imports_every_flat_at_once(cw, client):
    client.force_login(cw.staff)
    before = Household.objects.count()
    sent = upload(client, cw, register_file(GOOD))
    check = client.get(sent["Location"])
    report = check.context["report"]
    assert report.is_valid, [str(e) for e in report.errors]
    assert [p.row for p in report.to_create] == [3, 4, 5]
    assert [s.reason for s in report.skipped] == ["title", "footer"]
    assert len(report.notes) == 1 and report.notes[0].row == 5
    done = client.post(sent["Location"] + "confirm/", follow=True)
    assert "新建 3 户，更新 0 户，未变 0 户" in done.content.decode()
    assert Household.objects.count() == before + 3
    flat = Household.objects.get(compound=cw.world.compound, building="5", unit="2", room="301")
    assert flat.floor_area == Decimal("88.50") and flat.representative == cw.representative
    assert HouseholdMember.objects.get(user=cw.representative).confirmed
    assert Household.objects.get(building="5", room="302").floor_area == Decimal("76.00")
    assert Household.objects.get(building="6", room="101").representative is None
    assert AuditEntry.objects.filter(action="council.households_imported").count() == 1
    # The same file again, one area corrected: one update, the rest unchanged.
    rows = [list(r) for r in GOOD]
    rows[2][4] = 77
    again = register.check_register(
        cw.staff,
        cw.council,
        register.read_register("x.xlsx", register_file(rows, title=None)),
        "x.xlsx",
    )
    assert [p.row for p in again.to_update] == [3] and len(again.unchanged) == 2


def test_the_template_reads_back_as_a_valid_register(cw, client):
    client.force_login(cw.staff)
    template = client.get(f"/council/{cw.council.pk}/households/template.xlsx")
    assert template.status_code == 200
    table = register.read_register("t.xlsx", template.content)
    report = register.check_register(cw.staff, cw.council, table, "t.xlsx")
    assert report.is_valid and len(report.to_create) == 1


def test_a_file_without_the_register_columns_is_refused_with_what_is_missing(cw, client):
    client.force_login(cw.staff)
    page = upload(client, cw, register_file([["姓名", "电话"], ["张", "1"]], title=None))
    assert page.status_code == 200
    assert "楼栋" in page.content.decode() and "房号" in page.content.decode()


@pytest.mark.parametrize(
    "role", ["resident", "outsider", "unit_admin", "chair", "secretary", "representative"]
)
def test_only_the_communitys_staff_import_households(cw, client, role):
    person = getattr(cw, role, None) or cw.world[role]
    client.force_login(person)
    assert client.get(f"/council/{cw.council.pk}/households/import/").status_code in {403, 404}
    assert client.get(f"/council/{cw.council.pk}/households/template.xlsx").status_code in {
        403,
        404,
    }
    with pytest.raises(NotAllowed):
        register.check_register(
            person,
            cw.council,
            register.read_register("g.xlsx", register_file(GOOD)),
            "g.xlsx",
        )


def test_the_subdistricts_staff_may_import_too(cw, client):
    client.force_login(cw.world["subdistrict_staff"])
    assert client.get(f"/council/{cw.council.pk}/households/import/").status_code == 200


def test_a_waiting_file_belongs_to_the_person_who_uploaded_it(cw, client):
    client.force_login(cw.staff)
    sent = upload(client, cw, register_file(GOOD))
    client.force_login(cw.world["subdistrict_staff"])
    assert client.get(sent["Location"]).status_code == 404
    assert client.post(sent["Location"] + "confirm/").status_code == 404


def test_the_command_checks_then_imports_the_register(cw, tmp_path):
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(register_file(BAD))
    with pytest.raises(CommandError):
        call_command("council", "households", str(cw.council.pk), str(bad), "--as", "13900000004")
    assert not Household.objects.filter(building="5").exists()
    good = tmp_path / "good.xlsx"
    good.write_bytes(register_file(GOOD))
    out = io.StringIO()
    call_command(
        "council", "households", str(cw.council.pk), str(good), "--as", "13900000004", stdout=out
    )
    assert json.loads(out.getvalue())["created"] == 3
    assert Household.objects.filter(building="5").count() == 2
