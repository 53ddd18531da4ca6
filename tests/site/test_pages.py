"""What every page carries, and the small courtesies of the forms."""

from __future__ import annotations


def test_every_page_has_a_favicon_and_a_meta_description(client, world):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/wulian/favicon.svg"' in page
    assert '<meta name="description" content="五联：' in page
    assert client.get("/static/wulian/favicon.svg").status_code == 200


def test_claiming_asks_for_confirmation(client, world, make):
    need = make.need(raiser="community_staff")
    client.force_login(world["unit_admin"])
    page = client.get(f"/lists/needs/{need.pk}/claim/").content.decode()
    assert 'data-confirm="确定认领' in page


def test_recommendation_reasons_are_chips(client, world, make):
    from wulian.lists.models import Invitation

    need = make.need()
    Invitation.objects.create(need=need, organization=world.unit)
    client.force_login(world["unit_admin"])
    page = client.get("/lists/needs/opportunities/").content.decode()
    assert 'class="reasons muted"' not in page
    assert "claim-in-place" in page
