"""On a phone: the organiser opens the door scanner, the camera sees a resident's QR code
(Chromium's fake camera plays a picture of it), and she is checked in; the typed code says
"already checked in" the second time.

Chromium on Linux has no BarcodeDetector, so this is the vendored jsQR decoder at work."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import segno
import time_machine
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM_ARGS, PHONE, _chromium, check_accessibility
from wulian.activities import services
from wulian.activities.models import SignUp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def camera_file(text: str, path: Path) -> Path:
    """A few frames of a QR code on white, as YUV4MPEG2 for Chromium's fake camera."""
    width, height = 640, 480
    qr = segno.make(text, error="m")
    side = 360
    code = Image.open(_png(qr, path.with_suffix(".png"))).convert("L").resize((side, side))
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - side) // 2, (height - side) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (width * height // 4)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(5):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def _png(qr: Any, path: Path) -> Path:
    qr.save(str(path), scale=8, border=4)
    return path


def test_the_organiser_checks_a_resident_in_with_the_phones_camera(
    live_server, world, playwright, tmp_path
):
    base = live_server.url
    start = timezone.now() + datetime.timedelta(days=3)
    with time_machine.travel(start, tick=True):
        activity = services.create_activity(
            world["community_staff"],
            world.community,
            services.ActivityInput(
                title="反诈防暑进站点",
                starts_at=start + datetime.timedelta(minutes=20),
                ends_at=start + datetime.timedelta(hours=2),
                capacity=5,
                hosts=[world.unit],
                place="骑手驿站",
            ),
        )
        resident = world["resident"]
        services.sign_up(resident, activity)
        video = camera_file(services.person_code(resident), tmp_path / "door.y4m")
        browser = playwright.chromium.launch(
            executable_path=_chromium(),
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        try:
            context = browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
            )
            context.grant_permissions(["camera"], origin=base)
            page = context.new_page()
            blocked: list[str] = []
            page.on(
                "console",
                lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
            )
            page.goto(base + "/accounts/login/")
            page.locator("input[name=mobile]").fill("13900000002")
            page.locator("input[name=password]").fill("secret-pass-1")
            page.locator("main button[type=submit]").click()
            page.wait_for_url(base + "/")
            page.goto(base + f"/activities/{activity.pk}/scan/")
            check_accessibility(page)
            page.locator("#camera-start").click()
            expect(page.locator(".message")).to_contain_text("签到", timeout=15000)
            signup = SignUp.objects.get(activity=activity, person=resident)
            assert signup.checked_in_at is not None
            # The camera starts again by itself for the next person, and does not send the
            # code it still sees; stop it and type the code instead.
            expect(page.locator("#camera-status")).to_have_text(
                "请将对方的二维码对准摄像头。", timeout=10000
            )
            page.wait_for_timeout(1500)
            assert signup.scans.count() == 1
            page.locator("#camera-stop").click()
            page.locator("input[name=code]").fill(services.person_code(resident))
            page.locator("#scan-form button[type=submit]").click()
            expect(page.locator(".message")).to_contain_text("已签到")
            assert signup.scans.count() == 2
            assert SignUp.objects.get(pk=signup.pk).checked_in_at == signup.checked_in_at
            assert blocked == []
            context.close()
        finally:
            browser.close()
