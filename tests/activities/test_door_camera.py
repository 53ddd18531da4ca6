"""The organisers' scanner reads codes with the phone's camera: the browser's BarcodeDetector,
or the vendored jsQR decoder, pinned with its licence; the typed code still works."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.activities.conftest import at
from tests.conftest import fresh
from wulian.activities import services

VENDOR = Path(__file__).parents[2] / "wulian/activities/static/vendor/jsqr-1.4.0"
JSQR_SHA256 = "bc40c8a15196236b2314db0856f72ca0b49980cd5413b8c852a7349f5fee0859"


@pytest.fixture
def activity(world, clock):
    return services.create_activity(
        fresh(world["community_staff"]),
        world.community,
        services.ActivityInput(
            title="反诈防暑进站点",
            starts_at=at(6, 14),
            ends_at=at(6, 16),
            capacity=5,
            hosts=[world.unit],
            place="骑手驿站",
        ),
    )


def test_the_vendored_decoder_is_the_pinned_release_with_its_licence():
    assert hashlib.sha256((VENDOR / "jsQR.js").read_bytes()).hexdigest() == JSQR_SHA256
    assert "Apache License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")


def test_the_scan_page_offers_the_camera_with_scripts_from_the_site_only(world, activity):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(fresh(world["unit_contact"]))
    body = client.get(reverse("activities:scan", args=[activity.pk])).content.decode()
    assert 'id="camera-scan"' in body and "用摄像头扫码" in body
    assert 'data-decoder="/static/vendor/jsqr-1.4.0/jsQR.js"' in body
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", body, re.S)
    assert scripts and all(
        'src="/static/' in attrs and not inline.strip() for attrs, inline in scripts
    )
    assert not re.search(r"\son[a-z]+=", body)
    assert 'name="code"' in body  # the typed-code fallback


def test_a_code_sent_from_the_scanner_page_checks_the_person_in_once(world, activity, clock):
    rider = fresh(world["resident"])
    services.sign_up(rider, activity)
    clock.move_to(at(6, 13, 50))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(fresh(world["unit_contact"]))
    url = reverse("activities:scan", args=[activity.pk])
    sent = {"code": services.person_code(rider), "nonce": "camera-1", "kind": "in"}
    first = client.post(url, sent, follow=True)
    again = client.post(url, sent, follow=True)
    assert "已签到" in first.content.decode()
    assert again.status_code == 200
    assert activity.signups.get(person=rider).scans.count() == 1


@pytest.mark.parametrize("role", ["resident", "outsider"])
def test_only_organisers_open_the_scanner(world, activity, role):
    client = Client()
    client.force_login(fresh(world[role]))
    assert client.get(reverse("activities:scan", args=[activity.pk])).status_code in {403, 404}
