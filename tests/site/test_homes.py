"""Each role's home: what waits for them, with counts and links, in a fixed number of queries."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wulian.lists.models import Need, Project


def queries_for(client: Any, url: str) -> tuple[int, str]:
    client.get(url)  # warm: caches filled once per process (matching engines) are not counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_it_shows_a_visitor_what_is_open_now_and_how_to_raise_a_need(client, world, make):
    make.need(title="楼道需要扶手", urgency=Need.Urgency.URGENT)
    make.need(published=False, title="还在审核的需求")
    make.event()
    make.finished()
    page = client.get("/").content.decode()
    assert 'data-home="raise"' in page and "/lists/needs/new/" in page
    assert "楼道需要扶手" in page and "还在审核的需求" not in page
    assert "2027年春季机会清单发布会" in page
    assert 'data-home="finished"' in page and "武汉市第一商业学校" in page
    assert 'data-home="mine"' not in page


def test_it_shows_a_resident_their_needs_claims_agreements_to_sign_and_inbox(client, world, make):
    waiting = make.claimed(make.need(title="老人上门理发"))
    make.need(published=False, title="我刚提交的需求")
    client.force_login(world["resident"])
    page = client.get("/").content.decode()
    assert 'data-home="mine"' in page
    assert "我刚提交的需求" in page and 'class="badge state-submitted"' in page
    assert f'data-project="{waiting.pk}"' in page  # the agreement waits for the raiser
    assert 'href="/inbox/"' in page or "/notifications/" in page


def test_a_resident_in_a_volunteer_team_keeps_their_home_and_sees_the_teams_work(
    client, world, make
):
    from wulian.orgs.models import Membership, Organization

    team = Organization.objects.create(
        name="江汉北路志愿服务队", kind=Organization.Kind.VOLUNTEER_TEAM, region=world.community
    )
    Membership.objects.create(organization=team, user=world["resident"])
    make.need(published=False, title="我刚提交的需求")
    client.force_login(world["resident"])
    page = client.get("/").content.decode()
    assert 'data-home="raise"' in page and 'data-home="mine"' in page
    assert "我刚提交的需求" in page
    assert f'data-home="unit-{team.pk}"' in page and "江汉北路志愿服务队" in page
    # A unit's contact who lives elsewhere gets the unit's own home.
    client.force_login(world["unit_admin"])
    page = client.get("/").content.decode()
    assert f'data-home="unit-{world.unit.pk}"' in page and 'data-home="raise"' not in page


def test_the_public_home_costs_the_same_queries_however_much_there_is(client, world, make):
    make.need()
    make.finished()
    make.claimed()
    client.force_login(world["resident"])
    before, _ = queries_for(client, "/")
    for _ in range(4):
        make.need()
        make.finished()
        make.claimed()
    make.event()
    after, _ = queries_for(client, "/")
    assert after <= before + 1  # the next event's row appears: nothing grows with the data


def test_it_shows_staff_what_waits_for_them_with_counts_and_links(client, world, make):
    make.need(published=False, title="待审核需求甲")
    make.need(published=False)
    make.claimed()
    make.whistle(late=True)
    make.whistle()
    client.force_login(world["community_staff"])
    page = client.get("/").content.decode()
    assert 'data-home="console"' in page
    assert "待审核需求甲" in page and "/lists/needs/review/" in page
    assert (
        '<a class="tile hot" href="/lists/needs/review/" data-count="review"><strong>2</strong>'
        in page
    )
    assert 'data-count="chase"><strong>1</strong>' in page
    assert 'data-count="late"><strong>1</strong>' in page
    assert 'data-count="escalated"><strong>1</strong>' in page


def test_the_staff_console_costs_the_same_queries_however_much_there_is(client, world, make):
    make.need(published=False)
    make.claimed()
    make.whistle(late=True)
    client.force_login(world["community_staff"])
    before, _ = queries_for(client, "/")
    for _ in range(4):
        make.need(published=False)
        make.claimed()
        make.whistle(late=True)
        make.whistle()
    after, _ = queries_for(client, "/")
    assert after == before


def test_a_unit_home_offers_its_recommended_needs_with_a_claim_button(client, world, make):
    invited = make.invitation()
    make.whistle()
    project = make.claimed()
    client.force_login(world["unit_admin"])
    page = client.get("/").content.decode()
    assert f'data-home="unit-{world.unit.pk}"' in page
    assert f'action="/lists/needs/{invited.pk}/claim/"' in page
    assert f'name="organization" value="{world.unit.pk}"' in page and "data-confirm" in page
    assert "吹哨" in page and "<time datetime=" in page
    assert f'data-project="{project.pk}"' in page  # ours, and waiting for our signature
    headings = re.findall(r"<h[1-3][^>]*>(?:<a [^>]*>)?([^<]*)", page)
    assert headings.count(world.unit.name) == 1  # one unit: its name heads the page once

    response = client.post(f"/lists/needs/{invited.pk}/claim/", {"organization": world.unit.pk})
    assert response.status_code == 302
    assert Project.objects.filter(need=invited, claim__organization=world.unit).exists()


def test_the_unit_home_costs_the_same_queries_however_much_there_is(client, world, make):
    make.invitation()
    make.whistle()
    make.claimed()
    client.force_login(world["unit_admin"])
    before, _ = queries_for(client, "/")
    for _ in range(4):
        make.invitation()
        make.whistle()
        make.claimed()
    after, _ = queries_for(client, "/")
    assert after <= before  # invitations fill the list before the engine is asked


def test_the_subdistrict_overview_lists_each_community_with_its_counts(client, world, make):
    make.need()
    make.whistle(late=True)
    client.force_login(world["subdistrict_staff"])
    page = client.get(f"/regions/{world.subdistrict.pk}/").content.decode()
    assert f'data-community="{world.community.pk}"' in page
    assert f'data-community="{world.other_community.pk}"' in page
    assert f'href="/regions/{world.community.pk}/"' in page
    assert '<span class="badge red">1</span>' in page  # a late call
    assert '<span class="badge warn">1</span>' in page  # escalated to the subdistrict


def test_the_overview_filters_whistles_and_puts_open_ones_first(client, world, make):
    from wulian.orgs.models import Organization
    from wulian.whistle.models import Whistle

    property_company = Organization.objects.create(
        name="江汉北物业", kind=Organization.Kind.ENTERPRISE, region=world.community
    )
    theirs = make.whistle(units=[property_company])
    closed = make.whistle()
    Whistle.objects.filter(pk=closed.pk).update(state=Whistle.State.CLOSED)
    late = make.whistle(late=True)
    on_time = make.whistle()
    client.force_login(world["subdistrict_staff"])
    url = f"/regions/{world.subdistrict.pk}/"
    page = client.get(url).content.decode()
    order = [page.index(f'data-whistle="{w.pk}"') for w in (late, on_time, closed)]
    assert order == sorted(order)
    page = client.get(url, {"state": "closed"}).content.decode()
    assert f'data-whistle="{closed.pk}"' in page and f'data-whistle="{late.pk}"' not in page
    page = client.get(url, {"late": "on"}).content.decode()
    assert f'data-whistle="{late.pk}"' in page and f'data-whistle="{on_time.pk}"' not in page
    page = client.get(url, {"unit": property_company.pk}).content.decode()
    assert f'data-whistle="{theirs.pk}"' in page and f'data-whistle="{late.pk}"' not in page
    page = client.get(url, {"state": "closed", "unit": property_company.pk}).content.decode()
    assert 'data-whistle="' not in page and "清除" in page


def test_the_overview_costs_the_same_queries_however_much_there_is(client, world, make):
    make.need()
    make.whistle(late=True)
    client.force_login(world["subdistrict_staff"])
    url = f"/regions/{world.subdistrict.pk}/"
    before, _ = queries_for(client, url)
    for _ in range(4):
        make.need()
        make.whistle(late=True)
        make.whistle()
    after, _ = queries_for(client, url)
    assert after == before


def test_people_outside_the_region_see_no_whistles_on_its_page(client, world, make):
    make.whistle()
    client.force_login(world["resident"])
    response = client.get(f"/regions/{world.subdistrict.pk}/")
    assert response.status_code in {200, 403, 404}
    assert 'data-whistle="' not in response.content.decode()
