"""SMS pumping: codes to numbers with no account cost the caller a proof of work, and codes
are limited per number, per address and for the site per day."""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from tests.challenge import solved
from wulian.accounts import services
from wulian.core import challenge as pow
from wulian.core.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]


def _new_number(n: int) -> str:
    return f"137{n:08d}"


def test_twenty_unregistered_numbers_from_one_address_get_no_code_without_the_proof(
    client, world, sms_outbox
):
    for n in range(20):
        page = client.post("/accounts/login/code/", {"send-mobile": _new_number(n)})
        assert page.status_code == 200
    assert sms_outbox == []
    assert "请确认浏览器已开启 JavaScript" in page.content.decode()


def test_the_page_carries_a_challenge_and_a_solved_one_sends_the_code(client, world, sms_outbox):
    page = client.get("/accounts/login/code/").content.decode()
    assert 'name="challenge"' in page and "wulian/challenge.js" in page
    answer = client.post("/accounts/login/code/", {"send-mobile": _new_number(1), **solved()})
    assert 'name="real_name"' in answer.content.decode()
    assert len(sms_outbox) == 1


def test_a_proof_is_good_for_one_code_only(world, sms_outbox):
    proof = solved()
    services.request_code(_new_number(1), None, allow_new=True, **proof)
    with pytest.raises(DomainError) as refused:
        services.request_code(_new_number(2), None, allow_new=True, **proof)
    assert refused.value.code == "challenge.failed"
    assert len(sms_outbox) == 1


def test_a_stale_forged_or_unsolved_proof_is_refused(world, sms_outbox):
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=16)):
        stale = solved()
    forged = solved()
    forged["challenge"] = forged["challenge"][:-2] + "xx"
    easy = signing.TimestampSigner(salt=pow.SALT).sign("1:abcdef")
    for proof in (stale, forged, {"challenge": easy, "nonce": pow.solve(easy)}, {}):
        with pytest.raises(DomainError):
            services.request_code(_new_number(3), None, allow_new=True, **proof)
    assert sms_outbox == []


def test_a_person_with_an_account_needs_no_proof(client, world, sms_outbox):
    page = client.post("/accounts/login/code/", {"send-mobile": "13900000001"})
    assert "验证码已发送" in page.content.decode()
    assert len(sms_outbox) == 1


def test_codes_per_address_are_limited_per_day(world, sms_outbox, settings):
    settings.SMS_CODES_PER_ADDRESS_PER_DAY = 3
    for n in range(3):
        services.request_code(_new_number(n), "10.1.1.1", allow_new=True, **solved())
    with pytest.raises(DomainError) as refused:
        services.request_code(_new_number(9), "10.1.1.1", allow_new=True, **solved())
    assert refused.value.code == "login.address_daily_cap" and refused.value.status == 429
    services.request_code(_new_number(9), "10.2.2.2", allow_new=True, **solved())
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        services.request_code(_new_number(8), "10.1.1.1", allow_new=True, **solved())
    assert len(sms_outbox) == 5


def test_codes_per_number_are_limited_per_day(world, sms_outbox, settings):
    settings.SMS_CODE_INTERVAL_SECONDS = 0
    settings.SMS_CODES_PER_NUMBER_PER_DAY = 2
    services.request_code("13900000001", "10.1.1.1")
    services.request_code("13900000001", "10.1.1.2")
    with pytest.raises(DomainError) as refused:
        services.request_code("13900000001", "10.1.1.3")
    assert refused.value.code == "login.number_daily_cap"
    assert len(sms_outbox) == 2


def test_the_site_sends_at_most_its_daily_cap(world, sms_outbox, settings):
    settings.SMS_CODES_PER_DAY = 2
    services.request_code("13900000001", "10.1.1.1")
    services.request_code("13900000002", "10.1.1.2")
    with pytest.raises(DomainError) as refused:
        services.request_code("13900000003", "10.1.1.3")
    assert refused.value.code == "login.site_daily_cap"
    assert len(sms_outbox) == 2


def test_the_refusals_speak_the_persons_language(client, world, settings):
    settings.SMS_CODES_PER_DAY = 0
    client.cookies["wulian_language"] = "en"
    page = client.post("/accounts/login/code/", {"send-mobile": "13900000001"})
    assert "paused for today" in page.content.decode()
    client.cookies["wulian_language"] = "zh-hant"
    page = client.post("/accounts/login/code/", {"send-mobile": "13900000001"})
    assert "今天暫停" in page.content.decode()


def test_the_challenge_can_be_switched_off(world, sms_outbox, settings):
    settings.SMS_CHALLENGE_NEW_NUMBERS = False
    services.request_code(_new_number(1), None, allow_new=True)
    assert len(sms_outbox) == 1


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the script")
def test_the_browser_script_hashes_as_the_server_checks():
    script = (ROOT / "wulian/core/static/wulian/challenge.js").read_text()
    samples = ["", "abc", "16:0a1b:1kX:sig:12345", "x" * 55, "y" * 64, "z" * 130]
    program = (
        "const window = {}; const document = {readyState: 'complete',"
        " querySelectorAll: () => []};\n"
        + script
        + f"\nconsole.log(JSON.stringify({json.dumps(samples)}.map(window.wulianSha256Words)));"
    )
    out = subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True)
    expected = [
        [int(hashlib.sha256(s.encode()).hexdigest()[i : i + 8], 16) for i in (0, 8)]
        for s in samples
    ]
    assert json.loads(out.stdout) == expected
