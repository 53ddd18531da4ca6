"""Files built to exhaust the importer (millions of blank rows, a zip bomb, a giant cell) are
refused at once with a message that says what to fix; an upload is read once, however often
its preview is shown."""

import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from wulian.lists import spreadsheets, xlsx_reader
from wulian.lists.models import Category, Need

HEADER = ["编号", "标题", "类别", "小区"]


@pytest.fixture(autouse=True)
def taxonomy(db):
    Category.objects.get_or_create(name="便民服务", parent=None)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def workbook(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(data, part, change):
    """The .xlsx `data` with one part's XML passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


def with_blank_rows(count):
    """Two needs, then `count` rows that hold only a formatted, empty cell, as a sheet does
    when someone formats whole rows down to the bottom."""
    data = workbook([HEADER, ["A1", "老人理发", "便民服务", ""], ["A2", "楼道灯", "便民服务", ""]])
    blank = b"".join(b'<row r="%d"><c r="A%d" s="0"/></row>' % (n, n) for n in range(4, count + 4))
    return rewritten(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</sheetData>", blank + b"</sheetData>"),
    )


def refused(name, data):
    with translation.override("en"), pytest.raises(spreadsheets.ImportFileError) as caught:
        spreadsheets.read_table(name, data, "needs")
    return caught.value


def test_a_sheet_of_blank_rows_past_the_bound_is_refused_with_what_to_do():
    error = refused("bomb.xlsx", with_blank_rows(xlsx_reader.MAX_SHEET_ROWS))
    assert error.code == "import.too_large_rows"
    assert "blank ones included" in str(error.message) and "Delete the empty rows" in str(
        error.message
    )


def test_a_few_thousand_formatted_blank_rows_are_still_read():
    table = spreadsheets.read_table("ok.xlsx", with_blank_rows(5_000), "needs")
    assert [cells[1] for _n, cells in table.rows] == ["老人理发", "楼道灯"]


def test_the_slow_reader_is_bounded_too():
    """openpyxl reads every sheet whole; the bounds are checked before it is given the file."""
    with pytest.raises(spreadsheets.ImportFileError) as caught:
        spreadsheets._read_xlsx_with_openpyxl(with_blank_rows(xlsx_reader.MAX_SHEET_ROWS), "needs")
    assert caught.value.code == "import.too_large_rows"


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    data = workbook([HEADER, ["A1", "老人理发", "便民服务", ""]])
    huge = b" " * (xlsx_reader.MAX_UNPACKED_BYTES + 1)
    bomb = rewritten(data, "docProps/app.xml", lambda xml: xml + huge)
    assert len(bomb) < 1024 * 1024  # a small upload
    error = refused("bomb.xlsx", bomb)
    assert error.code == "import.too_large_unpacked" and "64 MB" in str(error.message)


def test_a_cell_longer_than_excel_allows_is_refused():
    """Excel keeps a cell under 32,767 characters (openpyxl cuts what it writes there); a file
    holding a longer one was made to hurt."""
    data = workbook([HEADER, ["A1", "PLACEHOLDER", "便民服务", ""]])
    long_text = ("长" * (xlsx_reader.MAX_CELL_CHARS + 1)).encode()
    bomb = rewritten(
        data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"PLACEHOLDER", long_text)
    )
    error = refused("long.xlsx", bomb)
    assert error.code == "import.too_large_cell" and "Row 2, column B" in str(error.message)


def test_a_csv_of_blank_lines_past_the_bound_is_refused():
    data = ("编号,标题\nA1,老人理发\n" + "\n" * xlsx_reader.MAX_SHEET_ROWS).encode()
    assert refused("bomb.csv", data).code == "import.too_large_rows"


def test_the_upload_page_says_why_a_bomb_is_refused(client, world, media):
    client.force_login(world["community_staff"])
    client.cookies["wulian_language"] = "zh-hans"
    file = io.BytesIO(with_blank_rows(xlsx_reader.MAX_SHEET_ROWS))
    file.name = "需求清单.xlsx"
    response = client.post(
        reverse("lists:import", args=[world.community.pk]), {"kind": "needs", "file": file}
    )
    assert response.status_code == 200
    assert "空行" in response.content.decode()
    assert not (media / "imports").exists() or not any((media / "imports").iterdir())


def test_an_upload_is_read_once_for_its_preview_mapping_and_confirmation(
    client, world, media, monkeypatch
):
    client.force_login(world["community_staff"])
    client.cookies["wulian_language"] = "en"
    file = io.BytesIO(workbook([HEADER, ["R1", "老人理发", "便民服务", "42号楼"]]))
    file.name = "needs.xlsx"
    response = client.post(
        reverse("lists:import", args=[world.community.pk]), {"kind": "needs", "file": file}
    )
    assert response.status_code == 302

    def read_again(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(spreadsheets, "read_table", read_again)
    for _ in range(3):
        preview = client.get(response["Location"])
        assert preview.status_code == 200 and "42号楼" in preview.content.decode()
    token = preview.context["stored"].token
    question = preview.context["report"].questions[0]
    mapped = client.post(
        reverse("lists:import_map", args=[world.community.pk, token]),
        {"key-0": question.key, "answer-0": "empty"},
    )
    assert mapped.status_code == 302
    client.post(reverse("lists:import_confirm", args=[world.community.pk, token]), {"mode": "all"})
    need = Need.objects.get()
    assert need.external_id == "R1" and need.compound is None


def test_control_characters_in_a_file_are_dropped_as_everywhere_text_enters():
    data = "标题,描述\n楼道灯坏了,三楼\x0b四楼\n".encode()
    table = spreadsheets.read_table("n.csv", data, "needs")
    assert table.rows[0][1] == ["楼道灯坏了", "三楼四楼"]
    sheet = workbook([HEADER, ["A1", "PLACEHOLDER", "便民服务", ""]])
    sheet = rewritten(
        sheet,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"PLACEHOLDER", "三楼&#11;四楼".encode()),
    )
    assert spreadsheets.read_table("n.xlsx", sheet, "needs").rows[0][1][1] == "三楼四楼"
