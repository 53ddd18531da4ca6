"""Staff import the lists they keep: a needs sheet with a title above the header and the
compound written as 42号小区, and a resources sheet with 本社区 / 全市 service areas."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from tests.e2e.conftest import check_accessibility
from wulian.lists.models import Category, ImportMapping, Need, Resource

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, mobile):
    page.goto(base + "/accounts/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def _sheet(path, title, header, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.append(["合计", None, len(rows)])
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)


def _upload(page, base, community, kind_label, file):
    page.goto(f"{base}/lists/communities/{community.pk}/import/")
    page.get_by_label(kind_label, exact=True).check()
    page.get_by_label("文件").set_input_files(file)
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url("**/import/*/")


def test_staff_import_a_needs_sheet_and_map_42_once(live_server, world, desk, tmp_path):
    Category.objects.get_or_create(name="便民服务", parent=None)
    base = live_server.url
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    header = ["需求名称", "所在小区", "受益人数", "截止时间"]
    first = _sheet(
        tmp_path / "needs-1.xlsx",
        "江汉北路社区需求清单（11月）",
        header,
        [
            ["老人上门理发", "42号小区", "30人", deadline],
            ["楼道灯更换", "42号小区", "12", deadline],
        ],
    )
    _sign_in(desk, base, "13900000004")
    _upload(desk, base, world.community, "需求", first)

    # The preview asks once what 42号小区 means, suggesting the compound whose name holds it.
    check_accessibility(desk)
    assert desk.get_by_text("这些取值是什么意思？").is_visible()
    assert desk.get_by_text("表头上方的标题或说明").is_visible()
    answer = desk.get_by_label("“42号小区”的含义")
    assert answer.input_value() == f"map:{world.compound.pk}"
    desk.get_by_role("button", name="应用这些回答").click()
    desk.wait_for_load_state()
    assert desk.get_by_text("这些取值是什么意思？").count() == 0
    desk.get_by_role("button", name="导入", exact=True).click()
    desk.wait_for_url("**/import/?kind=needs")
    assert Need.objects.filter(compound=world.compound).count() == 2
    assert ImportMapping.objects.filter(value="42号小区").exists()

    # The next file with 42号小区 needs no question; the answer shows as remembered.
    second = _sheet(
        tmp_path / "needs-2.xlsx",
        "江汉北路社区需求清单（12月）",
        header,
        [["健身器材维修", "42号小区", "约40人次", deadline]],
    )
    assert desk.get_by_text("已记住的对应关系").is_visible()
    _upload(desk, base, world.community, "需求", second)
    assert desk.get_by_text("这些取值是什么意思？").count() == 0
    assert desk.get_by_role("cell", name="已记住").is_visible()
    desk.get_by_role("button", name="导入", exact=True).click()
    desk.wait_for_url("**/import/?kind=needs")
    need = Need.objects.get(title="健身器材维修")
    assert need.compound == world.compound and need.beneficiaries == 40


def test_staff_import_resources_serving_this_community_and_the_whole_city(
    live_server, world, desk, tmp_path
):
    base = live_server.url
    file = _sheet(
        tmp_path / "resources.xlsx",
        "驻区单位资源清单",
        ["资源名称", "联系单位", "服务范围", "服务能力"],
        [
            ["便民理发", "武汉市第一商业学校", "本社区", "40人次/月"],
            ["心理热线", "武汉市第一商业学校", "全市", ""],
            ["修伞", "王师傅", "本社区", ""],
        ],
    )
    _sign_in(desk, base, "13900000004")
    _upload(desk, base, world.community, "资源", file)
    check_accessibility(desk)
    # 王师傅 is no organisation here: asked, but he stays a name unless staff say otherwise.
    assert desk.get_by_label("“王师傅”的含义").input_value() == "keep"
    desk.get_by_role("button", name="导入", exact=True).click()
    desk.wait_for_url("**/import/?kind=resources")
    areas = dict(Resource.objects.values_list("title", "service_area"))
    assert areas == {
        "便民理发": world.community.pk,
        "心理热线": world.city.pk,
        "修伞": world.community.pk,
    }
    assert Resource.objects.get(title="便民理发").provider_org == world.unit
    assert Resource.objects.get(title="修伞").provider_name == "王师傅"
