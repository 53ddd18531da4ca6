"""Certificates: a numbered PDF with the masked ID and a QR code that opens the public
verification page; the page says the certificate is genuine and nothing more."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import fresh
from tests.events.qr import decode_pdf
from tests.volunteering.conftest import at
from wulian.core.errors import Conflict, NotAllowed
from wulian.volunteering import services
from wulian.volunteering.models import Certificate


@pytest.fixture
def served(ledger):
    activity = ledger.activity(at(3, 7, 9))
    ledger.serve(ledger.volunteer, activity, 150)
    return ledger


def test_the_certificate_pdf_carries_the_facts_and_a_qr_that_verifies_it(served, client, tmp_path):
    out = tmp_path / "cert.pdf"
    call_command("hours", "certificate", "13900000001", "--period", "2026", "-o", str(out))
    cert = Certificate.objects.get()
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    for expected in (
        "志愿服务证明",
        "居民甲",
        "139****0001",
        "社区党委",
        cert.number,
        "清洁家园（清扫）",
        "江汉北路志愿服务队",
        "2.50",
        "社工丁",  # the community's staff handles it
        "印章",
    ):
        assert expected in text, expected
    assert "13900000001" not in text

    (url,) = decode_pdf(out)
    path = reverse("volunteering:verify", args=[cert.token])
    assert url.endswith(path)
    page = client.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert cert.number in body and "社区党委" in body
    assert "居民甲" not in body and "2.50" not in body and "清洁家园" not in body
    forged = client.get(reverse("volunteering:verify", args=["forged-token"]))
    assert forged.status_code == 404 and cert.number not in forged.content.decode()


def test_the_same_hours_give_the_same_certificate_and_new_hours_a_new_one(served, clock):
    volunteer = fresh(served.volunteer)
    period = services.parse_period("2026")
    first = services.issue_certificate(volunteer, volunteer, period)
    assert services.issue_certificate(volunteer, volunteer, period) == first
    assert first.number.startswith("ZYFW2026") and first.hours == Decimal("2.50")
    clock.move_to(at(3, 10, 9))
    served.manual(served.volunteer, at(3, 9, 9).date(), "1")
    services.confirm_hours(
        fresh(served.second), served.volunteer.volunteer_records.get(source="manual")
    )
    second = services.issue_certificate(volunteer, volunteer, period)
    assert second != first and second.hours == Decimal("3.50")
    assert second.number != first.number


def test_who_may_issue_a_certificate(served):
    period = services.parse_period("2026")
    person = fresh(served.volunteer)
    for role in ("unit_contact", "outsider"):
        with pytest.raises(NotAllowed):
            services.issue_certificate(fresh(served.world[role]), person, period)
    by_staff = services.issue_certificate(fresh(served.world["community_staff"]), person, period)
    assert by_staff.handled_by == served.world["community_staff"]
    with pytest.raises(Conflict) as empty:
        services.issue_certificate(person, person, services.parse_period("2025"))
    assert empty.value.code == "certificate.no_hours"


def test_the_certificate_page_downloads_the_pdf(served, client):
    client.force_login(served.volunteer)
    response = client.get(reverse("volunteering:my_certificate") + "?period=2026-03")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    empty = client.get(reverse("volunteering:my_certificate") + "?period=2026-05")
    assert empty.status_code == 302


def test_staff_issue_a_residents_certificate_from_their_page(served, client):
    url = reverse("volunteering:person_certificate", args=[served.volunteer.pk]) + "?period=2026"
    client.force_login(served.world["unit_admin"])
    assert client.get(url).status_code == 404
    client.force_login(served.world["community_staff"])
    page = client.get(reverse("volunteering:person", args=[served.volunteer.pk]))
    assert "person_certificate" not in page.content.decode()
    assert url.split("?")[0] in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert Certificate.objects.get().handled_by == served.world["community_staff"]
