"""The ledger's pages and API, per role: the volunteer's own page, the organiser's answers,
the public roll with masked names, the projector, the A3 poster, the export."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import fresh
from tests.volunteering.conftest import at
from wulian.volunteering import services
from wulian.volunteering.models import CorrectionRequest, VolunteerRecord


@pytest.fixture
def served(ledger):
    activity = ledger.activity(at(3, 7, 9))
    ledger.serve(ledger.volunteer, activity, 90)
    return ledger


def record_of(ledger):
    return VolunteerRecord.objects.get(person=ledger.volunteer, kind="entry")


def test_the_volunteer_sees_every_record_and_the_hours_apart(served, client):
    client.force_login(served.volunteer)
    page = client.get(reverse("volunteering:mine") + "?period=2026")
    body = page.content.decode()
    assert page.status_code == 200
    assert "清洁家园（清扫）" in body and 'id="verified-hours">1.50<' in body
    assert 'id="manual-hours">0<' in body
    masked = served.volunteer.real_name[0] + "**"
    assert f"你的名字会以部分隐去的形式（{masked}）显示在公开的群英榜上" in body


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("resident", 200),  # the volunteer
        ("community_staff", 200),
        ("subdistrict_staff", 200),
        ("unit_contact", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_who_sees_a_record(served, client, role, status):
    if role != "anonymous":
        client.force_login(served.world[role])
    response = client.get(reverse("volunteering:record", args=[record_of(served).pk]))
    assert response.status_code == status


def test_a_team_member_sees_the_bodys_record_and_page(served, client):
    client.force_login(served.second)
    assert (
        client.get(reverse("volunteering:record", args=[record_of(served).pk])).status_code == 200
    )
    page = client.get(reverse("volunteering:body", args=[served.team.pk]))
    assert page.status_code == 200 and "居民甲" in page.content.decode()
    client.force_login(served.world["unit_contact"])
    assert client.get(reverse("volunteering:body", args=[served.team.pk])).status_code == 404


def test_a_correction_asked_on_the_page_and_answered_by_the_organiser(served, client):
    record = record_of(served)
    client.force_login(served.volunteer)
    client.post(
        reverse("volunteering:record_action", args=[record.pk, "ask-correction"]),
        {"reason": "实际服务到11点", "hours": "2"},
    )
    request = CorrectionRequest.objects.get()
    client.force_login(served.world["unit_contact"])
    refused = client.post(reverse("volunteering:correction_action", args=[request.pk, "correct"]))
    assert refused.status_code == 404
    client.force_login(served.second)
    page = client.get(reverse("volunteering:correction", args=[request.pk]))
    assert "实际服务到11点" in page.content.decode()
    client.post(
        reverse("volunteering:correction_action", args=[request.pk, "correct"]),
        {"hours": "", "answer": "已核实"},
    )
    request.refresh_from_db()
    assert request.state == "corrected" and services.net_hours(record) == Decimal(2)


def test_manual_hours_entered_on_the_page_and_confirmed_by_another(served, client, clock):
    clock.move_to(at(3, 10, 9))
    client.force_login(served.captain)
    response = client.post(
        reverse("volunteering:enter", args=[served.team.pk]),
        {
            "mobile": "139 0000 0001",
            "service": "上门探访独居老人",
            "date": "2026-03-09",
            "starts": "09:00",
            "ends": "11:00",
            "hours": "2",
        },
    )
    record = VolunteerRecord.objects.get(source="manual")
    assert response.status_code == 302 and record.state == "pending"
    page = client.get(reverse("volunteering:record", args=[record.pk]))
    assert 'id="confirm"' not in page.content.decode()  # not by the one who entered it
    client.force_login(served.second)
    page = client.get(reverse("volunteering:record", args=[record.pk]))
    assert 'id="confirm"' in page.content.decode()
    client.post(reverse("volunteering:record_action", args=[record.pk, "confirm"]))
    record.refresh_from_db()
    assert record.state == "confirmed"


def test_the_public_roll_masks_names_and_staff_see_them_whole(served, client):
    url = reverse("volunteering:roll", args=[served.world.community.pk]) + "?period=2026"
    public = client.get(url).content.decode()
    assert "居**" in public and "居民甲" not in public
    client.force_login(served.world["community_staff"])
    assert "居民甲" in client.get(url).content.decode()
    projector = client.get(
        reverse("volunteering:roll_projector", args=[served.world.community.pk]) + "?period=2026"
    )
    assert "居**" in projector.content.decode() and "居民甲" not in projector.content.decode()
    pdf = client.get(
        reverse("volunteering:roll_pdf", args=[served.world.community.pk]) + "?period=2026"
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    import subprocess

    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf.content, check=True, capture_output=True
    ).stdout.decode()
    assert "(A3)" in info
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, check=True, capture_output=True
    ).stdout.decode()
    assert "社区群英榜" in text and "居**" in text and "居民甲" not in text


def test_the_export_is_for_the_body_and_staff_only(served, client):
    url = reverse("volunteering:export", args=[served.team.pk]) + "?period=2026"
    client.force_login(served.world["unit_admin"])
    assert client.get(url).status_code == 404
    client.force_login(served.captain)
    book = load_workbook(io.BytesIO(client.get(url).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("记录编号", "志愿者姓名", "证件类型", "证件号码")
    assert rows[1][1] == "居民甲" and rows[1][3] == "13900000001" and rows[1][9] == 1.5


def test_badges_show_on_the_persons_page_and_staff_award_honorary_ones(served, client):
    services.award_badges()
    url = reverse("volunteering:person", args=[served.volunteer.pk])
    page = client.get(url).content.decode()
    assert "首次志愿服务" in page and "居民甲" not in page and "居**" in page
    client.force_login(served.world["unit_admin"])
    assert client.post(url, {"badge": "1", "reason": "x"}).status_code == 403
    client.force_login(served.world["community_staff"])
    from wulian.volunteering.models import Badge

    honorary = Badge.objects.get(code="honorary")
    client.post(url, {"badge": str(honorary.pk), "reason": "热心肠"})
    assert served.volunteer.badge_awards.filter(badge=honorary).exists()


def _api(client, user):
    client.force_login(user)
    return {}


def test_the_api_lists_records_and_takes_corrections(served, client):
    headers = _api(client, fresh(served.volunteer))
    listed = client.get("/api/hours/records", **headers).json()
    assert listed["count"] == 1 and listed["items"][0]["source"] == "activity"
    record_id = listed["items"][0]["id"]
    asked = client.post(
        f"/api/hours/records/{record_id}/ask-correction",
        data=json.dumps({"reason": "少算了", "hours": "2"}),
        content_type="application/json",
        **headers,
    )
    assert asked.status_code == 200, asked.content
    correction_id = asked.json()["correction"]["id"]
    refused = client.post(
        f"/api/hours/corrections/{correction_id}/correct",
        data="{}",
        content_type="application/json",
        **headers,
    )
    assert refused.status_code == 403
    second = _api(client, fresh(served.second))
    done = client.post(
        f"/api/hours/corrections/{correction_id}/decline",
        data=json.dumps({"answer": "签到记录为准"}),
        content_type="application/json",
        **second,
    )
    assert done.json()["correction"]["state"] == "declined"
    client.force_login(served.volunteer)
    totals = client.get("/api/hours/totals?period=2026", **headers).json()
    assert totals["verified_hours"] == "1.50"
    roll = client.get(f"/api/hours/roll/{served.world.community.pk}?period=2026").json()
    assert roll[0]["name"] == "居**"
    schema = client.get("/api/openapi.json").json()
    assert "/api/hours/records" in schema["paths"]
    assert "/api/hours/corrections/{correction_id}/{action}" in schema["paths"]
    assert "/api/hours/people/{person_id}/badges" in schema["paths"]


def test_project_hours_are_reported_on_the_project_page(served, client, project, clock):
    clock.move_to(at(3, 20, 18))
    url = reverse("volunteering:project", args=[project.pk])
    client.force_login(served.world["resident"])
    assert client.get(url).status_code in (403, 404)
    client.force_login(served.world["unit_admin"])
    client.post(
        url,
        {
            "mobile": "13900000001",
            "date": "2026-03-20",
            "starts": "14:00",
            "ends": "17:00",
            "hours": "3",
            "task": "理发",
            "nonce": "n1",
        },
    )
    assert VolunteerRecord.objects.filter(source="project", hours=3).count() == 1
    assert datetime.date(2026, 3, 20) == VolunteerRecord.objects.get(source="project").date


def test_staff_award_an_honorary_badge_through_the_api(served, client):
    services.ensure_default_badges()
    from wulian.volunteering.models import Badge

    honorary = Badge.objects.get(code="honorary")
    url = f"/api/hours/people/{served.volunteer.pk}/badges"
    body = json.dumps({"badge_id": honorary.pk, "reason": "热心肠"})
    client.force_login(served.world["unit_admin"])
    assert client.post(url, body, content_type="application/json").status_code == 403
    client.force_login(served.world["community_staff"])
    made = client.post(url, body, content_type="application/json")
    assert made.status_code == 201 and made.json()["badge"] == "社区荣誉志愿者"
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "badge.already"
    client.logout()
    assert [a["badge_id"] for a in client.get(url).json()] == [honorary.pk]
    services.set_roll_choice(fresh(served.volunteer), show=False)
    assert client.get(url).status_code == 404
    assert client.get(reverse("volunteering:person", args=[served.volunteer.pk])).status_code == 404


def test_the_roll_page_costs_the_same_queries_for_more_volunteers(served, client, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("volunteering:roll", args=[served.world.community.pk]) + "?period=2026"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    clock.move_to(at(3, 10, 9))
    for n in range(6):
        person = served.person(f"139700000{n:02d}", f"志愿者{n}")
        served.manual(person, datetime.date(2026, 3, 9), "1", f"服务{n}")
    for record in VolunteerRecord.objects.filter(state="pending"):
        services.confirm_hours(fresh(served.second), record)
    assert queries() == few


def test_the_home_page_shows_the_head_of_the_roll_once_there_is_one(ledger, client):
    assert 'data-home="roll"' not in client.get("/").content.decode()
    activity = ledger.activity(at(3, 7, 9))
    ledger.serve(ledger.volunteer, activity, 90)
    ledger.serve(ledger.second, activity, 30)
    home = client.get("/").content.decode()
    roll = home[home.index('data-home="roll"') :]
    assert roll.index("居**") < roll.index("李**")  # ranked by hours, names masked
    assert "居民甲" not in home and "1.50 小时" in roll
    assert reverse("volunteering:roll", args=[ledger.world.community.pk]) in roll
