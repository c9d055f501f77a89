"""Figure pages through HTTP: who sees what (approved only for the public), the map the page says it
uses, charts without JavaScript, exports whose numbers equal the page's, and bad parameters."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from parskats.core.numbers import format_number
from parskats.reporting.models import Report

from .conftest import client_for
from .factories import report_with


def approved(report: Report) -> Report:
    report.status = Report.Status.APPROVED
    report.save()
    return report


@pytest.fixture
def figures(world):
    p20, p21 = world.periods[2020], world.periods[2021]
    approved(report_with(world.library_a, p20, loans=1000, users=2420, visits=5000))
    approved(report_with(world.library_b, p20, loans=500, users=121, visits="unknown"))
    approved(report_with(world.school, p20, loans=300, users=80, visits=900))
    approved(report_with(world.library_a, p21, loans=1200, users=2000, visits=6000))
    approved(report_with(world.library_b, p21, loans=700, users=100, visits=700))
    pending = report_with(world.school, p21, loans=12345, users=90, visits=1000)
    pending.status = Report.Status.SUBMITTED
    pending.save()
    return world


def text(response) -> str:
    return response.content.decode()


def test_the_dashboard_shows_counties_charts_and_the_map_it_uses(figures, methodologist):
    response = client_for(methodologist).get("/n/testa/figures/?year=2020")
    assert response.status_code == 200
    page = text(response)
    assert "Strenču novads" in page and "Valkas novads" in page
    assert "Skaitīts pašā gada robežās (31.12.2020.)" in page
    # Charts are drawn on the server: inline SVG, each with its data table.
    assert page.count("<svg") == 2  # loans and loans per capita by county; no series yet
    assert "Diagrammas dati tabulā" in page
    later = text(client_for(methodologist).get("/n/testa/figures/?year=2021"))
    # and the pandemic view (visits and events, in person and online): no such numbers here, and it says so
    assert later.count('<figure class="chart"') == 4 and later.count("<svg") == 2
    assert "Nav ko attēlot: visu vērtību trūkst." in later
    # Valka county's loans: 500 + 300; the total 1 800 with its per-capita figure.
    assert f"{format_number(1800)}" in page
    # B's visits are unknown: Valka's visits are "1 of 2", never a zero.
    assert "1 no 2" in page


def test_remapped_series_says_so_and_uses_todays_counties(figures, methodologist):
    page = text(client_for(methodologist).get("/n/testa/figures/?year=2020&boundaries=2022-01-01"))
    assert "Pārrēķināts uz 01.01.2022. robežām" in page
    assert "Valmieras novads" in page and "Strenču novads" not in page


def test_the_public_and_reporters_see_approved_data_only(figures, methodologist, reporter_a):
    pending_total = format_number(1200 + 700 + 12345)
    approved_total = format_number(1200 + 700)
    public = text(client_for(None).get("/skaitli/testa/?year=2021&status=all"))
    assert approved_total in public and pending_total not in public
    reporter = text(client_for(reporter_a).get("/n/testa/figures/?year=2021&status=all"))
    assert approved_total in reporter and pending_total not in reporter
    admin = text(client_for(methodologist).get("/n/testa/figures/?year=2021&status=all"))
    assert pending_total in admin and "Ietver vēl neapstiprinātas atskaites." in admin


def test_access_to_signed_in_pages(figures, other_methodologist, reporter_a):
    assert client_for(None).get("/n/testa/figures/").status_code == 302
    assert client_for(other_methodologist).get("/n/testa/figures/").status_code == 404
    assert client_for(reporter_a).get("/n/testa/figures/library/ergeme/").status_code == 404
    assert client_for(reporter_a).get("/n/testa/figures/library/seda/").status_code == 200
    assert client_for(None).get("/skaitli/testa/biblioteka/ergeme/").status_code == 200


def test_county_and_library_pages(figures, viewer):
    client = client_for(viewer)
    county = text(client.get("/n/testa/figures/area/valka/?year=2020"))
    assert "Ērģemes pagasta bibliotēka" in county and "Sedas bibliotēka" not in county
    library = text(client.get("/n/testa/figures/library/ergeme/?year=2021"))
    assert "Izsniegumu kopskaits" in library
    assert "nav zināms" in library  # 2020 visits: unknown, shown as such
    assert '<figure class="chart"' in library and "Nav ko attēlot" in library  # no in-person/online parts


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/skaitli/testa/?year=1999", 404, "Nav atskaites perioda"),
        ("/skaitli/testa/?year=abc", 404, "Nav atskaites perioda"),
        ("/skaitli/testa/?boundaries=1990-01-01", 400, "01.01.1990."),
        ("/skaitli/testa/?boundaries=vakar", 400, "GGGG-MM-DD"),
        ("/skaitli/testa/?status=secret", 400, "approved"),
        ("/skaitli/testa/teritorija/nekur/", 404, ""),
        ("/skaitli/testa/eksports/nekas.csv", 404, ""),
        ("/skaitli/testa/eksports/loans.pdf", 404, ""),
        ("/skaitli/nav-tada/", 404, ""),
    ],
)
def test_bad_parameters_get_a_clear_answer(figures, url, status, message):
    response = client_for(None).get(url)
    assert response.status_code == status
    assert message in text(response)


def _page_cell(page: str, row_label: str, table_id: str) -> list[str]:
    section = page[page.index(f'id="t-{table_id}"') :]
    section = section[: section.index("</table>")]
    row = section[section.index(f">{row_label}</") :]
    row = row[: row.index("</tr>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<td class="num">(.*?)</td>', row, re.S)]


def test_exports_carry_the_page_numbers(figures, methodologist):
    client = client_for(methodologist)
    page = text(client.get("/n/testa/figures/?year=2020"))
    shown = _page_cell(page, "Valkas novads", "loans")
    rows = list(csv.DictReader(io.StringIO(text(client.get("/n/testa/figures/export/loans.csv?year=2020")))))
    valka = [row for row in rows if row["group_code"] == "valka"]
    assert valka[0]["indicator"] == "loans" and Decimal(valka[0]["value"]) == 800
    assert shown[0] == format_number(Decimal(valka[0]["value"])) == format_number(800)
    workbook = load_workbook(io.BytesIO(client.get("/n/testa/figures/export/loans.xlsx?year=2020").content))
    sheet = workbook.active
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(line[2], line[4], line[7]) for line in lines] == [
        (row["group_code"], row["indicator"], float(row["value"]) if row["value"] else None) for row in rows
    ]
    performance = list(
        csv.DictReader(io.StringIO(text(client.get("/n/testa/figures/export/performance.csv?year=2020"))))
    )
    coverage = next(r for r in performance if r["group_code"] == "total" and r["indicator"] == "population_coverage")
    assert Decimal(coverage["value"]) == (Decimal(2541) / Decimal(13310) * 100).quantize(Decimal("0.1"))


@pytest.fixture
def coverage(world):
    """Population coverage of library A: 2 420 of 12 100 (20,0 %) in 2020, 2 756 of 11 980 (23,005 %)
    in 2021: +3,0 percentage points, which as a percent of a percent would be +15,0 %."""
    approved(report_with(world.library_a, world.periods[2020], users=2420, loans=4840))
    approved(report_with(world.library_a, world.periods[2021], users=2756, loans=5512))
    return world


def series_row(page: str, name: str) -> str:
    match = re.search(r"<tr><th scope=\"row\">" + re.escape(name) + r"</th>(.*?)</tr>", page, re.S)
    assert match, f"no row {name!r}"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("\u00a0", " ")


def test_a_percentage_changes_by_percentage_points(coverage, methodologist):
    page = text(client_for(methodologist).get("/n/testa/figures/?year=2021"))
    row = series_row(page, "Iedzīvotāju aptvērums")
    assert "20,0 %" in row and "23,0 %" in row
    assert "+3,0 p. p." in row and "15," not in row  # never the percent of a percent
    assert "salīdzinot 1 bibliotēku, kas ziņoja abos gados" in row
    # A measure that is not a percentage keeps its relative change: loans per user 2 → 2 is no change.
    assert "0,0 % (bez izmaiņām)" in series_row(page, "Izsniegumi uz vienu lietotāju")

    english = client_for(methodologist)
    english.cookies["parskats_language"] = "en"
    row = series_row(text(english.get("/n/testa/figures/?year=2021")), "Population coverage")
    assert "+3.0 pp" in row and "15." not in row
    library = text(client_for(methodologist).get("/n/testa/figures/library/seda/?year=2021"))
    assert "+3,0 p. p." in series_row(library, "Iedzīvotāju aptvērums")


def test_an_area_with_many_libraries_shows_them_a_page_at_a_time(figures, methodologist, monkeypatch):
    from parskats.stats import pages

    monkeypatch.setattr(pages, "AREA_ROWS", 1)
    client = client_for(methodologist)
    first = text(client.get("/n/testa/figures/area/valka/?year=2020"))
    assert "Bibliotēkas 1.–1. no 2" in first and "lapa=2#sections" in first
    second = text(client.get("/n/testa/figures/area/valka/?year=2020&lapa=2"))
    assert "Bibliotēkas 2.–2. no 2" in second
    # Each page lists its own library; the totals count both on every page.
    assert ("Ērģemes" in first) != ("Ērģemes" in second)
    assert format_number(800) in first and format_number(800) in second
    assert client.get("/n/testa/figures/area/valka/?year=2020&lapa=nav").status_code == 200
