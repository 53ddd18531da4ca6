"""A red deliberation meeting from the staff's desk to phones at the door and the projector."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.council.conftest import CouncilWorld
from tests.e2e.conftest import DESK, PHONE, assert_fits_width, check_accessibility
from wulian.council.models import Meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BOARD = {"width": 1920, "height": 1080}


@pytest.fixture
def cw(world):
    return CouncilWorld(world)


def _sign_in(page, base, mobile):
    page.goto(base + "/accounts/login/")
    page.locator("input[name=username], input[name=mobile]").first.fill(mobile)
    page.locator("input[type=password]").fill("secret-pass-1")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(base + "/")


def test_a_meeting_from_check_in_to_a_secret_ballot_and_its_minutes(
    live_server, cw, browser, tmp_path
):
    base = live_server.url
    staff_ctx = browser.new_context(viewport=DESK, locale="zh-CN", accept_downloads=True)
    staff = staff_ctx.new_page()
    _sign_in(staff, base, cw.staff.mobile)

    # Staff set up the meeting, publish its notice and open it.
    staff.goto(f"{base}/council/{cw.council.pk}/")
    check_accessibility(staff)
    staff.get_by_role("link", name="筹备会议").click()
    # Opened at most an hour before its time: the notice went out days ago, on paper.
    starts = timezone.localtime() + datetime.timedelta(minutes=30)
    staff.locator("#id_title").fill("42号小区红色议事会")
    staff.locator("#id_starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    staff.locator("#id_notice_days").fill("0")
    staff.locator("#id_place").fill("中心广场")
    staff.locator("#id_called").select_option("households")
    staff.locator("#id_rule").select_option("residents_households")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(re.compile(r".*/council/meetings/\d+/$"))
    meeting = Meeting.objects.get()
    staff.get_by_role("button", name="发布通知").click()
    staff.get_by_role("button", name="宣布开会").click()
    expect(staff.locator("#meeting-state")).to_have_text("进行中")
    check_accessibility(staff)
    checkin_url = staff.locator("figure.qr figcaption").inner_text().strip()
    assert checkin_url.endswith(f"/check-in/{meeting.checkin_token}/")

    # The projector shows attendance and updates by itself.
    board_ctx = browser.new_context(viewport=BOARD, locale="zh-CN")
    board = board_ctx.new_page()
    _sign_in(board, base, cw.chair.mobile)
    board.goto(f"{base}/council/meetings/{meeting.pk}/projector/")
    expect(board.locator("#p-quorum")).to_have_attribute("data-ok", "no")

    # Three of four households check in from their phones with the QR code's address.
    phones = []
    for voter in cw.voters[:3]:
        ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
        page = ctx.new_page()
        _sign_in(page, base, voter.mobile)
        page.goto(checkin_url)
        assert_fits_width(page)
        page.locator("#checkin-button").click()
        expect(page.locator(".messages")).to_contain_text("签到成功")
        phones.append((ctx, page))
    expect(board.locator("#p-quorum")).to_have_attribute("data-ok", "yes", timeout=2000)
    expect(board.locator("#p-quorum")).to_have_text("需过半数户代表出席：现 3/4 户，已达法定人数")
    expect(board.locator("#p-households")).to_have_text("3")

    # A secret ballot, cast from the phones.
    staff.reload()
    staff.locator("summary", has_text="添加表决事项").click()
    staff.locator("#id_text").fill("同意拆除公共区域私装地锁")
    staff.locator("#id_method").select_option("yes_no")
    staff.locator("#id_voting").select_option("online")
    staff.get_by_role("button", name="添加", exact=True).click()
    staff.locator("li[data-motion] a").first.click()
    staff.get_by_role("button", name="开始投票").click()
    expect(staff.locator("#motion-state")).to_have_text("投票中")
    motion_url = staff.url
    for (_ctx, page), choice in zip(phones, ["赞成", "赞成", "反对"], strict=True):
        page.goto(motion_url)
        page.get_by_label(choice).check()
        page.get_by_role("button", name="投票").click()
        expect(page.locator("#voted")).to_be_visible()
        assert_fits_width(page)
    expect(board.locator("#p-motions li .cast")).to_contain_text("3")
    staff.get_by_role("button", name="结束投票").click()
    expect(staff.locator("#outcome")).to_have_text("通过")
    expect(staff.locator("#why")).to_contain_text("赞成 2，反对 1，弃权 0")
    phones[0][1].reload()
    expect(phones[0][1].locator("#outcome")).to_have_text("通过")

    # The resolution is recorded and published for its notice period.
    staff.locator("#id_text").fill("拆除公共区域私装地锁，规范停车秩序")
    staff.locator("#id_owner").fill("红色邻里志愿服务队")
    staff.locator("#id_deadline").fill(
        (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    )
    staff.get_by_role("button", name="记录决议").click()
    staff.wait_for_url(re.compile(r".*/council/resolutions/\d+/$"))
    staff.get_by_role("button", name="公示决议").click()
    expect(staff.locator("#resolution-state")).to_have_text("公示中")
    today = timezone.localdate()
    expect(staff.locator("#notice-period")).to_have_text(
        f"{today:%Y-%m-%d} – {today + datetime.timedelta(days=7):%Y-%m-%d}"
    )
    check_accessibility(staff)

    # The minutes download as a PDF whose text reads back.
    staff.goto(f"{base}/council/meetings/{meeting.pk}/")
    with staff.expect_download() as download:
        staff.locator("#minutes-pdf").click()
    path = tmp_path / "minutes.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert (
            "会议纪要" in text and "拆除公共区域私装地锁" in text and "红色邻里志愿服务队" in text
        )

    for ctx, _page in phones:
        ctx.close()
    board_ctx.close()
    staff_ctx.close()


def test_a_resident_corrects_a_topic_in_a_chinese_browser_and_nothing_else_moves(
    live_server, cw, browser
):
    from wulian.council import services
    from wulian.lists import services as lists

    resident = cw.world["resident"]
    need = lists.raise_need(
        resident, cw.world.community, lists.NeedInput(title="3栋楼道灯坏", description="")
    )
    topic = services.raise_topic(
        resident,
        cw.council,
        services.TopicInput(title="加装电悌", text="3栋老人上下楼难", why="方便老人", need=need),
    )
    base = live_server.url
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    _sign_in(page, base, resident.mobile)
    page.goto(f"{base}/council/topics/{topic.pk}/")
    page.get_by_role("link", name="编辑").click()
    check_accessibility(page)
    assert_fits_width(page)
    expect(page.locator("#id_why")).to_have_value("方便老人")
    expect(page.locator("#id_need")).to_have_value(str(need.pk))
    page.locator("#id_title").fill("加装电梯")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/council/topics/{topic.pk}/")
    expect(page.locator("h1")).to_have_text("加装电梯")
    topic.refresh_from_db()
    assert (topic.title, topic.text, topic.why, topic.need_id) == (
        "加装电梯",
        "3栋老人上下楼难",
        "方便老人",
        need.pk,
    )
    context.close()
