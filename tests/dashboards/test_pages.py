"""The pages, per role, in a bounded number of queries, reading the rollups only."""

from __future__ import annotations

import io
import json
import subprocess
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import ROLES, fresh
from tests.dashboards.conftest import NOV, OCT
from wulian.core.errors import DomainError
from wulian.dashboards import services
from wulian.lists import services as lists

pytestmark = pytest.mark.django_db

#: who may open the community's dashboard, its report and its big screen
MAY_SEE_COMMUNITY = {"community_staff", "subdistrict_staff"}
#: who may open the school's scorecard
MAY_SEE_UNIT = {"unit_contact", "unit_admin", "community_staff", "subdistrict_staff"}


@pytest.fixture
def rolled(lived: Any) -> Any:
    services.rebuild()
    return lived


def _client(client: Any, world: Any, role: str) -> Any:
    if role != "anonymous":
        client.force_login(world[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_the_community_dashboard_only_to_its_staff_and_those_above(
    client: Any, rolled: Any, role: str
):
    client = _client(client, rolled, role)
    pk = rolled.community.pk
    for url in (
        reverse("dashboards:region", args=[pk]),
        reverse("dashboards:screen", args=[pk]),
        reverse("dashboards:screen_json", args=[pk]),
        reverse("dashboards:report", args=[pk, "2026-10", "json"]),
        reverse("dashboards:recipients", args=[pk]),
    ):
        response = client.get(url)
        if role in MAY_SEE_COMMUNITY:
            assert response.status_code == 200, url
        elif role == "anonymous":
            assert response.status_code == 302, url
        else:
            assert response.status_code == 404, url  # the outsider is staff of the other one


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_a_unit_its_own_scorecard(client: Any, rolled: Any, role: str):
    client = _client(client, rolled, role)
    response = client.get(reverse("dashboards:unit", args=[rolled.unit.pk]) + "?month=2026-10")
    if role in MAY_SEE_UNIT:
        assert response.status_code == 200
        assert "武汉市第一商业学校" in response.content.decode()
    else:
        assert response.status_code in {302, 404}


def test_the_other_communitys_staff_cannot_open_this_one(client: Any, rolled: Any):
    client.force_login(rolled["outsider"])
    assert (
        client.get(reverse("dashboards:region", args=[rolled.other_community.pk])).status_code
        == 200
    )
    assert client.get(reverse("dashboards:region", args=[rolled.community.pk])).status_code == 404
    url = reverse("dashboards:report", args=[rolled.community.pk, "2026-10", "pdf"])
    assert client.get(url).status_code == 404


def test_the_dashboard_shows_the_five_links_and_links_numbers_to_their_lists(
    client: Any, rolled: Any, django_assert_max_num_queries: Any
):
    client.force_login(rolled["community_staff"])
    url = reverse("dashboards:region", args=[rolled.community.pk]) + "?month=2026-10"
    with django_assert_max_num_queries(16):
        response = client.get(url)
    page = response.content.decode()
    for title in ("组织联动", "阵地联享", "活动联办", "党员联训", "发展联促"):
        assert title in page
    needs = reverse("lists:needs")
    query = f"community={rolled.community.pk}&state=all&since=2026-10-01&until=2026-10-31"
    assert f'href="{needs}?{query.replace("&", "&amp;")}"' in page
    assert 'id="dashboard-charts"' in page
    raw = page.split('id="dashboard-charts" type="application/json">')[1].split("</script>")[0]
    charts = json.loads(raw)
    assert charts["trend-development"]["series"][0]["data"][-1] == 2  # needs raised in October
    # per compound: the resident's compound raised both
    compounds = page.split('id="title-compounds"')[1]
    assert "江汉北路42号小区" in compounds and "<td>2</td>" in compounds
    # the list behind the number holds the same two needs
    listed = client.get(f"{needs}?{query}").content.decode()
    assert "老人上门理发" in listed and "楼道灯坏了" in listed and "代买药" not in listed


def test_the_dashboards_query_count_does_not_grow_with_the_data(
    client: Any, rolled: Any, django_assert_max_num_queries: Any
):
    client.force_login(rolled["subdistrict_staff"])
    for name in ("region", "compare", "screen", "screen_json"):
        url = reverse(f"dashboards:{name}", args=[rolled.subdistrict.pk])
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200


def test_a_dashboard_is_drawn_once_until_the_rollups_change(
    client: Any, rolled: Any, django_assert_max_num_queries: Any
):
    client.force_login(rolled["community_staff"])
    month = timezone.localdate().strftime("%Y-%m")
    url = reverse("dashboards:region", args=[rolled.community.pk]) + f"?month={month}"

    def raised_this_month() -> int:
        page = client.get(url).content.decode()
        raw = page.split('id="dashboard-charts" type="application/json">')[1].split("</script>")[0]
        return int(json.loads(raw)["trend-development"]["series"][0]["data"][-1])

    before = raised_this_month()
    # the frame (session, person, its kept menu), the region and the versions it is kept under:
    # no figure is read again
    with django_assert_max_num_queries(8):
        assert raised_this_month() == before
    lists.raise_need(
        rolled["resident"], rolled.community, lists.NeedInput(title="修自行车", description="车胎")
    )
    services.refresh()
    assert raised_this_month() == before + 1


def test_the_comparison_sorts_communities_by_a_figure(client: Any, rolled: Any):
    client.force_login(rolled["subdistrict_staff"])
    base = reverse("dashboards:compare", args=[rolled.subdistrict.pk]) + "?month=2026-10"
    page = client.get(base + "&sort=lists.needs_raised").content.decode()
    assert page.index("江汉北路社区") < page.index("西马路社区")
    page = client.get(base + "&sort=lists.needs_raised&desc=0").content.decode()
    assert page.index("西马路社区") < page.index("江汉北路社区")


def test_the_scorecard_counts_what_the_unit_did(client: Any, rolled: Any):
    client.force_login(fresh(rolled["unit_admin"]))
    page = client.get(reverse("dashboards:unit", args=[rolled.unit.pk]) + "?month=2026-11")
    text = page.content.decode()
    assert 'data-key="lists.projects_done"><dt><abbr' in text
    block = text.split('data-key="lists.projects_done"')[1][:400]
    assert "<strong>1</strong>" in block


def test_the_public_sees_published_figures_only(client: Any, rolled: Any):
    page = client.get(reverse("dashboards:public", args=[rolled.community.pk]) + "?month=2026-10")
    text = page.content.decode()
    assert page.status_code == 200
    assert "需求" in text
    assert "whistle.response_rate" not in text  # not published
    assert "/lists/needs/?" not in text


def test_the_big_screen_refreshes_from_its_json(client: Any, rolled: Any, clock: Any):
    from tests.dashboards.conftest import at

    clock.move_to(at(10, 20))
    client.force_login(rolled["community_staff"])
    page = client.get(reverse("dashboards:screen", args=[rolled.community.pk])).content.decode()
    assert "dashboards/screen.js" in page and "<script>" not in page
    data = client.get(reverse("dashboards:screen_json", args=[rolled.community.pk])).json()
    assert data["numbers"]["lists.needs_raised"] == "2"


def test_the_monthly_report_as_json_pdf_and_xlsx(client: Any, rolled: Any):
    from openpyxl import load_workbook

    client.force_login(rolled["community_staff"])
    pk = rolled.community.pk
    data = client.get(reverse("dashboards:report", args=[pk, "2026-11", "json"])).json()
    assert data["indicators"]["lists.needs_raised"]["value"] == 1
    assert data["indicators"]["lists.needs_raised"]["last_month"] == 2
    assert data["indicators"]["lists.projects_done"]["value"] == 1
    assert data["highlights"]["largest_projects"][0]["people_served"] == 12
    assert data["sentences"][0].startswith("本月江汉北路社区")
    pdf = client.get(reverse("dashboards:report", args=[pk, "2026-11", "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "江汉北路社区" in text and "发展联促" in text and "本月" in text
    sheet = client.get(reverse("dashboards:report", args=[pk, "2026-11", "xlsx"]))
    book = load_workbook(io.BytesIO(sheet.content))
    assert "发展联促" in book.sheetnames
    sheet = book["发展联促"]
    assert [c.value for c in sheet[1]] == ["指标", "本月", "上月", "去年同月", "指标代码"]
    rows = {r[-1].value: r for r in sheet.iter_rows(min_row=2) if not r[0].value.count(" · ")}
    assert rows["lists.needs_raised"][0].value == "需求提出"
    assert [c.value for c in rows["lists.needs_raised"][1:4]] == [1, 2, 0]
    assert isinstance(rows["lists.needs_raised"][1].value, int)
    parts = [r[0].value for r in sheet.iter_rows(min_row=2) if " · " in r[0].value]
    assert parts == ["需求按类别 · 理发", "需求按提出方 · 居民", "需求按渠道 · 线上"]
    shares = [
        r
        for ws in book.worksheets[1:]
        for r in ws.iter_rows()
        if r[-1].value == "whistle.response_rate"
    ]
    assert len(shares) == 1 and shares[0][1].number_format == "0.0%"


def test_needs_without_a_category_are_counted_under_a_name(client: Any, lived: Any, clock: Any):
    from openpyxl import load_workbook

    from wulian.lists import services as lists

    lists.raise_need(
        lived["resident"], lived.community, lists.NeedInput(title="小区门口积水", description="")
    )
    services.rebuild()
    client.force_login(lived["community_staff"])
    pk = lived.community.pk
    sheet = client.get(reverse("dashboards:report", args=[pk, "2026-11", "xlsx"]))
    book = load_workbook(io.BytesIO(sheet.content))
    parts = [r[0] for r in book["发展联促"].iter_rows(min_row=2, values_only=True)]
    assert "需求按类别 · 尚未分类" in parts
    page = client.get(reverse("dashboards:region", args=[pk])).content.decode()
    charts = json.loads(
        page.split('id="dashboard-charts" type="application/json">')[1].split("<")[0]
    )
    labels = [label for chart in charts.values() for label in chart["labels"]]
    assert "尚未分类" in labels and "" not in labels


def test_the_months_report_reaches_each_recipient_only_while_they_may_see_it(
    rolled: Any, mailoutbox: Any
):
    from wulian.dashboards import reports
    from wulian.places.models import StaffAssignment

    staff, above = rolled["community_staff"], rolled["subdistrict_staff"]
    reports.subscribe(staff, rolled.community, staff, "shi@example.cn")
    reports.subscribe(staff, rolled.community, above, "xima@example.cn")
    with pytest.raises(DomainError, match="recipient_may_not_see"):
        reports.subscribe(staff, rolled.community, rolled["resident"], "r@example.cn")
    StaffAssignment.objects.filter(user=above).delete()  # moved away before the 1st
    done = reports.monthly_round(NOV.replace(day=1))
    assert done == {"written": 1, "sent": 1, "withheld": 1}
    assert [m.to for m in mailoutbox] == [["shi@example.cn"]]
    names = [a[0] for a in mailoutbox[0].attachments]
    assert any(n.endswith(".pdf") for n in names) and any(n.endswith(".xlsx") for n in names)
    assert reports.monthly_round(NOV.replace(day=2)) == {"written": 0, "sent": 0, "withheld": 0}
    assert OCT.month == 10


def test_staff_choose_and_remove_the_reports_recipients_on_the_page(client: Any, rolled: Any):
    from wulian.dashboards.models import ReportSubscription

    client.force_login(rolled["community_staff"])
    url = reverse("dashboards:recipients", args=[rolled.community.pk])
    page = client.get(url).content.decode()
    assert "街道戊" in page and "居民甲" not in page  # only staff of here and above to choose
    response = client.post(
        url, {"recipient": rolled["subdistrict_staff"].pk, "email": "xima@example.cn"}
    )
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert subscription.email == "xima@example.cn"
    assert "data-confirm" in client.get(url).content.decode()
    client.post(url, {"remove": subscription.pk})
    assert not ReportSubscription.objects.exists()
