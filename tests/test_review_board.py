"""The completeness board: status, days to the deadline or late, counts and rates per county and
for the region, filter and sort, XLSX export, bulk approval of clean reports."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from parskats.reporting.entry import save_value
from parskats.reporting.models import Explanation, Report
from parskats.review.board import build_board, filter_and_sort

from .conftest import client_for
from .factories import report_with
from .test_report_entry import fill_clean
from .test_review_workflow import clean_submitted

RIGA = dt.timezone(dt.timedelta(hours=2))


def set_status(report: Report, status: str, submitted: dt.date | None = None) -> Report:
    when = dt.datetime.combine(submitted, dt.time(12), tzinfo=RIGA) if submitted else None
    Report.objects.filter(pk=report.pk).update(status=status, submitted_at=when)
    report.refresh_from_db()
    return report


@pytest.fixture
def year_2021(world):
    """Deadline 15.02.2022: A submitted on time, B approved 3 days late, the school not started."""
    a = set_status(report_with(world.library_a, world.periods[2021], visits=5), "submitted", dt.date(2022, 2, 10))
    b = set_status(report_with(world.library_b, world.periods[2021], visits=5), "approved", dt.date(2022, 2, 18))
    return a, b


def test_board_rows_and_counts(world, year_2021):
    board = build_board(world.periods[2021], today=dt.date(2022, 2, 20))
    rows = {r.unit.code: r for r in board.rows}
    assert rows["seda"].status == "submitted" and rows["seda"].on_time and rows["seda"].days_late == -5
    assert rows["ergeme"].days_late == 3 and not rows["ergeme"].on_time and rows["ergeme"].late
    assert rows["valka-skola"].status == "not_started" and rows["valka-skola"].days_left == -5
    # On the boundaries of 31.12.2021 Seda is in Valmiera county.
    assert rows["seda"].county == world.valmiera
    counties = {t.name: t for t in board.counties}
    assert (counties["Valkas novads"].libraries, counties["Valkas novads"].reported) == (2, 1)
    assert counties["Valmieras novads"].on_time == 1
    assert (board.region.libraries, board.region.reported, board.region.on_time, board.region.late) == (3, 2, 1, 2)
    assert f"{board.region.reporting_rate:.4f}" == "0.6667"
    assert f"{board.region.on_time_rate:.4f}" == "0.3333"
    assert [r.unit.code for r in filter_and_sort(board.rows, late=True, sort="name")] == ["ergeme", "valka-skola"]
    assert [r.unit.code for r in filter_and_sort(board.rows, county="valka")] == ["ergeme", "valka-skola"]
    assert [r.unit.code for r in filter_and_sort(board.rows, status="submitted")] == ["seda"]
    assert filter_and_sort(board.rows, sort="status")[0].unit.code == "valka-skola"


def test_board_page_in_latvian(world, year_2021, methodologist):
    html = client_for(methodologist).get(f"/n/{world.network.slug}/review/?year=2021").content.decode()
    assert "Iesniegšanas gaita 2021" in html
    assert "iesniegta 3 dienas pēc termiņa" in html
    assert "nav sākts" in html
    assert "66,7\xa0%" in html  # the region's reporting rate


def test_days_left_before_the_deadline(world, methodologist):
    period = world.periods[2021]
    period.deadline = timezone.localdate() + dt.timedelta(days=21)
    period.save()
    html = client_for(methodologist).get(f"/n/{world.network.slug}/review/?year=2021").content.decode()
    assert "atlikusi 21 diena" in html


def test_board_filters_refuse_garbage_quietly(world, year_2021, methodologist):
    client = client_for(methodologist)
    assert client.get(f"/n/{world.network.slug}/review/?year=2021&status=bogus&sort=x&county=y").status_code == 200
    assert client.get(f"/n/{world.network.slug}/review/?year=1999").status_code == 404
    assert client.get(f"/n/{world.network.slug}/review/?year=abc").status_code == 404


def test_xlsx_export(world, year_2021, viewer):
    response = client_for(viewer).get(f"/n/{world.network.slug}/review/board.xlsx?year=2021&sort=name")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    libraries, counts = book.worksheets
    assert [c.value for c in libraries[1]][:3] == ["Bibliotēka", "Novads", "Statuss"]
    names = [row[0].value for row in libraries.iter_rows(min_row=2)]
    assert names == ["Ērģemes pagasta bibliotēka", "Sedas bibliotēka", "Valkas pamatskolas bibliotēka"]
    ergeme = [c.value for c in libraries[2]]
    assert ergeme[2] == "apstiprināta" and ergeme[7] == 3
    region = [c.value for c in counts[counts.max_row]]
    assert region[:5] == ["Testa reģions", 3, 2, 1, 1]
    assert abs(region[5] - 2 / 3) < 1e-9


def test_bulk_approve_from_the_board(world, methodologist, reporter_a, reporter_b):
    a = clean_submitted(world.library_a, world.periods[2021], reporter_a)
    b = report_with(world.library_b, world.periods[2021], visits=5)  # errors: not offered, refused if forged
    set_status(b, "submitted", dt.date(2022, 2, 1))
    other = report_with(
        world.other_library,
        world.other_network.periods.create(
            survey=world.survey, year=2021, opens_on=dt.date(2022, 1, 2), deadline=dt.date(2022, 2, 15)
        ),
    )
    set_status(other, "submitted")
    client = client_for(methodologist)
    html = client.get(f"/n/{world.network.slug}/review/?year=2021").content.decode()
    assert f'name="report" value="{a.pk}"' in html and f'name="report" value="{b.pk}"' not in html
    assert "1 atskaite gaida pārbaudi" in html
    url = f"/n/{world.network.slug}/review/approve/"
    # A forged id of another network's report: the lot is refused.
    response = client.post(url, {"year": "2021", "report": [a.pk, other.pk]}, follow=True)
    assert "nekas netika apstiprināts" in response.content.decode()
    # A report with open errors: refused, with its name.
    response = client.post(url, {"year": "2021", "report": [a.pk, b.pk]}, follow=True)
    assert "Nekas netika apstiprināts: Ērģemes pagasta bibliotēka" in response.content.decode()
    response = client.post(url, {"year": "2021", "report": ["1; drop"]}, follow=True)
    assert "bojāts" in response.content.decode()
    assert set(Report.objects.values_list("status", flat=True)) == {"submitted"}
    response = client.post(url, {"year": "2021", "report": [a.pk]}, follow=True)
    assert "Apstiprināta 1 atskaite." in response.content.decode()
    a.refresh_from_db()
    assert a.status == "approved"


def test_open_errors_and_unexplained_warnings_are_counted(world, reporter_a):
    clean = clean_submitted(world.library_a, world.periods[2021], reporter_a)
    partial = report_with(world.library_b, world.periods[2021], visits=5)
    board = build_board(world.periods[2021], today=dt.date(2022, 2, 1))
    rows = {r.unit.code: r for r in board.rows}
    assert (rows["seda"].errors, rows["seda"].unexplained, rows["seda"].clean) == (0, 0, True)
    assert rows["ergeme"].errors > 0 and not rows["ergeme"].clean
    assert rows["ergeme"].report == partial and rows["seda"].report == clean


def test_the_counts_follow_every_change(world, reporter_a, reporter_b):
    """The board caches the checks' counts under a stamp of the period's data: any change recomputes."""
    report = Report.objects.create(unit=world.library_b, period=world.periods[2021])
    before = {r.unit.code: r for r in build_board(world.periods[2021]).rows}["ergeme"].errors
    assert before > 0
    fill_clean(report, reporter_b)
    assert {r.unit.code: r for r in build_board(world.periods[2021]).rows}["ergeme"].errors == 0
    save_value(reporter_b, report, "loans", "50000", None)  # a warning, unexplained
    row = {r.unit.code: r for r in build_board(world.periods[2021]).rows}["ergeme"]
    assert (row.errors, row.unexplained) == (0, 1)
    Explanation.objects.create(
        report=report, check_code="loans-per-capita", indicator_code="loans", category="correct", text="Jā."
    )
    row = {r.unit.code: r for r in build_board(world.periods[2021]).rows}["ergeme"]
    assert (row.errors, row.unexplained) == (0, 0)


def test_a_corrected_report_is_marked(world, reporter_a, methodologist):
    from parskats.reporting.submission import submit_report
    from parskats.review.workflow import return_report

    report = clean_submitted(world.library_a, world.periods[2021], reporter_a)
    html = client_for(methodologist).get(f"/n/{world.network.slug}/review/?year=2021").content.decode()
    assert "(labots)" not in html
    return_report(methodologist, report, "Pārbaudiet.")
    submit_report(reporter_a, report)
    html = client_for(methodologist).get(f"/n/{world.network.slug}/review/?year=2021").content.decode()
    assert "(labots)" in html
