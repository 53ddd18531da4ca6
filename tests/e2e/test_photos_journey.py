"""A resident's photo: previewed before sending, shown after, to the right people only."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from tests.e2e.conftest import PHONE
from wulian.lists.models import Need

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _page_as(browser: Any, base: str, user: Any) -> Any:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}
        context.add_cookies([cookie])
    return context.new_page()


def _loaded(page: Any, selector: str) -> bool:
    """Whether the first image matching ``selector`` arrives and decodes (waiting up to 10 s;
    polled from outside the page, since its script policy forbids wait_for_function's eval)."""
    image = page.locator(selector).first
    image.scroll_into_view_if_needed()
    for _ in range(100):
        if image.evaluate("img => img.complete && img.naturalWidth > 0"):
            return True
        page.wait_for_timeout(100)
    return False


def test_a_photo_is_previewed_sent_and_shown_to_staff_but_not_to_others(
    live_server: Any, world: Any, browser: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    jpeg = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 120, 200)).save(jpeg, "JPEG")

    resident = _page_as(browser, base, world["resident"])
    resident.goto(base + "/lists/needs/new/")
    resident.locator("[name=title]").fill("楼道灯坏了")
    resident.locator("[name=photos]").set_input_files(
        files=[{"name": "楼道.jpg", "mimeType": "image/jpeg", "buffer": jpeg.getvalue()}]
    )
    assert _loaded(resident, ".photo-preview img")  # seen before sending
    with resident.expect_navigation():
        resident.locator("main form button[type=submit]").click()
    need = Need.objects.get()
    assert _loaded(resident, ".photos img")  # the raiser sees it

    staff = _page_as(browser, base, world["community_staff"])
    staff.goto(f"{base}/lists/needs/review/")
    assert _loaded(staff, "img.thumb")  # the review queue's thumbnail
    staff.goto(f"{base}/lists/needs/{need.pk}/")
    assert _loaded(staff, ".photos img")

    url = need.photos.get().url
    outsider = _page_as(browser, base, world["outsider"])
    assert outsider.goto(base + url).status == 404
    visitor = _page_as(browser, base, None)
    assert visitor.goto(base + url).status == 404
    for page in (resident, staff, outsider, visitor):
        page.context.close()


def test_what_a_unit_typed_comes_back_when_its_post_is_refused(
    live_server: Any, world: Any, browser: Any, settings: Any, tmp_path: Any
) -> None:
    """A long note typed on a phone survives a refused photo: the page it is sent back to
    holds the note again, the form open, and the next visit starts empty."""
    from wulian.whistle import services as whistles

    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    whistle = whistles.blow_whistle(
        world["community_staff"],
        world.community,
        whistles.WhistleInput(type="emergency", title="42号小区水管爆裂", units=[world.unit]),
    )
    unit = _page_as(browser, base, world["unit_contact"])
    unit.goto(f"{base}/whistles/{whistle.pk}/")
    note = "已关闭3栋总阀，物业师傅正在更换爆裂的管段，预计两小时内恢复供水"
    text = unit.locator("textarea[name=text]")
    text.fill(note)
    unit.locator("input[name=photos]").set_input_files(
        files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo at all"}]
    )
    with unit.expect_navigation():
        unit.locator("button[value=action]").click()
    assert unit.locator(".message.error").count() == 1
    assert text.input_value() == note
    assert unit.evaluate("document.activeElement.name") == "text"
    assert not whistle.calls.get().actions.exists()

    unit.reload()
    assert text.input_value() == ""
    unit.context.close()
