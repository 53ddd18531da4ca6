"""The training pages, the yearly record as PDF and .xlsx, the API and the command line."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from tests.training.conftest import at
from wulian.training import services
from wulian.training.models import Attendance

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_training_page_asks_anonymous_visitors_to_sign_in(tw, client):
    session = tw.session()
    for url in [
        "/training/",
        f"/training/{session.pk}/",
        f"/training/{session.pk}/check-in/{session.token}/",
        "/training/progress/",
        "/training/mine/",
        f"/training/records/{tw.school_record.pk}.pdf",
        f"/training/records/{tw.school_record.pk}.xlsx",
        "/training/dual/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.get("/api/training/sessions").status_code == 401


def test_a_member_checks_in_from_the_door_s_qr_page(tw):
    session = tw.session()
    phone = _client(tw.school_member)
    page = phone.get(f"/training/{session.pk}/check-in/{session.token}/")
    assert "checkin-button" in page.content.decode()
    form = {"token": session.token, "nonce": "from-the-page"}
    phone.post(f"/training/{session.pk}/check-in/", form)
    phone.post(f"/training/{session.pk}/check-in/", form)
    assert Attendance.objects.filter(person=tw.school_member).count() == 1
    assert (
        "签到时间"
        not in phone.get(f"/training/{session.pk}/check-in/{session.token}/").content.decode()
    )


def test_someone_outside_the_organisers_does_not_find_the_session(tw):
    session = tw.session(organisers=[tw.school])
    for person in (tw.resident, tw.world["unit_contact"], tw.world["outsider"]):
        assert _client(person).get(f"/training/{session.pk}/").status_code == 404


def test_the_organisers_list_masks_other_organisations_members_for_a_secretary(tw):
    session = tw.session()
    services.check_in(tw.resident, session, session.token, "a")
    services.check_in(tw.school_member, session, session.token, "b")
    school_view = _client(tw.school_secretary).get(f"/training/{session.pk}/").content.decode()
    assert "党员乙" in school_view and "居民甲" not in school_view and "居*" in school_view
    staff_view = _client(tw.staff).get(f"/training/{session.pk}/").content.decode()
    assert "党员乙" in staff_view and "居民甲" in staff_view


def test_the_secretary_sees_who_is_behind_and_downloads_a_members_record(tw):
    session = tw.session()
    services.check_in(tw.school_member, session, session.token, "b")
    secretary = _client(tw.school_secretary)
    page = secretary.get(f"/training/progress/?org={tw.school.pk}&year=2026").content.decode()
    assert "党员乙" in page and 'class="behind"' in page
    assert secretary.get(f"/training/progress/?org={tw.committee.pk}").status_code == 404
    xlsx = secretary.get(f"/training/records/{tw.school_record.pk}.xlsx?year=2026")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][1] == "参观二七纪念馆" and rows[1][7] == 2.5
    assert rows[-1][0] == "应修学时" or rows[-1][7] == 32


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_yearly_record_pdf_reads_back(tw, tmp_path):
    session = tw.session()
    services.check_in(tw.school_member, session, session.token, "b")
    response = _client(tw.school_member).get(f"/training/records/{tw.school_record.pk}.pdf")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "record.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "2026年度党员学习档案" in text and "党员乙" in text and "参观二七纪念馆" in text


def test_a_record_is_refused_to_anyone_but_the_person_the_secretary_and_staff(tw):
    url = f"/training/records/{tw.school_record.pk}.pdf"
    for person in (tw.world["unit_contact"], tw.committee_secretary, tw.world["outsider"]):
        assert _client(person).get(url).status_code == 404
    assert _client(tw.staff).get(url.replace(".pdf", ".xlsx")).status_code == 200


def test_a_member_registers_at_the_community_from_the_dual_registration_page(tw):
    post = services.create_post(tw.staff, tw.world.community, "楼栋长")
    phone = _client(tw.school_member)
    phone.post(
        f"/training/dual/?community={tw.world.community.pk}",
        {"basis": "residence", "posts": [post.pk]},
    )
    assert "楼栋长" in phone.get("/training/dual/").content.decode()
    staff_page = _client(tw.staff).get(f"/training/dual/?community={tw.world.community.pk}")
    assert "党员乙" in staff_page.content.decode()


def test_the_api_checks_in_and_answers_progress_to_the_secretary_only(tw):
    session = tw.session()
    member = _client(tw.school_member)
    url = f"/api/training/sessions/{session.pk}/check-in"
    body = {"token": session.token, "nonce": "api-1"}
    first = member.post(url, body, content_type="application/json")
    assert first.status_code == 200 and first.json()["attendance"]["hours"] == 2.5
    progress = _client(tw.school_secretary).get(
        f"/api/training/progress?organization_id={tw.school.pk}&year=2026"
    )
    assert progress.status_code == 200
    assert {m["name"]: m["hours"] for m in progress.json()["members"]}["党员乙"] == 2.5
    assert member.get(f"/api/training/progress?organization_id={tw.school.pk}").status_code == 404
    assert member.get(f"/api/training/records/{tw.school_record.pk}").json()["total"] == 2.5
    refused = _client(tw.world["unit_contact"]).post(url, body, content_type="application/json")
    assert refused.status_code == 404


def test_the_api_creates_a_session_for_staff(tw):
    response = _client(tw.staff).post(
        "/api/training/sessions",
        {
            "community_id": tw.world.community.pk,
            "title": "同上一堂党课",
            "kind": "online",
            "starts_at": at(3, 19).isoformat(),
            "ends_at": at(3, 20, 30).isoformat(),
            "organiser_ids": [tw.committee.pk, tw.school.pk],
            "online_url": "https://www.douyu.com/party",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["organisers"] == ["社区党委", "武汉市第一商业学校"]


def test_the_openapi_document_lists_training():
    from wulian.api import api

    paths = api.get_openapi_schema()["paths"]
    assert "/api/training/progress" in paths and "/api/training/sessions" in paths


def test_the_command_prints_progress_as_json(tw):
    session = tw.session()
    services.check_in(tw.resident, session, session.token, "a")
    out = io.StringIO()
    call_command(
        "training",
        "progress",
        "--org",
        "社区党委",
        "--year",
        "2026",
        "--format",
        "json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["organization"] == "社区党委" and data["year"] == 2026
    assert {m["name"]: m["hours"] for m in data["members"]}["居民甲"] == 2.5
    assert data["behind"] == 3


def test_the_list_counts_each_attendance_once_for_a_joint_session(tw):
    session = tw.session()
    services.check_in(tw.resident, session, session.token, "a")
    services.check_in(tw.school_member, session, session.token, "b")
    page = _client(tw.staff).get("/training/").content.decode()
    assert "2 人参加" in page
    assert "2 人参加" in _client(tw.school_member).get("/training/").content.decode()
