"""The navigation is grouped by the five links, and a unit's links sit in the unit's own menu."""

from __future__ import annotations

import re


def _groups(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, body in re.findall(r'data-group="(\w+)">(.*?)</ul>\s*</li>', page, re.S):
        found[key] = re.findall(r'data-nav="([\w-]+)"', body)
    return found


def test_it_groups_the_staff_links_under_the_five_links(client, world):
    client.force_login(world["community_staff"])
    page = client.get("/").content.decode()
    groups = _groups(page)
    assert {"needs", "resources", "events", "review"} <= set(groups["lists"])
    assert {"orgs", "partnerships", "whistles"} <= set(groups["linkage"])
    assert "residents" in groups.get("community", []) or 'data-nav="residents"' in page
    assert "unit" not in groups
    assert 'aria-controls="nav-group-lists"' in page and "三张清单" in page


def test_it_puts_the_unit_side_links_only_in_the_units_menu_named_after_it(client, world):
    client.force_login(world["unit_contact"])
    page = client.get("/").content.decode()
    groups = _groups(page)
    assert groups["unit"] == ["opportunities", "calls", "scorecard", f"org-{world.unit.pk}"]
    assert all("opportunities" not in links for key, links in groups.items() if key != "unit")
    assert 'aria-controls="nav-group-unit">武汉市第一商业学校</button>' in page


def test_groups_without_links_do_not_appear(client, world):
    page = client.get("/").content.decode()
    for empty in ("training", "development", "unit", "community"):
        assert f'data-group="{empty}"' not in page
    assert 'data-nav="home"' in page  # a group of one link is a plain link
