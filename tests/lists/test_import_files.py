"""Importing lists as staff really keep them: titles above the header, merged cells, footers,
dates in any format, counts with units, CSV from Chinese Windows and from WPS, the names
people write, and the mapping step for what stays unresolved."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from openpyxl.styles import Alignment, Font

from wulian.audit.models import AuditEntry
from wulian.lists import import_words
from wulian.lists import spreadsheets as lists_io
from wulian.lists.models import Category, ImportMapping, Need, Resource
from wulian.orgs.models import Organization
from wulian.places.models import Compound


@pytest.fixture(autouse=True)
def taxonomy(db):
    for parent, children in (("便民服务", ["理发"]), ("环境整治", []), ("为老服务", [])):
        top, _ = Category.objects.get_or_create(name=parent, parent=None)
        for child in children:
            Category.objects.get_or_create(name=child, parent=top)


def later(days=40):
    return timezone.localdate() + datetime.timedelta(days=days)


def staff_needs_sheet(deadline_format='yyyy"年"m"月"d"日"'):
    """A needs sheet as 江汉北路 staff keep it: a merged title, a 填表人 line, a header with
    their own words and an extra 备注 column, a category merged down two rows, Excel date
    cells in a Chinese format, a blank row, and a 合计 footer with a note below it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["江汉北路社区需求清单（2026年11月）"])
    sheet.merge_cells("A1:H1")
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["填表人：施敏", None, None, None, None, "填表日期：2026年11月20日"])
    sheet.append(
        ["序号", "需求名称", "需求类别", "所在小区", "受益人数", "截止时间", "是否紧急", "备注"]
    )
    rows = [
        [1, "老人上门理发", "便民服务·理发", "江汉北路42号小区", "30人", later(), "是", "每月一次"],
        [2, "理发后清扫楼道", None, "江汉北路42号小区", "约40人次", later(50), "否", ""],
        [3, "楼道灯更换", "环境整治", "江汉北路42号小区", "１２", later(60), "", ""],
    ]
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("C4:C5")  # the category merged down the first two needs
    for number in (4, 5, 6):
        sheet.cell(number, 6).number_format = deadline_format
    sheet.append([])
    sheet.append([4, "健身器材维修", "环境整治", "江汉北路42号小区", 8, later(70), "✓", ""])
    sheet.cell(8, 6).number_format = deadline_format
    sheet.append(["合计", None, None, None, "=SUM(E4:E8)"])
    sheet.append(["填表说明：截止时间请填写日期。"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_needs(world, data, name="needs.xlsx", **options):
    return lists_io.import_file(
        world["community_staff"], world.community, "needs", name, data, **options
    )


def errors_of(report):
    return [(e.row, e.column, e.message) for e in report.errors]


# ---------------------------------------------------------------- the sheet's shape


def test_it_imports_the_needs_sheet_as_staff_keep_it(world):
    with translation.override("en"):
        report = import_needs(world, staff_needs_sheet())
    assert not report.errors, errors_of(report)
    assert report.applied and report.created == 4
    assert report.header_row == 3
    assert report.ignored_columns == ["序号", "备注"]
    needs = {need.title: need for need in Need.objects.all()}
    assert set(needs) == {"老人上门理发", "理发后清扫楼道", "楼道灯更换", "健身器材维修"}
    haircut, sweeping = needs["老人上门理发"], needs["理发后清扫楼道"]
    assert str(haircut.category) == "便民服务·理发"
    assert sweeping.category == haircut.category  # the merged cell counts on both rows
    assert str(needs["楼道灯更换"].category) == "环境整治"
    assert haircut.deadline == later() and needs["健身器材维修"].deadline == later(70)
    assert (haircut.beneficiaries, sweeping.beneficiaries) == (30, 40)
    assert needs["楼道灯更换"].beneficiaries == 12  # full-width digits
    assert [needs[t].urgency for t in ("老人上门理发", "理发后清扫楼道", "健身器材维修")] == [
        Need.Urgency.URGENT,
        Need.Urgency.NORMAL,
        Need.Urgency.URGENT,
    ]
    assert all(need.compound == world.compound for need in needs.values())


def test_the_report_lists_the_rows_it_skipped_and_why(world):
    with translation.override("en"):
        report = lists_io.import_file(
            world["community_staff"], world.community, "needs", "n.xlsx", staff_needs_sheet(),
            dry_run=True,
        )  # fmt: skip
        skipped = [(row.row, row.reason, row.text, row.reason_label) for row in report.skipped_rows]
    assert skipped == [
        (1, "title", "江汉北路社区需求清单（2026年11月）", "title or note above the header"),
        (2, "title", "填表人：施敏 填表日期：2026年11月20日", "title or note above the header"),
        (7, "blank", "", "blank row"),
        (9, "footer", "合计", "total or note below the list"),  # a formula without a value
        (10, "footer", "填表说明：截止时间请填写日期。", "total or note below the list"),
    ]
    assert len(report.to_create) == 4


@pytest.mark.parametrize(
    "number_format",
    ["yyyy/m/d", "m/d/yy", 'yyyy"年"m"月"d"日"', '[DBNum1][$-804]yyyy"年"m"月"d"日";@', "d-mmm-yy"],
)
def test_it_reads_excel_date_cells_in_any_format(world, number_format):
    report = import_needs(world, staff_needs_sheet(number_format), dry_run=True)
    assert not report.errors, errors_of(report)
    assert report.to_create[0].need.deadline == later()


def test_a_date_cell_whose_format_the_file_does_not_name_is_still_a_date(world):
    # A Chinese Excel writes its own date formats (ids 27–36, 50–58) without a format code.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["标题", "截止日期"])
    sheet.append(["老人理发", later()])
    sheet["B2"].number_format = "General"  # as a number, the way the format is lost
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_needs(world, buffer.getvalue(), dry_run=True)
    assert not report.errors, errors_of(report)
    assert report.to_create[0].need.deadline == later()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030/12/5", datetime.date(2030, 12, 5)),
        ("2030.12.05", datetime.date(2030, 12, 5)),
        ("2030年12月5日", datetime.date(2030, 12, 5)),
        ("２０３０年１２月５日", datetime.date(2030, 12, 5)),
        ("20301205", datetime.date(2030, 12, 5)),
    ],
)
def test_it_reads_dates_written_as_text(text, expected):
    assert lists_io.parse_date(text) == expected


def test_a_date_without_a_year_takes_the_next_such_day_and_says_so(world):
    today = timezone.localdate()
    coming = today + datetime.timedelta(days=10)
    text = f"{coming.month}月{coming.day}日"
    rows = [["标题", "截止日期"], ["老人理发", text], ["楼道清扫", text]]
    with translation.override("en"):
        report = import_needs(world, _xlsx(rows), dry_run=True)
        notes = [str(note) for note in report.notes]
    assert not report.errors
    assert [row.need.deadline for row in report.to_create] == [coming, coming]
    assert notes == [
        f"column 截止日期 (rows 2、3): no year written; read as {coming.isoformat()}, "
        "the next such day."
    ]
    assert lists_io.read_date("1月1日", datetime.date(2026, 12, 2)) == (
        datetime.date(2027, 1, 1),
        True,
    )


@pytest.mark.parametrize(
    ("text", "number"),
    [("30人", 30), ("约40人次", 40), ("５０余户", 50), ("1,200", 1200), ("100人左右", 100)],
)
def test_it_reads_counts_with_their_units(text, number):
    assert lists_io.parse_whole_number(text) == number


@pytest.mark.parametrize(
    ("text", "value"),
    [("是", True), ("✓", True), ("√", True), ("Y", True), ("否", False), ("×", False)],
)
def test_it_reads_yes_and_no_as_people_tick_them(text, value):
    assert lists_io.parse_yes_no(text) is value


def test_every_header_variant_names_a_column_of_a_list():
    keys = {column.key for kind in lists_io.IMPORT_KINDS for column in lists_io.columns_for(kind)}
    assert set(import_words.HEADER_VARIANTS) <= keys
    index = lists_io.header_index(None)
    for key, variants in import_words.HEADER_VARIANTS.items():
        for variant in variants:
            assert index[lists_io._header_key(variant)] == key, variant
    assert index[lists_io._header_key("序号")] is None  # a running number is never an id


def test_a_header_with_a_note_in_brackets_is_still_known(world):
    rows = [["标题", "受益人数（人）", "截止日期(年/月/日)"], ["老人理发", 5, later().isoformat()]]
    report = import_needs(world, _xlsx(rows), dry_run=True)
    assert not report.errors and not report.ignored_columns
    assert report.to_create[0].need.beneficiaries == 5


# ---------------------------------------------------------------- encodings


def _csv(rows, encoding, delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


NEEDS_CSV = [
    ["需求名称", "类别", "所在小区", "受益人数"],
    ["老人上门理髮", "理發", "江汉北路42号小区", "30人"],  # traditional and simplified mixed
    ["樓道燈更換", "环境整治", "江汉北路42号小区", "12"],
]


def test_it_reads_a_gbk_csv_of_traditional_and_simplified_text(world):
    report = import_needs(world, _csv(NEEDS_CSV, "gbk"), name="清单.csv")
    assert report.encoding == "GB18030" and not report.errors, errors_of(report)
    assert sorted(Need.objects.values_list("title", flat=True)) == ["樓道燈更換", "老人上门理髮"]
    assert str(Need.objects.get(title="老人上门理髮").category) == "便民服务·理发"


def test_it_reads_utf16_text_as_wps_exports_it(world):
    data = "\ufeff".encode("utf-16-le") + _csv(NEEDS_CSV, "utf-16-le", delimiter="\t")
    report = import_needs(world, data, name="清单.txt")
    assert report.encoding == "UTF-16" and report.created == 2, errors_of(report)
    assert Need.objects.filter(title="老人上门理髮", beneficiaries=30).exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_it_reads_utf8_with_and_without_a_byte_order_mark(world, encoding):
    report = import_needs(world, _csv(NEEDS_CSV, encoding), name="a.csv")
    assert report.encoding == "UTF-8" and report.created == 2


def test_a_file_in_an_encoding_it_cannot_tell_is_refused_not_garbled(world):
    rows = [
        ["title", "description"],
        *[[f"n{i}", "老人上門理髮服務，每週三下午，歡迎預約。"] for i in range(5)],
    ]
    data = _csv(rows, "big5")  # the header is ASCII, so only the text can tell
    try:
        report = import_needs(world, data, name="big5.csv", dry_run=True)
    except lists_io.ImportFileError as refused:
        assert refused.code == "import.bad_encoding"
    else:  # read as Big5: then the text must be exactly what was written
        assert report.encoding == "Big5"
        assert report.to_create[0].need.description == "老人上門理髮服務，每週三下午，歡迎預約。"
    garbage = bytes(range(0x81, 0xFF)) * 20
    with pytest.raises(lists_io.ImportFileError) as caught:
        import_needs(world, b"title\r\n" + garbage, name="bad.csv")
    assert caught.value.code == "import.bad_encoding"


# ---------------------------------------------------------------- names people write


def _xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_resources(world, rows, **options):
    return lists_io.import_file(
        world["community_staff"], world.community, "resources", "r.xlsx", _xlsx(rows), **options
    )


RESOURCE_HEADER = ["资源名称", "联系单位", "服务范围", "服务能力"]


def test_service_areas_are_read_relative_to_the_community(world):
    rows = [
        RESOURCE_HEADER,
        ["理发", "武汉市第一商业学校", "本社区", "40人次/月"],
        ["烘焙课", "武汉市第一商业学校", "本街道", ""],
        ["法律咨询", "武汉市第一商业学校", "全区", ""],
        ["心理热线", "武汉市第一商业学校", "全市", ""],
        ["网上课堂", "武汉市第一商业学校", "全国", ""],
        ["义诊", "武汉市第一商业学校", "西马街", ""],
        ["普法", "武汉市第一商业学校", "江岸", ""],
    ]
    with translation.override("en"):
        report = import_resources(world, rows)
        notes = [note.message for note in report.notes]
    assert not report.errors, errors_of(report)
    areas = dict(Resource.objects.values_list("title", "service_area__name"))
    assert areas == {
        "理发": "江汉北路社区",
        "烘焙课": "西马街道",
        "法律咨询": "江岸区",
        "心理热线": "武汉市",
        "网上课堂": "武汉市",
        "义诊": "西马街道",
        "普法": "江岸区",
    }
    assert notes == ["“全国” is wider than any region here; recorded as 武汉市, the widest."]
    school = Resource.objects.get(title="理发")
    assert school.provider_org == world.unit and school.capacity_number == 40


def test_organisations_are_found_by_short_name_and_an_ambiguous_one_lists_the_candidates(world):
    Organization.objects.filter(pk=world.unit.pk).update(short_name="一商")
    Organization.objects.create(
        name="武汉市第一商业银行", short_name="一商行", kind="enterprise", region=world.community
    )
    Organization.objects.create(
        name="一商物业", short_name="物业", kind="enterprise", region=world.community
    )
    Organization.objects.create(
        name="长春物业", short_name="物业", kind="enterprise", region=world.community
    )
    rows = [RESOURCE_HEADER, ["理发", "一商", "本社区", ""], ["修伞", "物业", "本社区", ""]]
    with translation.override("en"):
        report = import_resources(world, rows, dry_run=True)
    assert report.to_create[0].options["provider_org"] == world.unit
    ((row, column, message),) = errors_of(report)
    assert (row, column) == (3, "联系单位")
    assert "一商物业" in message and "长春物业" in message
    (question,) = report.questions
    assert question.ambiguous and [label for _a, label in question.candidates] == [
        "一商物业",
        "长春物业",
    ]


def test_compounds_are_found_by_short_name_and_aliases(world):
    Compound.objects.filter(pk=world.compound.pk).update(
        short_name="42号小区", aliases="42号院、老42"
    )
    rows = [
        ["标题", "小区"],
        ["甲", "42号小区"],
        ["乙", "42号院"],
        ["丙", "老42"],
        ["丁", "江汉北路42号小区"],
    ]
    report = import_needs(world, _xlsx(rows))
    assert not report.errors, errors_of(report)
    assert Need.objects.filter(compound=world.compound).count() == 4


def test_an_ambiguous_compound_name_is_an_error_that_names_the_candidates(world):
    Compound.objects.filter(pk=world.compound.pk).update(aliases="北院")
    Compound.objects.create(community=world.community, name="江汉北路44号小区", aliases="北院")
    with translation.override("en"):
        report = import_needs(world, _xlsx([["标题", "小区"], ["甲", "北院"]]), dry_run=True)
    ((_row, _column, message),) = errors_of(report)
    assert "江汉北路42号小区" in message and "江汉北路44号小区" in message


# ---------------------------------------------------------------- the mapping step


def test_each_unresolved_value_is_asked_once_with_its_rows(world):
    rows = [
        ["标题", "类别", "小区"],
        ["甲", "养老", "42号小区"],
        ["乙", "理发", "42号小区"],
        ["丙", "养老", "42号小区"],
    ]
    report = import_needs(world, _xlsx(rows), dry_run=True)
    questions = {(q.field_name, q.value): q for q in report.questions}
    assert set(questions) == {("category", "养老"), ("compound", "42号小区")}
    compound = questions[("compound", "42号小区")]
    assert compound.rows == [2, 3, 4] and compound.suggested == f"map:{world.compound.pk}"
    assert compound.can_create  # staff may add compounds
    assert questions[("category", "养老")].rows == [2, 4]
    assert report.error_rows == [2, 3, 4]


def test_answers_resolve_the_rows_and_are_remembered_for_the_next_import(world):
    rows = [["标题", "类别", "小区"], ["甲", "养老", "42号小区"], ["乙", "理发", "老院子"]]
    data = _xlsx(rows)
    elderly = Category.objects.get(name="为老服务")
    answers = {
        lists_io.answer_key("compound", "42号小区"): f"map:{world.compound.pk}",
        lists_io.answer_key("category", "养老"): f"map:{elderly.pk}",
        lists_io.answer_key("compound", "老院子"): "empty",
    }
    report = import_needs(world, data, answers=answers)
    assert report.applied and report.created == 2, errors_of(report)
    first, second = Need.objects.order_by("id")
    assert (first.compound, first.category) == (world.compound, elderly)
    assert second.compound is None
    remembered = {(m.field, m.value, m.choice) for m in ImportMapping.objects.all()}
    assert remembered == {
        ("compound", "42号小区", "map"),
        ("category", "养老", "map"),
        ("compound", "老院子", "empty"),
    }
    again = import_needs(world, data, dry_run=True)
    assert not again.errors and not again.questions
    assert {(u.field_name, u.value, u.remembered) for u in again.used_answers} == {
        ("compound", "42号小区", True),
        ("category", "养老", True),
        ("compound", "老院子", True),
    }


def test_a_dry_run_remembers_nothing(world):
    answers = {lists_io.answer_key("compound", "42号小区"): f"map:{world.compound.pk}"}
    import_needs(
        world, _xlsx([["标题", "小区"], ["甲", "42号小区"]]), answers=answers, dry_run=True
    )
    assert not ImportMapping.objects.exists()


def test_a_forgotten_answer_is_asked_again(world):
    answers = {lists_io.answer_key("compound", "42号小区"): f"map:{world.compound.pk}"}
    data = _xlsx([["标题", "小区"], ["甲", "42号小区"]])
    import_needs(world, data, answers=answers)
    mapping = ImportMapping.objects.get()
    lists_io.forget_answer(world["community_staff"], world.community, mapping.pk)
    assert not ImportMapping.objects.exists()
    assert AuditEntry.objects.filter(action="lists.import_answer_forgotten").count() == 1
    assert [q.value for q in import_needs(world, data, dry_run=True).questions] == ["42号小区"]


def test_answers_of_one_community_do_not_apply_to_another(world):
    answers = {lists_io.answer_key("compound", "42号小区"): f"map:{world.compound.pk}"}
    import_needs(world, _xlsx([["标题", "小区"], ["甲", "42号小区"]]), answers=answers)
    report = lists_io.import_file(
        world["subdistrict_staff"], world.other_community, "needs", "n.xlsx",
        _xlsx([["标题", "小区"], ["甲", "42号小区"]]), dry_run=True,
    )  # fmt: skip
    assert [q.value for q in report.questions] == ["42号小区"]


def test_an_answer_pointing_outside_the_community_is_not_taken(world):
    answers = {lists_io.answer_key("compound", "42号小区"): f"map:{world.other_compound.pk}"}
    report = import_needs(
        world, _xlsx([["标题", "小区"], ["甲", "42号小区"]]), answers=answers, dry_run=True
    )
    assert report.errors and [q.value for q in report.questions] == ["42号小区"]


def test_the_mapping_step_can_create_a_compound_and_a_category(world):
    answers = {
        lists_io.answer_key("compound", "新建小区"): "create",
        lists_io.answer_key("category", "养老"): "create",
    }
    rows = [["标题", "类别", "小区"], ["甲", "养老", "新建小区"], ["乙", "养老", "新建小区"]]
    # A new top-level category joins the shared taxonomy: district staff only.
    refused = import_needs(world, _xlsx(rows), answers=answers)
    assert refused.created == 0 and "区级工作人员" in str(errors_of(refused))
    assert not Need.objects.exists() and not Compound.objects.filter(name="新建小区").exists()
    from wulian.places import services as places

    places.assign_staff(None, world["community_staff"], world.district)
    world.people["community_staff"] = type(world["community_staff"]).objects.get(
        pk=world["community_staff"].pk
    )
    report = import_needs(world, _xlsx(rows), answers=answers)
    assert report.created == 2, errors_of(report)
    compound = Compound.objects.get(name="新建小区")
    assert compound.community == world.community
    assert set(Need.objects.values_list("compound", "category__name")) == {(compound.pk, "养老")}


def test_an_unknown_provider_stays_a_name_unless_mapped(world):
    rows = [RESOURCE_HEADER, ["修伞", "王师傅", "本社区", ""], ["理发", "一商校", "本社区", ""]]
    answers = {lists_io.answer_key("organization", "一商校"): f"map:{world.unit.pk}"}
    report = import_resources(world, rows, answers=answers)
    assert report.created == 2 and not report.errors
    assert Resource.objects.get(title="修伞").provider_name == "王师傅"
    assert Resource.objects.get(title="理发").provider_org == world.unit
    (question,) = report.questions
    assert question.value == "王师傅" and not question.blocking


# ---------------------------------------------------------------- the command


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_dry_run_prints_what_it_would_ask(world, tmp_path):
    file = tmp_path / "needs.xlsx"
    file.write_bytes(_xlsx([["标题", "小区"], ["甲", "42号小区"], ["乙", "42号小区"]]))
    with pytest.raises(CommandError):
        run("import", "needs", str(file), "--community", "江汉北路社区", "--as", "13900000004",
            "--dry-run")  # fmt: skip
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command(
            "import", "needs", str(file), "--community", "江汉北路社区", "--as", "13900000004",
            "--dry-run", stdout=out, stderr=io.StringIO(),
        )  # fmt: skip
    text = out.getvalue()
    assert "Compound “42号小区” (rows 2、3)" in text and "江汉北路42号小区" in text
    skeleton, _end = json.JSONDecoder().raw_decode(text[text.index("{") :])
    assert skeleton == {"compound": {"42号小区": "江汉北路42号小区"}}


def test_the_command_takes_a_mapping_file(world, tmp_path):
    file = tmp_path / "needs.xlsx"
    file.write_bytes(_xlsx([["标题", "小区", "类别"], ["甲", "42号小区", "养老"]]))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"compound": {"42号小区": "江汉北路42号小区"}, "category": {"养老": None}}),
        encoding="utf-8",
    )
    out, _ = run("import", "needs", str(file), "--community", "江汉北路社区", "--as",
                 "13900000004", "--map", str(mapping))  # fmt: skip
    assert "Created 1" in out
    need = Need.objects.get()
    assert need.compound == world.compound and need.category is None
    assert ImportMapping.objects.count() == 2


def test_the_command_refuses_a_mapping_that_names_nothing_known(world, tmp_path):
    file = tmp_path / "needs.xlsx"
    file.write_bytes(_xlsx([["标题", "小区"], ["甲", "42号小区"]]))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"compound": {"42号小区": "没有的小区"}}), encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match="42号小区"):
        call_command("import", "needs", str(file), "--community", "江汉北路社区", "--as",
                     "13900000004", "--map", str(mapping))  # fmt: skip


# ---------------------------------------------------------------- exports stay safe


def test_text_that_looks_like_a_formula_is_exported_as_text(world):
    hostile = '=HYPERLINK("http://evil.example","点我")'
    rows = [["标题", "描述"], ["路灯", hostile], ["+1", "@cmd"]]
    report = import_needs(world, _csv(rows, "utf-8"), name="a.csv")
    assert report.created == 2
    staff = world["community_staff"]
    xlsx = lists_io.export_list(staff, world.community, "needs", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row if cell.value}
    # OWASP's rule in .xlsx too: a string cell, behind an apostrophe.
    assert cells["'" + hostile] == "s" and cells["'+1"] == "s" and cells["'@cmd"] == "s"
    again = lists_io.import_file(staff, world.community, "needs", "a.xlsx", xlsx.content)
    assert again.is_valid and len(again.unchanged) == 2
    csv_export = lists_io.export_list(staff, world.community, "needs", "csv")
    text = csv_export.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text and "'@cmd" in text
    again = lists_io.import_file(staff, world.community, "needs", "a.csv", csv_export.content)
    assert again.is_valid and len(again.unchanged) == 2  # the quote comes off on the way back
