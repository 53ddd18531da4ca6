"""The honour roll ranks fairly (a daily ceiling, ties by breadth) and keeps privacy; the roll,
the certificate, the summary command, the export, the dashboards and the party members' service
hours (双报到) agree with sums taken from the records."""

from __future__ import annotations

import datetime
import io
import json
from collections import defaultdict
from decimal import Decimal

from django.core.management import call_command
from openpyxl import load_workbook

from tests.conftest import fresh
from tests.volunteering.conftest import at
from wulian.dashboards import services as dashboards
from wulian.dashboards.queries import Figures
from wulian.training.queries import service_hours
from wulian.volunteering import documents, queries, services
from wulian.volunteering.models import VolunteerRecord

D = Decimal


def _confirm_all(ledger):
    for record in VolunteerRecord.objects.filter(state="pending"):
        services.confirm_hours(fresh(ledger.second), record)


def test_a_long_day_counts_at_most_the_ceiling_and_breadth_breaks_ties(ledger, clock):
    gamer, broad, narrow = (
        ledger.person(f"1396000000{n}", name) for n, name in enumerate("甲乙丙")
    )
    clock.move_to(at(3, 30, 20))
    ledger.manual(gamer, datetime.date(2026, 3, 28), "9")  # nine hours of one day
    ledger.manual(broad, datetime.date(2026, 3, 27), "4", "探访")
    ledger.manual(broad, datetime.date(2026, 3, 28), "4", "助餐")
    ledger.manual(narrow, datetime.date(2026, 3, 27), "4", "巡逻")
    ledger.manual(narrow, datetime.date(2026, 3, 28), "4", "巡逻")
    _confirm_all(ledger)
    rows = services.honour_roll(ledger.world.community, services.parse_period("2026-03"))
    assert [(r.masked_name, r.rank, r.totals.ranked, r.totals.services) for r in rows] == [
        ("乙**", 1, D(8), 2),  # two services
        ("甲**", 2, D(8), 1),  # nine hours in one day count eight
        ("丙**", 2, D(8), 1),  # patrolling twice is one service
    ]
    assert rows[1].person_id == gamer.pk and rows[1].totals.hours == D(9)
    assert rows[0].person_id == broad.pk and narrow.pk == rows[2].person_id


def test_people_tied_on_hours_and_breadth_share_a_rank(ledger, clock):
    one, two, three = (ledger.person(f"1396100000{n}", name) for n, name in enumerate("赵钱孙"))
    clock.move_to(at(3, 30, 20))
    ledger.manual(one, datetime.date(2026, 3, 27), "3")
    ledger.manual(two, datetime.date(2026, 3, 27), "3")
    ledger.manual(three, datetime.date(2026, 3, 27), "2")
    _confirm_all(ledger)
    rows = services.honour_roll(ledger.world.community, services.parse_period("2026"))
    assert [r.rank for r in rows] == [1, 1, 3]
    assert rows[2].person_id == three.pk


def test_an_opted_out_volunteer_is_off_the_public_roll_but_staff_see_them(ledger, clock):
    clock.move_to(at(3, 30, 20))
    ledger.manual(ledger.volunteer, datetime.date(2026, 3, 27), "3")
    ledger.manual(ledger.second, datetime.date(2026, 3, 27), "2")
    for record in VolunteerRecord.objects.filter(state="pending"):
        services.confirm_hours(fresh(ledger.staff), record)
    community, period = ledger.world.community, services.parse_period("2026")
    services.set_roll_choice(fresh(ledger.volunteer), show=False)
    public = services.honour_roll(community, period)
    assert [r.person_id for r in public] == [ledger.second.pk]
    staff = services.honour_roll(community, period, public=False)
    assert [(r.person_id, r.opted_out) for r in staff] == [
        (ledger.volunteer.pk, True),
        (ledger.second.pk, False),
    ]
    services.set_roll_choice(fresh(ledger.volunteer), show=True)
    assert len(services.honour_roll(community, period)) == 2


def _independent_sums(period):
    """Sums taken straight from the rows: confirmed entries and corrections, by person."""
    sums: dict[int, Decimal] = defaultdict(Decimal)
    verified: dict[int, Decimal] = defaultdict(Decimal)
    for person_id, hours, source, state, day in VolunteerRecord.objects.values_list(
        "person_id", "hours", "source", "state", "date"
    ):
        if state == "confirmed" and period.starts_on <= day <= period.ends_on:
            sums[person_id] += hours
            if source == "activity":
                verified[person_id] += hours
    return sums, verified


def test_the_roll_certificate_summary_and_export_agree_with_the_records(
    ledger, clock, capsys, project
):
    a1 = ledger.activity(at(3, 7, 9))
    a2 = ledger.activity(at(4, 11, 14), title="助老送餐")
    ledger.serve(ledger.volunteer, a1, 95)
    ledger.serve(ledger.second, a1, 120)
    ledger.serve(ledger.volunteer, a2, 61)
    clock.move_to(at(4, 20, 9))
    ledger.manual(ledger.volunteer, datetime.date(2026, 4, 18), "2.5")
    pending = ledger.manual(ledger.second, datetime.date(2026, 4, 18), "1")  # left unconfirmed
    services.confirm_hours(
        fresh(ledger.second), VolunteerRecord.objects.get(person=ledger.volunteer, source="manual")
    )
    services.report_project_hours(
        fresh(ledger.world["unit_admin"]),
        project,
        [
            services.ProjectHoursLine(
                ledger.second, datetime.date(2026, 4, 19), datetime.time(9), datetime.time(12), D(3)
            )
        ],
    )
    first = VolunteerRecord.objects.get(person=ledger.volunteer, activity=a1)
    ask = services.ask_correction(fresh(ledger.volunteer), first, "少记了", D("2.25"))
    services.correct_record(fresh(ledger.captain), ask, None)
    assert pending.state == "pending"

    period = services.parse_period("2026")
    sums, verified = _independent_sums(period)
    assert sums[ledger.volunteer.pk] == D("2.25") + D("1.02") + D("2.5")
    assert verified[ledger.volunteer.pk] == D("3.27")

    roll = {r.person_id: r.totals for r in services.honour_roll(ledger.world.community, period)}
    call_command(
        "hours", "summary", "--community", "江汉北路社区", "--period", "2026", "--format", "json"
    )
    summary = {p["person_id"]: p for p in json.loads(capsys.readouterr().out)["people"]}
    team_rows = documents.export_rows(ledger.team, period)
    unit_rows = documents.export_rows(ledger.world.unit, period)
    book = load_workbook(io.BytesIO(documents.render_records_xlsx(ledger.team, period)))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    name_col, hours_col = header.index("志愿者姓名"), header.index("服务时长（小时）")
    exported: dict[str, Decimal] = defaultdict(Decimal)
    for row in sheet.iter_rows(min_row=2, values_only=True):
        exported[row[name_col]] += D(str(row[hours_col]))

    for person in (ledger.volunteer, ledger.second):
        cert = services.issue_certificate(fresh(person), fresh(person), period)
        expected = sums[person.pk]
        assert roll[person.pk].hours == expected
        assert roll[person.pk].verified == verified[person.pk]
        assert D(summary[person.pk]["hours"]) == expected
        assert D(summary[person.pk]["verified_hours"]) == verified[person.pk]
        assert cert.hours == expected and cert.verified_hours == verified[person.pk]
        assert sum(D(line["hours"]) for line in cert.lines) == expected
        by_body = sum(
            (r.hours for r in team_rows + unit_rows if r.record.person_id == person.pk), D(0)
        )
        assert by_body == expected
    assert exported[ledger.volunteer.real_name] == sums[ledger.volunteer.pk]
    assert exported[ledger.second.real_name] == D(2)  # the project's hours are the school's
    community = queries.community_hours(ledger.world.community, period)
    assert community.hours == sum(sums.values()) and community.volunteers == 2
    assert community.verified == sum(verified.values())
    assert service_hours([ledger.volunteer.pk, ledger.second.pk], 2026) == sums
    dashboards.rebuild()
    spring = [datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)]
    figures = Figures([ledger.world.community], spring)
    c = ledger.world.community
    assert figures.value(c, "volunteering.hours", spring) == float(sum(sums.values()))
    assert figures.value(c, "volunteering.verified_hours", spring) == float(sum(verified.values()))
    assert [figures.value(c, "volunteering.volunteers", [m]) for m in spring] == [2, 2]


def test_text_people_typed_stays_inert_in_the_export_and_the_certificate(ledger, clock):
    import subprocess

    clock.move_to(at(3, 30, 20))
    hostile = '=HYPERLINK("http://evil.example","点我")<script>x</script>'
    ledger.manual(ledger.volunteer, datetime.date(2026, 3, 27), "2", hostile)
    _confirm_all(ledger)
    period = services.parse_period("2026")
    sheet = load_workbook(io.BytesIO(documents.render_records_xlsx(ledger.team, period))).active
    cell = sheet.cell(row=2, column=5)
    assert cell.value == "'" + hostile and cell.data_type == "s"
    person = fresh(ledger.volunteer)
    cert = services.issue_certificate(person, person, period)
    pdf = documents.render_certificate_pdf(cert, "http://testserver/hours/verify/x/")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode()
    assert "<script>x</script>" in text.replace("\n", "")  # printed as text, not run
