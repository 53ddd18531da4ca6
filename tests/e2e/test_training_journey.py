"""Joint training from the secretary's desk to members' phones at the door, and back to the
year's progress and a member's yearly study record (PDF read back, .xlsx opened back)."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, PHONE, assert_fits_width, check_accessibility
from tests.training.conftest import TrainingWorld
from wulian.training.models import Attendance, Session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, mobile):
    page.goto(base + "/accounts/login/")
    page.locator("input[name=username], input[name=mobile]").first.fill(mobile)
    page.locator("input[type=password]").fill("secret-pass-1")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(base + "/")


def test_a_joint_session_from_the_door_to_the_yearly_record(live_server, world, browser, tmp_path):
    tw = TrainingWorld(world)
    base = live_server.url
    desk_ctx = browser.new_context(viewport=DESK, locale="zh-CN", accept_downloads=True)
    desk = desk_ctx.new_page()
    _sign_in(desk, base, tw.school_secretary.mobile)

    # The school's branch secretary organises a visit with the community party committee.
    desk.goto(base + "/training/")
    desk.get_by_role("link", name="组织联训").click()
    starts = (timezone.localtime() + datetime.timedelta(minutes=30)).replace(second=0)
    desk.locator("#id_title").fill("参观二七纪念馆")
    desk.locator("#id_kind").select_option("visit")
    desk.get_by_label("社区党委").check()
    desk.get_by_label("武汉市第一商业学校").check()
    desk.locator("#id_starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    desk.locator("#id_ends_at").fill(
        (starts + datetime.timedelta(hours=2, minutes=30)).strftime("%Y-%m-%dT%H:%M")
    )
    desk.locator("#id_place").fill("武汉二七纪念馆")
    desk.locator("#id_topics").fill("二七精神，工人运动史")
    desk.locator("#id_hours_rule").select_option("actual")
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_url(re.compile(r".*/training/\d+/$"))
    session = Session.objects.get()
    assert set(session.organisers.values_list("name", flat=True)) == {
        "社区党委",
        "武汉市第一商业学校",
    }
    check_accessibility(desk)
    desk.locator("summary", has_text="二维码").click()
    door = desk.locator("figure.qr figcaption").inner_text().strip()
    assert door.endswith(f"/training/{session.pk}/check-in/{session.token}/")

    # A member of each organisation checks in from their phone; a second tap changes nothing.
    for member in (tw.school_member, tw.resident):
        ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
        phone = ctx.new_page()
        _sign_in(phone, base, member.mobile)
        phone.goto(door)
        assert_fits_width(phone)
        phone.locator("#checkin-button").click()
        expect(phone.locator("#my-attendance")).to_contain_text("2.5")
        phone.goto(door)
        expect(phone.locator("#checked-in")).to_be_visible()
        ctx.close()
    assert Attendance.objects.filter(session=session).count() == 2

    # The secretary sees both organisations' attendance, their own members by name.
    desk.reload()
    expect(desk.locator("#attendance")).to_contain_text("党员乙")
    expect(desk.locator("#attendance")).not_to_contain_text("居民甲")

    # The year's progress: who is behind, and a member's yearly study record.
    desk.goto(base + "/training/progress/")
    check_accessibility(desk)
    row = desk.locator(f"#member-{tw.school_record.pk}")
    expect(row).to_contain_text("2.5 / 32")
    expect(desk.locator("#behind")).to_contain_text("党员乙")
    expect(desk.locator("#behind")).to_contain_text("管理员丙")
    with desk.expect_download() as pdf_download:
        row.get_by_role("link", name="PDF").click()
    pdf_path = tmp_path / "record.pdf"
    pdf_download.value.save_as(pdf_path)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "党员学习档案" in text and "党员乙" in text and "参观二七纪念馆" in text
    with desk.expect_download() as xlsx_download:
        row.get_by_role("link", name=".xlsx").click()
    xlsx_path = tmp_path / "record.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    sheet = load_workbook(io.BytesIO(xlsx_path.read_bytes())).active
    rows = [[cell.value for cell in r] for r in sheet.iter_rows()]
    assert rows[1][1] == "参观二七纪念馆" and rows[1][7] == 2.5
    assert rows[-2][0] == "合计" and rows[-2][7] == 2.5
    desk_ctx.close()
