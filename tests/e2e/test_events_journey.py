"""A release event from the staff's desk to a claim on a phone and the big screen."""

from __future__ import annotations

import io
import re
import shutil

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, PHONE, assert_fits_width, check_accessibility
from tests.events.qr import decode_image, decode_pdf
from wulian.accounts.models import User
from wulian.events.models import ReleaseEvent
from wulian.lists import services as lists
from wulian.lists.models import Claim
from wulian.orgs.models import Membership, Organization

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BOARD = {"width": 1920, "height": 1080}


def _sign_in(page, base, mobile):
    page.goto(base + "/accounts/login/")
    page.locator("input[name=username], input[name=mobile]").first.fill(mobile)
    page.locator("input[type=password]").fill("secret-pass-1")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(base + "/")


def _draw_signature(page, side):
    canvas = page.locator(f"form.sign-form:has(input[value='{side}']) canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * 20, box["y"] + box["height"] * (0.3 + 0.4 * (i % 2)))
    page.mouse.up()


def test_a_release_event_goes_from_posters_to_a_claim_on_the_big_screen(
    live_server, world, browser, sms_outbox, tmp_path
):
    base = live_server.url
    staff_user = world["community_staff"]
    needs = [
        lists.publish_need(
            staff_user,
            lists.raise_need(
                staff_user,
                world.community,
                lists.NeedInput(title=title, description="发布会现场认领"),
                for_org=world.party_committee,
            ),
        )
        for title in ("社区书屋志愿者", "楼道堆物清理", "独居老人探访")
    ]
    bakery = Organization.objects.create(
        name="汉口老街糕点坊", kind=Organization.Kind.ENTERPRISE, region=world.community
    )
    owner = User.objects.create_user("13900000077", "secret-pass-1", real_name="糕点店长")
    Membership.objects.create(organization=bakery, user=owner, role=Membership.Role.ADMIN)

    # Staff create the event, put the needs on its list and open it.
    staff_ctx = browser.new_context(viewport=DESK, locale="zh-CN", accept_downloads=True)
    staff = staff_ctx.new_page()
    _sign_in(staff, base, "13900000004")
    staff.goto(base + "/events/")
    check_accessibility(staff)
    staff.locator("#new-event").click()
    staff.locator("#id_title").fill("江岸区首届机会清单发布会")
    staff.locator("#id_starts_at").fill("2026-06-01T09:30")
    staff.locator("#id_place").fill("新时代文明实践站")
    staff.locator(f"input[name=communities][value='{world.community.pk}']").check()
    check_accessibility(staff)
    staff.locator("#event-form button[type=submit]").click()
    staff.wait_for_url(re.compile(r".*/events/\d+/$"))
    event = ReleaseEvent.objects.get()
    for need in needs:
        staff.locator(f"input[name=needs][value='{need.pk}']").check()
    staff.locator("#add-selected").click()
    staff.wait_for_load_state()
    assert event.event_needs.count() == 3
    staff.locator("#open").click()
    staff.wait_for_load_state()
    event.refresh_from_db()
    assert event.state == "live"
    check_accessibility(staff)

    # The posters download, and their QR codes open the claim pages.
    claim_urls = {f"{base}/lists/needs/{n.pk}/claim/" for n in needs}
    for link in ("#print-cards", "#print-poster"):
        with staff.expect_download() as download_info:
            staff.locator(link).click()
        pdf = tmp_path / f"{link[1:]}.pdf"
        download_info.value.save_as(pdf)
        if shutil.which("pdfimages"):
            assert set(decode_pdf(pdf)) == claim_urls
        else:
            assert pdf.read_bytes().startswith(b"%PDF-")

    # The big screen is open in a second page.
    board_ctx = browser.new_context(viewport=BOARD, locale="zh-CN")
    board = board_ctx.new_page()
    board.goto(f"{base}/events/{event.pk}/board/")
    expect(board.locator("#board-total")).to_have_text("3")
    expect(board.locator("#board-claimed")).to_have_text("0")
    # (no wait_for_function: the page's script policy forbids the eval it uses)
    expect(board.locator("body")).not_to_have_attribute("data-version", "")
    board.evaluate("window.__sameDocument = true")
    check_accessibility(board)
    # Three needs: compact tiles, not stretched down the screen, and a large QR code of the
    # event's page that a phone at the back of the hall reads.
    for tile in board.locator(".tile").all():
        box = tile.bounding_box()
        assert box is not None and box["height"] < BOARD["height"] / 4
    qr = board.locator(".claim-qr img")
    qr_box = qr.bounding_box()
    assert qr_box is not None and qr_box["width"] >= 200
    shot = Image.open(io.BytesIO(qr.screenshot()))
    assert decode_image(shot) == f"{base}/events/{event.pk}/"
    expect(board.locator(".legend")).to_contain_text("认领的单位和个人")

    # On a phone, the bakery's owner follows the first claim URL, signs in with a code.
    phone_ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    phone = phone_ctx.new_page()
    target = needs[0]
    phone.goto(f"{base}/lists/needs/{target.pk}/claim/")
    check_accessibility(phone)
    assert_fits_width(phone)
    phone.locator("a[href^='/accounts/login/code/']").first.click()
    phone.locator("input[name='send-mobile']").fill("13900000077")
    phone.locator("form:has(input[name='send-mobile']) button[type=submit]").click()
    phone.wait_for_load_state()
    assert sms_outbox, "no text message was sent"
    found = re.search(r"\d{6}", sms_outbox[-1].text)
    assert found is not None
    code = found.group(0)
    phone.locator("input[name='code']").fill(code)
    phone.locator("form:has(input[name='code']) button[type=submit]").click()
    phone.wait_for_url(f"**/lists/needs/{target.pk}/claim/")
    check_accessibility(phone)
    assert_fits_width(phone)
    expect(phone.locator(f"input[name=organization][value='{bakery.pk}']")).to_be_checked()
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.locator("form button.big[type=submit]").click()
    phone.wait_for_url("**/lists/projects/*/")

    # The big screen shows the claim within two seconds, without reloading.
    expect(board.locator("#board-claimed")).to_have_text("1", timeout=2000)
    expect(board.locator(f".tile[data-need='{target.pk}']")).to_have_attribute(
        "data-state", "claimed", timeout=2000
    )
    expect(board.locator("#board-ticker li").first).to_contain_text("汉口老街糕点坊")
    assert board.evaluate("window.__sameDocument === true")

    # The owner signs the claim agreement on the phone.
    form = phone.locator("form.sign-form:has(input[value='claimant'])")
    form.locator("input[name=typed_name]").fill("糕点店长")
    _draw_signature(phone, "claimant")
    form.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    check_accessibility(phone)
    claim = Claim.objects.get(need=target)
    assert claim.organization == bakery
    assert claim.project.agreement.signatures.filter(side="claimant").exists()

    # The event page and the report agree.
    staff.goto(f"{base}/events/{event.pk}/report/")
    check_accessibility(staff)
    expect(staff.locator("#report-claimed")).to_have_text("1")
    expect(staff.locator("#report-unclaimed")).to_have_text("2")
    for ctx in (staff_ctx, board_ctx, phone_ctx):
        ctx.close()
