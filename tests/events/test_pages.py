from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import ROLES
from tests.events.conftest import WHEN
from tests.events.qr import decode_pdf
from wulian.events import services
from wulian.events.models import ReleaseEvent

MANAGERS = {"community_staff", "subdistrict_staff"}


def client_for(world: Any, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world[role])
    return client


@pytest.fixture
def draft(world: Any) -> ReleaseEvent:
    return services.create_event(
        world["community_staff"], title="草稿发布会", starts_at=WHEN, communities=[world.community]
    )


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_an_announced_event_board_and_report_to_everyone(world, event, role):
    client = client_for(world, role)
    for url in (
        f"/events/{event.pk}/",
        f"/events/{event.pk}/board/",
        f"/events/{event.pk}/board.json",
        f"/events/{event.pk}/report/",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert page.count('class="button small claim-link"') == 3
    for need in event.event_needs.all():
        assert f'href="/lists/needs/{need.need_id}/claim/"' in page
    assert ('id="run"' in page) == (role in MANAGERS)
    assert (event.title in client.get("/events/").content.decode()) is True


@pytest.mark.parametrize("role", ROLES)
def test_it_hides_a_draft_from_all_but_its_staff(world, draft, role):
    client = client_for(world, role)
    expected = 200 if role in MANAGERS else 404
    assert client.get(f"/events/{draft.pk}/").status_code == expected
    assert client.get(f"/events/{draft.pk}/board.json").status_code == expected
    assert (draft.title in client.get("/events/").content.decode()) == (role in MANAGERS)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_events_staff_run_it(world, event, needs, role):
    client = client_for(world, role)
    response = client.post(f"/events/{event.pk}/open/")
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in MANAGERS:
        assert response.status_code == 302
        event.refresh_from_db()
        assert event.state == "live"
    else:
        assert response.status_code == 403
    poster = client.get(f"/events/{event.pk}/print/cards.pdf")
    assert poster.status_code == (200 if role in MANAGERS else 403)


@pytest.mark.parametrize("role", ["resident", "unit_contact", "unit_admin"])
def test_it_refuses_creating_events_to_people_without_a_community(world, role):
    assert client_for(world, role).get("/events/new/").status_code == 403


def test_it_offers_staff_only_their_own_communities(world):
    page = client_for(world, "outsider").get("/events/new/").content.decode()
    assert world.other_community.name in page and world.community.name not in page


def test_it_creates_an_event_and_adds_needs_from_the_page(world, needs):
    client = client_for(world, "community_staff")
    assert client.get("/events/new/").status_code == 200
    response = client.post(
        "/events/new/",
        {
            "title": "新发布会",
            "starts_at": "2026-06-01T09:30",
            "place": "礼堂",
            "communities": [world.community.pk],
        },
    )
    event = ReleaseEvent.objects.get(title="新发布会")
    assert response["Location"] == f"/events/{event.pk}/"
    page = client.get(f"/events/{event.pk}/?q=理发").content.decode()
    assert f'name="needs" value="{needs[0].pk}"' in page
    assert f'name="needs" value="{needs[1].pk}"' not in page
    client.post(f"/events/{event.pk}/add/", {"needs": [needs[0].pk, needs[1].pk]})
    assert {e.need_id for e in event.event_needs.all()} == {needs[0].pk, needs[1].pk}
    client.post(f"/events/{event.pk}/remove/", {"need": needs[1].pk})
    assert event.event_needs.count() == 1


def test_it_records_and_corrects_a_paper_claim_from_the_page(world, live, needs):
    client = client_for(world, "community_staff")
    page = client.get(f"/events/{live.pk}/").content.decode()
    assert 'id="paper-claim"' in page
    # Without the confirmation box nothing is recorded.
    client.post(
        f"/events/{live.pk}/paper-claim/", {"need": needs[0].pk, "organization": world.unit.pk}
    )
    assert not needs[0].claims.exists()
    client.post(
        f"/events/{live.pk}/paper-claim/",
        {"need": needs[0].pk, "organization": world.unit.pk, "confirm": "on"},
    )
    claim = needs[0].claims.get()
    assert claim.source == "paper"
    client.post(
        f"/events/{live.pk}/paper-claim/",
        {"need": needs[1].pk, "mobile": "139 0000 0006", "confirm": "on"},
    )
    assert needs[1].claims.get().claimant == world["outsider"]
    client.post(
        f"/events/{live.pk}/correct/", {"claim": claim.pk, "reason": "录错", "confirm": "on"}
    )
    claim.refresh_from_db()
    assert claim.state == "cancelled"


def test_it_answers_an_unchanged_board_with_304(world, live, needs, django_assert_max_num_queries):
    client = Client()
    first = client.get(f"/events/{live.pk}/board.json")
    etag = first["ETag"]
    data = first.json()
    assert data["total"] == 3 and data["claimed"] == 0 and etag.strip('"') == data["version"]
    with django_assert_max_num_queries(6):
        again = client.get(f"/events/{live.pk}/board.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    services.record_paper_claim(world["community_staff"], live, needs[0], organization=world.unit)
    changed = client.get(f"/events/{live.pk}/board.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["claimed"] == 1
    assert changed.json()["tiles"][0]["state"] == "claimed"
    assert changed.json()["ticker"][0]["claimant"] == world.unit.name


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfimages")), reason="needs poppler-utils"
)


@needs_poppler
@pytest.mark.parametrize("kind", ["cards", "poster", "table-cards"])
def test_it_prints_posters_whose_qr_codes_open_the_claim_pages(world, event, needs, kind, tmp_path):
    client = client_for(world, "community_staff")
    response = client.get(f"/events/{event.pk}/print/{kind}.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / f"{kind}.pdf"
    pdf.write_bytes(response.content)
    urls = {f"http://testserver/lists/needs/{n.pk}/claim/" for n in needs}
    decoded = decode_pdf(pdf)
    assert set(decoded) == urls
    assert len(decoded) == len(needs) * (2 if kind == "table-cards" else 1)
    text = _pdf_text(response.content, tmp_path)
    for need in needs:
        assert need.title in text
    assert "武汉市第一商业学校" in text and "居**" in text and "居民甲" not in text


def _printed_sizes_mm(pdf: Path) -> list[float]:
    """The printed width of each image in a PDF, in millimetres (from `pdfimages -list`)."""
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return [int(line.split()[3]) / int(line.split()[12]) * 25.4 for line in listing]


@needs_poppler
def test_the_a3_poster_fills_its_page_and_prints_no_count_that_goes_stale(
    world, event, needs, tmp_path
):
    client = client_for(world, "community_staff")
    client.cookies["wulian_language"] = "en"
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(client.get(f"/events/{event.pk}/print/poster.pdf").content)
    # Three needs on an A3 page: QR codes about 75 mm wide, read from across the hall.
    assert all(size > 60 for size in _printed_sizes_mm(pdf)), _printed_sizes_mm(pdf)
    text = _pdf_text(pdf.read_bytes(), tmp_path)
    assert "left" not in text and "on the list" not in text
    assert "Scan to claim" in text


@needs_poppler
def test_a_reader_of_traditional_script_gets_the_pdf_in_it(world, event, needs, tmp_path):
    client = client_for(world, "community_staff")
    client.cookies["wulian_language"] = "zh-hant"
    text = _pdf_text(client.get(f"/events/{event.pk}/print/cards.pdf").content, tmp_path)
    assert "老人上門理髮" in text and "樓道燈維修" in text
    assert "老人上门理发" not in text


@needs_poppler
def test_it_offers_the_report_as_pdf_xlsx_and_json(world, live, needs, tmp_path):
    services.record_paper_claim(world["community_staff"], live, needs[0], organization=world.unit)
    client = Client()
    text = _pdf_text(client.get(f"/events/{live.pk}/report.pdf").content, tmp_path)
    assert live.title in text and "武汉市第一商业学校" in text
    workbook = load_workbook(io.BytesIO(client.get(f"/events/{live.pk}/report.xlsx").content))
    summary, sheet = workbook.worksheets
    assert summary["A1"].value == live.title
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [n.pk for n in needs]
    assert rows[0][5] == "武汉市第一商业学校" and rows[1][5] is None
    data = client.get(f"/events/{live.pk}/report.json").json()
    assert (data["needs"], data["claimed"], data["unclaimed"]) == (3, 1, 2)
    assert client.get(f"/events/{live.pk}/report.doc").status_code == 404


def test_it_lists_events_and_writes_reports_from_the_command_line(world, live, tmp_path, capsys):
    call_command("event", "list")
    out = capsys.readouterr().out
    assert f"{live.pk}\t" in out and live.title in out
    call_command("event", "report", str(live.pk))
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {
        "event",
        "needs",
        "claimed",
        "unclaimed",
        "agreements_signed",
        "raisers_by_kind",
        "claimants_by_kind",
    }
    assert data["needs"] == 3
    target = tmp_path / "report.xlsx"
    call_command("event", "report", live.title, "--format", "xlsx", "-o", str(target))
    assert load_workbook(target).worksheets[0]["A1"].value == live.title
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("event", "report", "9999")


def test_it_serves_events_in_the_api(world, event, draft):
    client = Client()
    listed = client.get("/api/events").json()
    assert [e["id"] for e in listed] == [event.pk]
    detail = client.get(f"/api/events/{event.pk}").json()
    assert detail["total"] == 3 and len(detail["needs"]) == 3
    report = client.get(f"/api/events/{event.pk}/report").json()
    assert report["needs"] == 3 and report["claimed"] == 0
    missing = client.get(f"/api/events/{draft.pk}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
