"""Registering asks for consent to the privacy notice, and keeps which one and when."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.challenge import solved
from wulian.accounts import services
from wulian.accounts.models import User
from wulian.core.errors import DomainError

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _register(client: Any, world: Any, sms_outbox: Any, **extra: str) -> Any:
    client.post("/accounts/login/code/", {"send-mobile": "13700000000", **solved()})
    found = re.search(r"\d{6}", sms_outbox[-1].text)
    assert found is not None
    data = {
        "mobile": "13700000000",
        "code": found.group(0),
        "real_name": "新居民",
        "compound": world.compound.pk,
    }
    return client.post("/accounts/login/code/", {**data, **extra})


def test_it_refuses_to_register_without_consent(client: Any, world: Any, sms_outbox: Any) -> None:
    page = _register(client, world, sms_outbox)
    assert page.status_code == 200
    assert 'href="/accounts/privacy/"' in page.content.decode()
    assert not User.objects.filter(mobile="13700000000").exists()


def test_it_records_the_notice_agreed_to_and_when(client: Any, world: Any, sms_outbox: Any) -> None:
    with time_machine.travel(NOON, tick=False):
        answer = _register(client, world, sms_outbox, agree_privacy="on")
    assert answer.status_code == 302
    person = User.objects.get(mobile="13700000000")
    assert person.privacy_notice_version == services.PRIVACY_NOTICE_VERSION
    assert person.privacy_agreed_at == NOON


def test_the_service_refuses_an_old_or_missing_notice(world: Any, sms_outbox: Any) -> None:
    services.request_code("13700000000", None, allow_new=True, **solved())
    with pytest.raises(DomainError) as refused:
        services.register_with_code(
            "13700000000",
            "000000",
            None,
            real_name="新居民",
            compound=world.compound,
            privacy_notice_version="2020-01",
        )
    assert refused.value.code == "register.no_consent"


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_notice_says_what_is_kept_who_sees_it_and_how_to_remove_it(
    client: Any, language: str
) -> None:
    client.cookies["wulian_language"] = language
    page = client.get("/accounts/privacy/").content.decode()
    assert services.PRIVACY_NOTICE_VERSION in page
    headings = {
        "zh-hans": ["我们保存什么", "谁能看到", "如何更正或删除"],
        "zh-hant": ["我們保存什麼", "誰能看到", "如何更正或刪除"],
        "en": ["What we keep", "Who sees it", "How to have it corrected or removed"],
    }[language]
    assert all(heading in page for heading in headings)
