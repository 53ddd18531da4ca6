"""Staff record family helpers; a recorded helper books a slot for the elderly resident from
the service's page."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tests.activities.conftest import at
from tests.conftest import fresh
from tests.rules import allowed_roles
from wulian.accounts.models import User
from wulian.activities import services
from wulian.activities.models import Helper, ServiceBooking
from wulian.audit.models import AuditEntry
from wulian.core.errors import Conflict, NotAllowed


@pytest.fixture
def haircuts(world, venue):
    return services.create_service(
        fresh(world["unit_contact"]),
        world.unit,
        world.community,
        services.ServiceInput(
            "义务理发", 3, datetime.time(14), datetime.time(17), 20, seats=3, venue=venue
        ),
    )


@pytest.fixture
def family(world):
    elder = User.objects.create_user(
        "13600000001", "secret-pass-1", real_name="张奶奶", community=world.community
    )
    daughter = User.objects.create_user("13600000002", "secret-pass-1", real_name="张女儿")
    return elder, daughter


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(fresh(user))
    return client


def test_only_the_communitys_staff_record_helpers(world):
    assert allowed_roles(world, "activities.manage_helpers", world.community) == {
        "community_staff",
        "subdistrict_staff",
    }


def test_staff_record_a_daughter_who_then_books_her_mothers_haircut(world, haircuts, family, clock):
    elder, daughter = family
    staff = _client(world["community_staff"])
    listing = staff.get(reverse("activities:services") + f"?community={world.community.pk}")
    assert 'id="helpers-link"' in listing.content.decode()
    url = reverse("activities:helpers", args=[world.community.pk])
    done = staff.post(
        url, {"resident": "136 0000 0001", "helper": "13600000002", "relation": "女儿"}, follow=True
    )
    assert "已登记：该代约人现在可以为这位居民预约服务。" in done.content.decode()
    assert "136****0001" in done.content.decode()
    helper = Helper.objects.get()
    assert (helper.resident, helper.helper, helper.relation) == (elder, daughter, "女儿")
    assert AuditEntry.objects.filter(action="helper.recorded").count() == 1
    again = staff.post(url, {"resident": "13600000001", "helper": "13600000002"}, follow=True)
    assert "该代约人已登记。" in again.content.decode()

    page = _client(daughter).get(
        reverse("activities:service", args=[haircuts.pk]) + "?date=2026-11-04"
    )
    assert 'name="person"' in page.content.decode()
    booked = _client(daughter).post(
        reverse("activities:service_book", args=[haircuts.pk]),
        {"starts_at": at(4, 14, 20).isoformat(), "person": "13600000001"},
    )
    assert booked.status_code == 302
    booking = ServiceBooking.objects.get()
    assert booking.person == elder and booking.booked_by == daughter

    removed = staff.post(url, {"remove": helper.pk}, follow=True)
    assert "已删除该代约人。" in removed.content.decode()
    assert not Helper.objects.exists()
    with pytest.raises(NotAllowed):
        services.book_slot(fresh(daughter), haircuts, at(4, 15), person=elder)


def test_others_cannot_record_helpers_and_an_unknown_resident_is_refused(world, family):
    elder, daughter = family
    for role in ("resident", "unit_admin", "outsider"):
        with pytest.raises(NotAllowed):
            services.record_helper(fresh(world[role]), elder, daughter)
        assert (
            _client(world[role])
            .get(reverse("activities:helpers", args=[world.community.pk]))
            .status_code
            == 403
        )
    staff = _client(world["community_staff"])
    url = reverse("activities:helpers", args=[world.community.pk])
    page = staff.post(url, {"resident": "13900000006", "helper": "13600000002"}, follow=True)
    assert "本社区没有使用该手机号的居民。" in page.content.decode()
    with pytest.raises(Conflict):
        services.record_helper(fresh(world["community_staff"]), elder, daughter)
        services.record_helper(fresh(world["community_staff"]), elder, daughter)
    assert Helper.objects.count() == 1
