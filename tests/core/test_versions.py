"""Kept pages: drawn once per version of what they show, and drawn again at once after a change."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import fresh
from wulian.core import versions
from wulian.core.models import Version
from wulian.lists import services as lists
from wulian.notifications import services as notifications
from wulian.places import services as places

pytestmark = pytest.mark.django_db


NOBODY = "暂无人认领"  # "Nobody has claimed it yet."


def _published(world: Any, title: str = "楼道灯坏了") -> Any:
    need = lists.raise_need(world["resident"], world.community, lists.NeedInput(title=title))
    return lists.publish_need(world["community_staff"], need)


def _signed_in(person: Any) -> Client:
    """A browser that has opened a page already (and so has its CSRF cookie)."""
    client = Client()
    client.force_login(fresh(person))
    client.get("/accounts/login/")
    assert settings.CSRF_COOKIE_NAME in client.cookies
    return client


def _page(client: Client, path: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path)
    assert answer.status_code == 200
    return answer.content.decode(), [q["sql"] for q in queries]


def _read_needs(sql: list[str]) -> list[str]:
    return [q for q in sql if '"lists_need"' in q or "lists_claim" in q]


def test_a_kept_needs_list_reads_no_need_and_shows_a_claim_at_once(world: Any) -> None:
    need = _published(world)
    client = _signed_in(world["community_staff"])
    path = f"/lists/needs/?community={world.community.pk}"
    first, sql = _page(client, path)
    assert need.title in first
    assert _read_needs(sql)

    again, sql = _page(client, path)
    assert need.title in again
    assert _read_needs(sql) == []  # kept: the needs are not read again
    assert len(sql) <= 5  # session, person, the versions, the community

    lists.claim_need(world["unit_contact"], need, organization=world.unit)
    after, sql = _page(client, path)
    assert _read_needs(sql)  # the claim moved the community's version: drawn again
    assert "已认领" in after


def test_a_kept_need_page_follows_its_claims_and_its_edits(world: Any) -> None:
    need = _published(world)
    client = _signed_in(world["community_staff"])
    path = f"/lists/needs/{need.pk}/"
    first, _ = _page(client, path)
    assert NOBODY in first

    edit = replace(lists.NeedInput.from_need(need), title="路灯不亮")
    lists.update_need(world["community_staff"], need, edit)
    edited, _ = _page(client, path)
    assert "路灯不亮" in edited

    need.refresh_from_db()
    lists.claim_need(world["unit_contact"], need, organization=world.unit)
    claimed, _ = _page(client, path)
    assert NOBODY not in claimed and "武汉市第一商业学校" in claimed


def test_the_menu_follows_a_new_assignment_and_the_unread_count(world: Any) -> None:
    resident = world["resident"]
    client = _signed_in(resident)
    page, _ = _page(client, "/lists/needs/")
    assert 'data-nav="review"' not in page and 'class="badge red"' not in page

    places.assign_staff(None, resident, world.community)
    page, _ = _page(client, "/lists/needs/")
    assert 'data-nav="review"' in page  # the review queue, for staff

    (note,) = notifications.notify([resident], kind="test", title="有一条新消息")
    page, _ = _page(client, "/lists/needs/")
    assert '<span class="badge red">' in page
    notifications.mark_read(resident, note)
    page, _ = _page(client, "/lists/needs/")
    assert '<span class="badge red">' not in page


def test_each_person_gets_a_kept_form_with_their_own_token(world: Any) -> None:
    need = _published(world)
    path = f"/lists/needs/{need.pk}/"
    phones = []
    for _ in range(2):  # the same person on two phones: two sessions, two CSRF secrets
        client = Client(enforce_csrf_checks=True)
        client.force_login(fresh(world["resident"]))
        page = client.get(path).content.decode()
        form = re.search(r'action="[^"]*/withdraw/"[^>]*>\s*<input[^>]+value="([^"]+)"', page)
        assert form is not None, "the raiser may withdraw an unclaimed need"
        phones.append((client, form.group(1)))
    (_first, first_token), (second, second_token) = phones
    withdraw = f"/lists/needs/{need.pk}/withdraw/"
    # Had the second phone been given the page kept for the first, its token would be refused.
    assert second.post(withdraw, {"csrfmiddlewaretoken": first_token}).status_code == 403
    assert second.post(withdraw, {"csrfmiddlewaretoken": second_token}).status_code == 302


def test_a_change_moves_its_community_and_everywhere_and_no_other_community(world: Any) -> None:
    here, everywhere, there = (
        ("lists", world.community.pk),
        ("lists", None),
        ("lists", world.other_community.pk),
    )
    before = [versions.current(key) for key in (here, everywhere, there)]
    _published(world)
    after = [versions.current(key) for key in (here, everywhere, there)]
    moved = [int(a) > int(b) for a, b in zip(after, before, strict=True)]
    assert moved == [True, True, False]
    assert Version.objects.filter(scope="lists").count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_version_moves_when_the_change_commits_not_before(world: Any) -> None:
    community = world.community.pk
    start = versions.current(("lists", community))
    with transaction.atomic():
        _published(world, "修单车")
        assert versions.current(("lists", community)) == start  # not yet: not committed
    moved = versions.current(("lists", community))
    assert moved != start

    with pytest.raises(RuntimeError), transaction.atomic():
        _published(world, "修雨棚")
        raise RuntimeError("rolled back")
    assert versions.current(("lists", community)) == moved


def test_a_kept_page_never_hides_a_message_shown_once(world: Any) -> None:
    need = _published(world)
    client = _signed_in(world["resident"])
    path = f"/lists/needs/{need.pk}/"
    withdraw = f"{path}withdraw/"
    client.post(withdraw)
    done = client.get(path).content.decode()
    assert "需求已撤回" in done  # "The need has been withdrawn."
    kept = client.get(path).content.decode()
    assert "需求已撤回" not in kept  # shown once; this page is now kept

    # Withdrawing again changes nothing (no version moves) but says why: the kept page
    # must not stand in for the one that carries the message.
    client.post(withdraw)
    refused = client.get(path).content.decode()
    assert 'class="message error"' in refused
    assert 'class="message error"' not in client.get(path).content.decode()


def test_a_signed_in_person_is_read_once_and_a_change_to_them_shows_at_once(world: Any) -> None:
    staff = world["community_staff"]
    client = _signed_in(staff)
    path = "/lists/needs/mine/"
    _page(client, path)
    _page_again, sql = _page(client, path)
    assert not [q for q in sql if q.startswith('SELECT "accounts_user"')]  # only their version

    person = fresh(staff)
    person.real_name = "周新名"
    person.save()
    renamed, _ = _page(client, path)
    assert "周新名" in renamed

    person.is_active = False
    person.save()
    assert client.get(path).status_code == 302  # signed out at once: to the sign-in page


def test_a_new_password_signs_out_the_other_sessions_at_once(world: Any) -> None:
    client = _signed_in(world["resident"])
    path = "/lists/needs/mine/"
    assert client.get(path).status_code == 200
    person = fresh(world["resident"])
    person.set_password("another-long-passphrase-7")
    person.save()
    assert client.get(path).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_roles_given_in_a_transaction_count_in_it_before_it_commits(world: Any) -> None:
    from wulian.orgs import services as orgs
    from wulian.orgs.queries import memberships_of
    from wulian.places.rules import staff_region_ids

    person = world["resident"]
    assert memberships_of(fresh(person)) == [] and not staff_region_ids(fresh(person))
    with transaction.atomic():  # what was kept above is out of date inside this one
        orgs.add_member(None, world.unit, person)
        places.assign_staff(None, person, world.community)
        assert [unit.id for unit in memberships_of(fresh(person))] == [world.unit.pk]
        assert staff_region_ids(fresh(person)) == {world.community.pk}
    assert [unit.id for unit in memberships_of(fresh(person))] == [world.unit.pk]
    assert staff_region_ids(fresh(person)) == {world.community.pk}


def test_a_browser_that_keeps_no_cookie_is_never_given_a_kept_page(world: Any) -> None:
    need = _published(world)
    path = f"/lists/needs/?community={world.community.pk}"
    for _ in range(3):  # a fresh client for each request: no session, no CSRF cookie
        page, sql = _page(Client(), path)
        assert need.title in page and _read_needs(sql)  # drawn each time
    assert _kept_pages() == 0  # and nothing kept for secrets nobody will send again
    browser = Client()
    _page(browser, path)  # its first page sets the CSRF cookie, sent from now on
    _page(browser, path)
    kept, sql = _page(browser, path)
    assert need.title in kept and _read_needs(sql) == []
    assert _kept_pages() == 1


def _kept_pages() -> int:
    from django.core.cache import cache

    return sum(":page:" in key for key in cache._cache)  # type: ignore[attr-defined]
