"""Double submissions: a form's one-time token and the API's Idempotency-Key make one object
however often the same request arrives (double clicks, a resend after a timeout, a script)."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from wulian.accounts import services as accounts
from wulian.core.models import Submission
from wulian.lists.models import Need
from wulian.notifications.models import Notification
from wulian.whistle.models import Whistle, WhistleCall


def _token(page: str) -> str:
    found = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert found, "the form carries no submission token"
    return found.group(1)


def _need_form(client) -> dict:
    token = _token(client.get("/lists/needs/new/").content.decode())
    return {
        "title": "楼道灯坏了",
        "compound": "",
        "urgency": 0,
        "slots": 1,
        "submission_token": token,
    }


def test_fifty_identical_posts_of_the_need_form_make_one_need(client, world):
    client.force_login(world["resident"])
    data = _need_form(client)
    answers = [client.post("/lists/needs/new/", data) for _ in range(50)]
    assert Need.objects.count() == 1
    need = Need.objects.get()
    assert {a.status_code for a in answers} == {302}
    assert {a.url for a in answers} == {f"/lists/needs/{need.pk}/"}
    repeat = client.get(answers[-1].url).content.decode()
    assert "表单已经提交过" in repeat


def test_a_refused_form_keeps_its_token_for_the_corrected_send(client, world):
    client.force_login(world["resident"])
    data = _need_form(client)
    bad = client.post("/lists/needs/new/", {**data, "title": ""})
    assert bad.status_code == 200 and Need.objects.count() == 0
    assert _token(bad.content.decode()) == data["submission_token"]
    assert client.post("/lists/needs/new/", data).status_code == 302
    assert Need.objects.count() == 1


def test_a_new_visit_to_the_form_may_raise_a_second_need(client, world):
    client.force_login(world["resident"])
    client.post("/lists/needs/new/", _need_form(client))
    client.post("/lists/needs/new/", _need_form(client))
    assert Need.objects.count() == 2


def test_fifty_identical_posts_of_the_whistle_form_blow_one_whistle(client, world):
    client.force_login(world["community_staff"])
    url = f"/whistles/new/{world.community.pk}/"
    token = _token(client.get(url).content.decode())
    data = {"type": "everyday", "title": "楼道堆物堵塞", "units": [world.unit.pk]}
    before = Notification.objects.count()
    for _ in range(50):
        assert client.post(url, {**data, "submission_token": token}).status_code == 302
    assert Whistle.objects.count() == 1
    assert WhistleCall.objects.count() == 1
    told = Notification.objects.count() - before
    assert 0 < told <= 3  # the unit's members once, not fifty times


def _create(client, key, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/needs",
        {"title": "老人理发", "community_id": extra.pop("community_id"), **extra},
        content_type="application/json",
        **headers,
    )


def test_twenty_api_creates_with_one_key_make_one_need_and_the_same_answer(client, world):
    client.force_login(world["resident"])
    answers = [_create(client, "3f1c7a", community_id=world.community.pk) for _ in range(20)]
    assert Need.objects.count() == 1
    assert {a.status_code for a in answers} == {201}
    assert len({a.content for a in answers}) == 1
    assert answers[1]["Idempotent-Replayed"] == "true"


def test_another_key_or_no_key_creates_again(client, world):
    client.force_login(world["resident"])
    _create(client, "a", community_id=world.community.pk)
    _create(client, "b", community_id=world.community.pk)
    _create(client, "", community_id=world.community.pk)
    assert Need.objects.count() == 3


def test_the_same_key_for_a_different_request_is_refused(client, world):
    client.force_login(world["resident"])
    _create(client, "k1", community_id=world.community.pk)
    other = _create(client, "k1", community_id=world.community.pk, description="不同的")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency.key_reused"
    assert Need.objects.count() == 1


def test_a_key_belongs_to_its_person(world):
    first, second = Client(), Client()
    first.force_login(world["resident"])
    second.force_login(world["community_staff"])
    a = _create(first, "same", community_id=world.community.pk)
    b = _create(second, "same", community_id=world.community.pk)
    assert a.json()["id"] != b.json()["id"]


def test_a_refused_create_does_not_use_the_key_up(client, world):
    client.force_login(world["resident"])
    refused = _create(client, "k2", community_id=world.community.pk, title="")
    assert refused.status_code in {400, 422}
    assert not Submission.objects.exists()
    assert _create(client, "k2", community_id=world.community.pk).status_code == 201


def test_a_token_client_retrying_with_its_key_makes_one_whistle(client, world):
    _token_row, secret = accounts.issue_token(
        None, name="系统", scope="write", user=world["community_staff"]
    )
    body = {
        "community_id": world.community.pk,
        "type": "everyday",
        "title": "井盖松动",
        "unit_ids": [world.unit.pk],
    }
    for _ in range(5):
        response = client.post(
            "/api/whistles",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
            HTTP_IDEMPOTENCY_KEY="w-1",
        )
    assert response.status_code == 201, response.content
    assert Whistle.objects.count() == 1


def test_the_openapi_document_names_the_header_on_the_creates(client, db):
    doc = client.get("/api/openapi.json").json()
    for path in ("/api/needs", "/api/resources", "/api/whistles"):
        names = [p["name"] for p in doc["paths"][path]["post"]["parameters"]]
        assert "Idempotency-Key" in names, path


@pytest.mark.django_db(transaction=True)
def test_simultaneous_api_creates_with_one_key_make_one_need(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested against PostgreSQL")
    results: list[int] = []

    def send() -> None:
        client = Client()
        client.force_login(world["resident"])
        results.append(_create(client, "race", community_id=world.community.pk).status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Need.objects.count() == 1
    assert results == [201] * 8


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_of_one_need_form_make_one_need(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested against PostgreSQL")
    client = Client()
    client.force_login(world["resident"])
    data = _need_form(client)
    results: list[int] = []

    def send() -> None:
        mine = Client()
        mine.force_login(world["resident"])
        results.append(mine.post("/lists/needs/new/", data).status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Need.objects.count() == 1
    assert results == [302] * 8


def test_claims_are_forgotten_after_a_day(client, world):
    import datetime

    import time_machine
    from django.utils import timezone

    from wulian.accounts.tasks import sweep_accounts_task

    client.force_login(world["resident"])
    _create(client, "old", community_id=world.community.pk)
    assert Submission.objects.count() == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        sweep_accounts_task.call()
    assert not Submission.objects.exists()
