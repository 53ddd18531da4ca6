"""Excel in, Excel out: importing and exporting the needs and resources lists."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import include, path, reverse
from django.utils import timezone, translation

import wulian.urls
from wulian.audit.models import AuditEntry
from wulian.core.errors import DomainError
from wulian.lists import services
from wulian.lists import spreadsheets as lists_io
from wulian.lists.import_views import urlpatterns_io
from wulian.lists.models import Category, Need, PartyKind, Project, Resource

try:
    from wulian.lists.urls import urlpatterns as list_urls
except ImportError:  # the list pages are not wired yet
    list_urls = []

# The import pages join the "lists" namespace; the tests serve them there whether or not
# wulian/lists/urls.py includes them yet.
_io_names = {pattern.name for pattern in urlpatterns_io}
_wired = any(getattr(pattern, "name", None) in _io_names for pattern in list_urls)
urlpatterns = [
    *(p for p in wulian.urls.urlpatterns if getattr(p, "namespace", None) != "lists"),
    path("lists/", include(([*list_urls, *([] if _wired else urlpatterns_io)], "lists"))),
]
pages = pytest.mark.urls(__name__)

NEED_HEADER = [
    "编号",
    "标题",
    "描述",
    "类别",
    "小区",
    "提出方",
    "受益人数",
    "截止日期",
    "紧急程度",
    "标签",
]
TRADITIONAL_HEADER = [
    "編號",
    "標題",
    "描述",
    "類別",
    "小區",
    "提出方",
    "受益人數",
    "截止日期",
    "緊急程度",
    "標籤",
]
ENGLISH_HEADER = ["id", "title", "description", "category", "compound", "raised_by",
                  "beneficiaries", "deadline", "urgency", "tags"]  # fmt: skip
RESOURCE_HEADER = [
    "编号",
    "标题",
    "类别",
    "提供方",
    "单位类型",
    "容量",
    "服务范围",
    "可服务时间",
    "标签",
]


@pytest.fixture(autouse=True)
def taxonomy(db):
    # get_or_create: transactional tests elsewhere flush the categories the migration seeded.
    for parent, children in (("便民服务", ["理发"]), ("环境整治", [])):
        top, _ = Category.objects.get_or_create(name=parent, parent=None)
        for child in children:
            Category.objects.get_or_create(name=child, parent=top)


def soon(days=30):
    return timezone.localdate() + datetime.timedelta(days=days)


def xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def need_row(ident, title, **extra):
    values = {
        "描述": "",
        "类别": "便民服务",
        "小区": "江汉北路42号小区",
        "提出方": "居民",
        "受益人数": 20,
        "截止日期": soon().isoformat(),
        "紧急程度": "一般",
        "标签": "理发、为老",
    }
    values.update(extra)
    return [ident, title, *(values[label] for label in NEED_HEADER[2:])]


def import_needs(world, rows, header=NEED_HEADER, name="needs.xlsx", **options):
    data = xlsx([header, *rows]) if name.endswith(".xlsx") else csv_file([header, *rows])
    return lists_io.import_file(
        world["community_staff"], world.community, "needs", name, data, **options
    )


def errors_of(report):
    return [(e.row, e.column, e.message) for e in report.errors]


# ---------------------------------------------------------------- reading and checking


def test_it_imports_needs_with_simplified_labels(world):
    report = import_needs(world, [need_row("A1", "42号小区老人理发"), need_row("A2", "楼道灯坏了")])
    assert report.applied and report.created == 2 and not report.errors
    need = Need.objects.get(external_id="A1")
    assert need.community == world.community
    assert need.channel == Need.Channel.IMPORT
    assert need.raiser_kind == PartyKind.RESIDENT
    assert need.compound == world.compound
    assert str(need.category) == "便民服务"
    assert need.beneficiaries == 20 and need.deadline == soon()
    assert sorted(t.name for t in need.tags.all()) == ["为老", "理发"]
    entry = AuditEntry.objects.get(action="lists.imported")
    assert entry.actor == world["community_staff"] and entry.community == world.community
    detail = (entry.after or {})["rows"]
    assert [(row["row"], row["action"], row["external_id"]) for row in detail] == [
        (2, "create", "A1"),
        (3, "create", "A2"),
    ]
    assert detail[0]["id"] == need.pk and detail[0]["title"] == "42号小区老人理发"
    assert not AuditEntry.objects.filter(action="lists.need_raised").exists()


def test_it_reads_traditional_labels_and_values(world):
    row = ["T1", "老人理髮", "", "理髮", "江漢北路42號小區", "志願服務隊", "5", soon().isoformat(),
           "緊急", "理髮"]  # fmt: skip
    report = import_needs(world, [row], header=TRADITIONAL_HEADER)
    assert not report.errors, errors_of(report)
    need = Need.objects.get(external_id="T1")
    assert str(need.category) == "便民服务·理发"
    assert need.compound == world.compound
    assert need.raiser_kind == PartyKind.VOLUNTEER_TEAM
    assert need.urgency == Need.Urgency.URGENT


def test_it_reads_english_keys_and_full_width_headers(world):
    header = [h if h != "title" else "ＴＩＴＬＥ" for h in ENGLISH_HEADER]
    report = import_needs(world, [need_row("E1", "修剪树枝", 类别="环境整治")], header=header)
    assert not report.errors, errors_of(report)
    assert str(Need.objects.get(external_id="E1").category) == "环境整治"


def test_it_ignores_and_reports_unknown_columns(world):
    header = [*NEED_HEADER, "备注", "状态"]
    report = import_needs(world, [[*need_row("X1", "修路"), "随便写写", "已发布"]], header=header)
    assert report.applied and report.ignored_columns == ["备注", "状态"]


def test_it_refuses_a_file_without_a_title_column(world):
    with pytest.raises(lists_io.ImportFileError) as caught:
        import_needs(world, [["1", "x"]], header=["编号", "描述"])
    assert caught.value.code == "import.no_title"


def test_it_skips_blank_rows_and_counts_rows_as_the_spreadsheet_shows_them(world):
    rows = [
        need_row("B1", "第一条"),
        [None] * 10,
        ["", "  ", None],
        need_row("B2", "", 小区="没有"),
    ]
    report = import_needs(world, rows)
    assert report.total_rows == 2
    assert {(row, column) for row, column, _ in errors_of(report)} == {(5, "标题"), (5, "小区")}


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_error(world):
    rows = [
        need_row("C1", "好的一行"),
        need_row("C2", "", 受益人数="很多"),
        need_row("C3", "坏类别", 类别="不存在的类别", 紧急程度="十万火急"),
        need_row("C4", "过去的截止日期", 截止日期="2001-01-01"),
        need_row("C5", "别的小区", 小区="长春街小区", 提出方="外星人"),
        need_row("C1", "重复编号"),
        need_row("C6", "日期不对", 截止日期="明天"),
    ]
    with translation.override("en"):
        report = import_needs(world, rows)
        first = str(report.errors[0])
    assert not report.applied and Need.objects.count() == 0
    found = {(row, column) for row, column, _ in errors_of(report)}
    assert found == {
        (3, "标题"),
        (3, "受益人数"),
        (4, "类别"),
        (4, "紧急程度"),
        (5, "截止日期"),
        (6, "小区"),
        (6, "提出方"),
        (7, "编号"),
        (8, "截止日期"),
    }
    messages = dict(((row, column), message) for row, column, message in errors_of(report))
    assert "already appears in row 2" in messages[(7, "编号")]
    assert "长春街小区" in messages[(6, "小区")] and "江汉北路42号小区" in messages[(6, "小区")]
    assert "whole number" in messages[(3, "受益人数")]
    assert "一般、较急、紧急" in messages[(4, "紧急程度")]
    assert first.startswith("row 3, column 标题: ")


def test_valid_only_mode_writes_the_good_rows_and_lists_the_skipped_ones(world):
    rows = [need_row("D1", "好的"), need_row("D2", "坏的", 受益人数=-3), need_row("D3", "也好")]
    report = import_needs(world, rows, valid_only=True)
    assert report.applied and report.created == 2
    assert set(Need.objects.values_list("external_id", flat=True)) == {"D1", "D3"}
    assert [row for row, _ in report.skipped] == [3]


def test_a_dry_run_writes_nothing(world):
    report = import_needs(world, [need_row("F1", "试一试")], dry_run=True)
    assert len(report.to_create) == 1 and not report.applied
    assert not Need.objects.exists()


def test_re_importing_updates_changed_rows_and_leaves_unchanged_ones_alone(world):
    rows = [need_row("G1", "老人理发"), need_row("G2", "楼道清理")]
    import_needs(world, rows)
    entries = AuditEntry.objects.count()
    again = import_needs(
        world, [need_row("G1", "老人理发"), need_row("G2", "楼道清理", 受益人数=80)]
    )
    assert (again.created, again.updated, len(again.unchanged)) == (0, 1, 1)
    assert Need.objects.count() == 2
    assert Need.objects.get(external_id="G2").beneficiaries == 80
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "lists.imported"
    (changed,) = (entry.after or {})["rows"]
    assert changed["action"] == "update" and changed["external_id"] == "G2"
    assert (changed["before"]["beneficiaries"], changed["after"]["beneficiaries"]) == (20, 80)


def test_columns_absent_from_the_file_keep_their_values(world):
    import_needs(world, [need_row("H1", "老人理发", 描述="每月一次")])
    report = import_needs(world, [["H1", "老人理发（新）"]], header=["编号", "标题"])
    assert report.updated == 1
    need = Need.objects.get(external_id="H1")
    assert need.title == "老人理发（新）" and need.description == "每月一次"
    assert need.compound == world.compound and need.beneficiaries == 20


def test_it_refuses_to_change_a_need_that_is_no_longer_open(world):
    import_needs(world, [need_row("K1", "老人理发")])
    need = Need.objects.get(external_id="K1")
    services.reject_need(world["community_staff"], need, "重复")
    report = import_needs(world, [need_row("K1", "老人理发（改）")])
    assert not report.applied and [e.row for e in report.errors] == [2]
    assert Need.objects.get(external_id="K1").title == "老人理发"


def test_it_reads_gbk_csv_files(world):
    data = csv_file([NEED_HEADER, need_row("GBK1", "老人理发")], encoding="gb18030")
    report = lists_io.import_file(
        world["community_staff"], world.community, "needs", "清单.csv", data
    )
    assert report.created == 1 and Need.objects.get().title == "老人理发"


def test_it_reads_utf8_csv_files_with_and_without_a_bom(world):
    for encoding, ident in (("utf-8", "U1"), ("utf-8-sig", "U2")):
        data = csv_file([NEED_HEADER, need_row(ident, "老人理发")], encoding=encoding)
        lists_io.import_file(world["community_staff"], world.community, "needs", "a.csv", data)
    assert set(Need.objects.values_list("external_id", flat=True)) == {"U1", "U2"}


def test_it_reads_excel_date_cells_and_number_cells(world):
    deadline = soon(45)
    row = need_row(1001, "老人理发", 截止日期=datetime.datetime.combine(deadline, datetime.time()))
    row[6] = 12.0
    report = import_needs(world, [row])
    assert not report.errors, errors_of(report)
    need = Need.objects.get()
    assert need.external_id == "1001" and need.deadline == deadline and need.beneficiaries == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-06-30", datetime.date(2030, 6, 30)),
        ("2030/6/3", datetime.date(2030, 6, 3)),
        ("2030年6月30日", datetime.date(2030, 6, 30)),
        ("2030-06-30 00:00:00", datetime.date(2030, 6, 30)),
        (47664, datetime.date(2030, 6, 30)),
    ],
)
def test_it_understands_the_ways_people_write_dates(text, expected):
    assert lists_io.parse_date(text) == expected


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("list.pdf", b"%PDF-1.4", "import.bad_type"),
        ("list.xls", b"\xd0\xcf\x11\xe0", "import.old_excel"),
        ("list.xlsx", b"not a zip file", "import.unreadable"),
        ("list.xlsx", b"PK\x03\x04broken", "import.unreadable"),
        ("list.csv", b"", "import.empty"),
        ("list.csv", b"x" * (5 * 1024 * 1024 + 1), "import.too_large"),
    ],
)
def test_it_refuses_bad_files_with_a_clear_code(world, name, data, code):
    with pytest.raises(lists_io.ImportFileError) as caught:
        lists_io.import_file(world["community_staff"], world.community, "needs", name, data)
    assert caught.value.code == code


@pytest.mark.parametrize("role", ["resident", "unit_admin", "outsider"])
def test_only_the_communitys_staff_can_import(world, role):
    with pytest.raises(DomainError) as caught:
        lists_io.import_file(
            world[role], world.community, "needs", "a.csv", csv_file([NEED_HEADER])
        )
    assert caught.value.code == "import.not_staff"


def test_staff_of_the_subdistrict_can_import(world):
    data = xlsx([NEED_HEADER, need_row("S1", "老人理发")])
    report = lists_io.import_file(
        world["subdistrict_staff"], world.community, "needs", "a.xlsx", data
    )
    assert report.created == 1


# ---------------------------------------------------------------- resources


def test_it_imports_resources_for_a_known_unit_and_for_a_named_person(world):
    rows = [
        RESOURCE_HEADER,
        [
            "R-1",
            "理发服务",
            "理发",
            "武漢市第一商業學校",
            "",
            "40 人次/月",
            "江漢北路社區",
            "每周三",
            "理发",
        ],
        ["R-2", "修伞", "便民服务", "王师傅", "居民", "每周 10 把", "", "", ""],
    ]
    report = lists_io.import_file(
        world["community_staff"], world.community, "resources", "r.xlsx", xlsx(rows)
    )
    assert report.created == 2, errors_of(report)
    school = Resource.objects.get(external_id="R-1")
    assert school.provider_org == world.unit and school.provider_kind == PartyKind.SCHOOL
    assert (school.capacity_number, school.capacity_unit, school.capacity_period) == (
        40,
        "人次",
        "month",
    )
    assert school.service_area == world.community
    person = Resource.objects.get(external_id="R-2")
    assert person.provider_org is None and person.provider_name == "王师傅"
    assert person.provider_kind == PartyKind.RESIDENT


def test_a_new_resource_needs_a_provider_and_a_known_service_area(world):
    rows = [RESOURCE_HEADER, ["R-3", "理发服务", "理发", "", "学校", "", "火星", "", ""]]
    report = lists_io.import_file(
        world["community_staff"], world.community, "resources", "r.xlsx", xlsx(rows)
    )
    assert {(e.row, e.column) for e in report.errors} == {(2, "提供方"), (2, "服务范围")}
    assert not Resource.objects.exists()


def test_re_importing_resources_keeps_weekdays_and_hours_set_on_the_page(world):
    rows = [RESOURCE_HEADER, ["R-4", "理发服务", "理发", "王师傅", "居民", "", "", "", ""]]
    staff = world["community_staff"]
    lists_io.import_file(staff, world.community, "resources", "r.xlsx", xlsx(rows))
    resource = Resource.objects.get()
    Resource.objects.filter(pk=resource.pk).update(weekdays="35")
    rows[1][1] = "理发服务（每月）"
    report = lists_io.import_file(staff, world.community, "resources", "r.xlsx", xlsx(rows))
    assert report.updated == 1
    resource.refresh_from_db()
    assert resource.title == "理发服务（每月）" and resource.weekdays == "35"


# ---------------------------------------------------------------- exporting


def test_export_then_re_import_round_trips_without_changes(world):
    import_needs(world, [need_row("RT1", "老人理发"), need_row("", "楼道清理", 类别="理发")])
    services.raise_need(world["resident"], world.community, services.NeedInput(title="路灯不亮"))
    exported = lists_io.export_list(world["community_staff"], world.community, "needs", "xlsx")
    assert exported.rows == 3
    before = AuditEntry.objects.exclude(action="lists.exported").count()
    report = lists_io.import_file(
        world["community_staff"], world.community, "needs", exported.filename, exported.content
    )
    assert report.applied and not report.errors, errors_of(report)
    assert (report.created, report.updated, len(report.unchanged)) == (0, 0, 3)
    assert report.ignored_columns == ["状态"]
    assert Need.objects.count() == 3
    assert AuditEntry.objects.exclude(action="lists.exported").count() == before


def test_export_writes_a_bold_chinese_header_and_real_dates(world):
    import_needs(world, [need_row("XL1", "老人理发")])
    exported = lists_io.export_list(world["community_staff"], world.community, "needs", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header == [*NEED_HEADER, "状态"] and sheet["A1"].font.bold
    assert sheet["H2"].value == datetime.datetime.combine(soon(), datetime.time())
    assert sheet["A2"].value == "XL1" and sheet["F2"].value == "居民"


def test_export_to_csv_has_a_bom_for_excel(world):
    import_needs(world, [need_row("CSV1", "老人理发")])
    exported = lists_io.export_list(world["community_staff"], world.community, "needs", "csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["编号", "标题"] and rows[1][1] == "老人理发"


def test_export_is_audited_and_holds_no_phone_numbers(world):
    staff = world["community_staff"]
    need = services.raise_need(world["resident"], world.community, services.NeedInput(title="修灯"))
    services.publish_need(staff, need)
    services.claim_need(world["unit_contact"], need)
    services.create_resource(staff, world.community, services.ResourceInput(title="修伞"),
                             provider_user=world["resident"])  # fmt: skip
    for kind in ("needs", "resources", "projects"):
        for file_format in ("xlsx", "csv"):
            exported = lists_io.export_list(
                staff, world.community, kind, file_format, {"state": "", "q": ""}
            )
            assert exported.rows == 1
            text = exported.content.decode("utf-8-sig") if file_format == "csv" else ""
            if file_format == "xlsx":
                sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
                text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
            assert not re.search(r"1[3-9]\d{9}|\d{3}\*{4}\d{4}", text)
    entries = AuditEntry.objects.filter(action="lists.exported")
    assert entries.count() == 6
    assert {(e.after or {})["list"] for e in entries} == {"needs", "resources", "projects"}
    assert all(e.actor == staff and (e.after or {})["rows"] == 1 for e in entries)


def test_export_records_the_filters_and_applies_them(world):
    import_needs(world, [need_row("ST1", "甲"), need_row("ST2", "乙")])
    services.publish_need(world["community_staff"], Need.objects.get(external_id="ST1"))
    exported = lists_io.export_list(
        world["community_staff"], world.community, "needs", "csv", {"state": "published"}
    )
    assert exported.rows == 1
    assert (AuditEntry.objects.get(action="lists.exported").after or {})[
        "filters"
    ] == "state=published"


def test_projects_export_has_the_outcome_columns(world):
    staff = world["community_staff"]
    need = services.raise_need(world["resident"], world.community, services.NeedInput(title="修灯"))
    services.publish_need(staff, need)
    services.claim_need(world["unit_contact"], need, organization=world.unit)
    rows = list(lists_io.export_rows("projects", Project.objects.all()))
    assert rows[0][:4] == ["编号", "需求标题", "认领方", "认领方类型"]
    assert rows[1][1:4] == ["修灯", "武汉市第一商业学校", "学校"]


@pytest.mark.parametrize("role", ["resident", "unit_admin", "outsider"])
def test_only_the_communitys_staff_can_export(world, role):
    with pytest.raises(DomainError) as caught:
        lists_io.export_list(world[role], world.community, "needs", "xlsx")
    assert caught.value.code == "export.not_staff"
    assert not AuditEntry.objects.filter(action="lists.exported").exists()


def test_the_templates_hold_the_header_and_an_example_that_imports(world):
    for kind, example in (("needs", "42号小区老人理发"), ("resources", "理发服务")):
        content = lists_io.template_file(kind, world.community)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert sheet["B1"].value == "标题" and sheet["B2"].value == example
        report = lists_io.import_file(
            world["community_staff"], world.community, kind, "t.xlsx", content
        )
        assert report.created == 1, errors_of(report)
    assert Resource.objects.get().provider_org == world.unit


# ---------------------------------------------------------------- size


def test_it_imports_two_thousand_rows(world):
    rows = [need_row(f"BIG{i}", f"第{i}号需求", 标签=f"批量、第{i % 7}组") for i in range(2000)]
    data = xlsx([NEED_HEADER, *rows])
    report = lists_io.import_file(
        world["community_staff"], world.community, "needs", "b.xlsx", data
    )
    assert report.created == 2000 and Need.objects.count() == 2000
    assert Category.objects.filter(name="便民服务").count() == 1


# ---------------------------------------------------------------- commands


def write(tmp_path, name, rows):
    target = tmp_path / name
    target.write_bytes(xlsx(rows) if name.endswith(".xlsx") else csv_file(rows))
    return str(target)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_import_command_imports_as_the_named_staff_member(world, tmp_path):
    file = write(tmp_path, "needs.xlsx", [NEED_HEADER, need_row("CMD1", "老人理发")])
    out, _ = run("import", "needs", file, "--community", "江漢北路社區", "--as", "13900000004")
    assert "Created 1, updated 0, unchanged 0, skipped 0." in out
    need = Need.objects.get(external_id="CMD1")
    assert need.entered_by == world["community_staff"]


def test_the_import_command_prints_every_error_and_exits_non_zero(world, tmp_path):
    rows = [NEED_HEADER, need_row("CMD2", "好的"), need_row("CMD3", "坏的", 截止日期="下周")]
    file = write(tmp_path, "needs.csv", rows)
    out = io.StringIO()
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import", "needs", file, "--community", "江汉北路社区", "--as", "13900000004",
            stdout=out, stderr=err,
        )  # fmt: skip
    assert "row 3, column 截止日期: “下周” is not a date" in err.getvalue()
    assert not Need.objects.exists()


def test_the_import_command_can_write_only_the_valid_rows(world, tmp_path):
    rows = [NEED_HEADER, need_row("CMD4", "好的"), need_row("CMD5", "坏的", 紧急程度="很急")]
    file = write(tmp_path, "needs.xlsx", rows)
    out, err = run(
        "import", "needs", file, "--community", "江汉北路社区", "--as", "13900000004",
        "--valid-only",
    )  # fmt: skip
    assert "Created 1, updated 0, unchanged 0, skipped 1." in out
    assert "row 3, column 紧急程度:" in err


def test_the_import_command_exits_non_zero_when_valid_only_finds_nothing_to_write(world, tmp_path):
    file = write(tmp_path, "needs.xlsx", [NEED_HEADER, need_row("CMD8", "")])
    with translation.override("en"), pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import", "needs", file, "--community", "江汉北路社区", "--as", "13900000004",
            "--valid-only", stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip


@pages
def test_the_preview_says_when_every_row_is_already_up_to_date(client, world, media):
    import_needs(world, [need_row("UP1", "老人理发")])
    staff_client(client, world)
    response = upload(client, world, [NEED_HEADER, need_row("UP1", "老人理发")])
    page = client.get(response["Location"]).content.decode()
    assert "already up to date" in page and 'name="mode"' not in page


def test_the_import_command_dry_run_writes_nothing(world, tmp_path):
    file = write(tmp_path, "needs.xlsx", [NEED_HEADER, need_row("CMD6", "老人理发")])
    out, _ = run(
        "import", "needs", file, "--community", "江汉北路社区", "--as", "13900000004", "--dry-run"
    )
    assert "1 to create" in out and not Need.objects.exists()


def test_the_import_command_refuses_someone_who_is_not_staff(world, tmp_path):
    file = write(tmp_path, "needs.xlsx", [NEED_HEADER, need_row("CMD7", "老人理发")])
    with translation.override("en"), pytest.raises(CommandError, match="staff"):
        call_command(
            "import", "needs", file, "--community", "江汉北路社区", "--as", "13900000001",
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip


def test_the_import_command_names_an_unknown_community(world, tmp_path):
    file = write(tmp_path, "needs.xlsx", [NEED_HEADER])
    with translation.override("en"), pytest.raises(CommandError, match="no community called"):
        call_command("import", "needs", file, "--community", "不存在社区", "--as", "13900000004")


def test_the_export_command_writes_the_file_and_records_it(world, tmp_path):
    import_needs(world, [need_row("EX1", "老人理发"), need_row("EX2", "楼道清理")])
    target = tmp_path / "needs.xlsx"
    out, _ = run(
        "export", "needs", "--community", "江汉北路社区", "-o", str(target),
        "--state", "submitted", "--as", "13900000004",
    )  # fmt: skip
    assert "Exported 2 rows" in out
    sheet = openpyxl.load_workbook(target).active
    assert sheet.max_row == 3
    entry = AuditEntry.objects.get(action="lists.exported")
    assert entry.actor == world["community_staff"]
    assert (entry.after or {})["filters"] == "state=submitted"


def test_the_export_command_refuses_an_unknown_state_or_format(world, tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="Unknown state"):
        call_command("export", "needs", "--community", "江汉北路社区", "-o",
                     str(tmp_path / "a.csv"), "--state", "lost", "--as", "13900000004")  # fmt: skip
    with translation.override("en"), pytest.raises(CommandError, match=r"\.xlsx or \.csv"):
        call_command("export", "needs", "--community", "江汉北路社区", "-o",
                     str(tmp_path / "a.pdf"), "--as", "13900000004")  # fmt: skip


# ---------------------------------------------------------------- the upload page


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def staff_client(client, world):
    client.force_login(world["community_staff"])
    client.cookies["wulian_language"] = "en"
    return client


def upload(client, world, rows, name="needs.xlsx", kind="needs"):
    data = xlsx(rows) if name.endswith(".xlsx") else csv_file(rows)
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        reverse("lists:import", args=[world.community.pk]), {"kind": kind, "file": file}
    )


@pages
def test_the_upload_page_previews_errors_then_imports_the_valid_rows(client, world, media):
    staff_client(client, world)
    rows = [NEED_HEADER, need_row("P1", "老人理发"), need_row("P2", "坏的", 受益人数="很多")]
    response = upload(client, world, rows)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "受益人数" in page and "whole number" in page
    assert "Import only the valid rows" in page and 'value="all"' not in page
    assert not Need.objects.exists()
    token = preview.context["stored"].token
    assert (media / "imports" / f"{token}.data").exists()
    confirm = reverse("lists:import_confirm", args=[world.community.pk, token])
    done = client.post(confirm, {"mode": "valid"}, follow=True)
    assert "1 created" in done.content.decode() and "Row 3 was skipped" in done.content.decode()
    assert list(Need.objects.values_list("external_id", flat=True)) == ["P1"]
    assert not (media / "imports" / f"{token}.data").exists()


@pages
def test_the_upload_page_imports_a_valid_file_in_full(client, world, media):
    staff_client(client, world)
    response = upload(client, world, [NEED_HEADER, need_row("V1", "老人理发")], "needs.csv")
    preview = client.get(response["Location"])
    assert 'value="all"' in preview.content.decode()
    token = preview.context["stored"].token
    client.post(reverse("lists:import_confirm", args=[world.community.pk, token]), {"mode": "all"})
    assert Need.objects.get().external_id == "V1"


@pages
def test_importing_everything_from_a_file_with_errors_writes_nothing(client, world, media):
    staff_client(client, world)
    response = upload(client, world, [NEED_HEADER, need_row("W1", "好"), need_row("W2", "")])
    token = client.get(response["Location"]).context["stored"].token
    again = client.post(
        reverse("lists:import_confirm", args=[world.community.pk, token]), {"mode": "all"}
    )
    assert again.status_code == 200 and "Nothing was imported" in again.content.decode()
    assert not Need.objects.exists()


@pages
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("list.docx", b"PK\x03\x04", "Only .xlsx and .csv files"),
        ("list.xlsx", b"PK\x03\x04 damaged", "could not be read"),
        ("list.csv", "编号,描述\n1,x\n".encode(), "has no “标题” column"),
    ],
)
def test_a_bad_upload_gets_a_clear_message_on_the_form(client, world, media, name, data, message):
    staff_client(client, world)
    file = io.BytesIO(data)
    file.name = name
    response = client.post(
        reverse("lists:import", args=[world.community.pk]), {"kind": "needs", "file": file}
    )
    assert response.status_code == 200 and message in response.content.decode()


@pages
def test_a_file_over_five_megabytes_is_refused_on_the_form(client, world, media):
    staff_client(client, world)
    file = io.BytesIO(b"x" * (5 * 1024 * 1024 + 1))
    file.name = "big.csv"
    response = client.post(
        reverse("lists:import", args=[world.community.pk]), {"kind": "needs", "file": file}
    )
    assert response.status_code == 200 and "larger than 5 MB" in response.content.decode()


@pages
@pytest.mark.parametrize("role", ["resident", "unit_admin", "outsider"])
def test_people_who_are_not_staff_of_the_community_get_403(client, world, media, role):
    client.force_login(world[role])
    community = world.community.pk
    assert client.get(reverse("lists:import", args=[community])).status_code == 403
    assert client.get(reverse("lists:export", args=[community, "needs"])).status_code == 403
    template = reverse("lists:import_template", args=[community, "needs"])
    assert client.get(template).status_code == 403


@pages
def test_anonymous_visitors_are_sent_to_sign_in(client, world, media):
    response = client.get(reverse("lists:import", args=[world.community.pk]))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pages
def test_a_waiting_upload_belongs_to_the_person_who_uploaded_it(client, world, media):
    staff_client(client, world)
    response = upload(client, world, [NEED_HEADER, need_row("Z1", "老人理发")])
    preview_url = response["Location"]
    client.force_login(world["subdistrict_staff"])
    assert client.get(preview_url).status_code == 404


@pages
def test_the_page_offers_templates_and_exports(client, world, media):
    staff_client(client, world)
    community = world.community.pk
    template = client.get(reverse("lists:import_template", args=[community, "resources"]))
    assert template["Content-Type"] == lists_io.XLSX_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).active
    assert sheet["B2"].value == "理发服务" and sheet["G2"].value == "40 人次/月"
    exported = client.get(
        reverse("lists:export", args=[community, "needs"]), {"format": "csv", "state": "published"}
    )
    assert exported.status_code == 200 and exported.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in exported["Content-Disposition"]
    entry = AuditEntry.objects.get(action="lists.exported")
    assert (entry.after or {})["filters"] == "state=published"
