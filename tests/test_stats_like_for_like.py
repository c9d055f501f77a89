"""A change compares like with like: the libraries that gave the figure in both years, on one map,
said in words, with the totals of everyone who reported beside it. Checked against a hand
computation where libraries join, leave and miss years across the 2021 county reform, and through
the dashboard, the exports and the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from parskats.network.models import OrgUnit
from parskats.reporting.models import Report, ReportingPeriod
from parskats.stats.aggregate import Scope, aggregate_years
from parskats.stats.compare import year_change

from .conftest import client_for
from .factories import link, report_with, unit


def approved(report: Report) -> Report:
    report.status = Report.Status.APPROVED
    report.save()
    return report


@pytest.fixture
def history(world):
    """Users per library, approved reports ("—": no report, "?": unknown):

    library                      2019   2020   2021   2022
    A Seda (Strenči → Valmiera)  1000   1100   1300   1200
    B Ērģeme (Valka)              200      ?    250    260
    S Valka school                 50     60      —     70
    D Lugaži (Valka, until 2020)  300    310
    C Jaunā (Valka, from 2021)                  400    420
    """
    for year in (2019, 2022):
        world.periods[year] = ReportingPeriod.objects.create(
            network=world.network,
            survey=world.survey,
            year=year,
            opens_on=dt.date(year + 1, 1, 2),
            deadline=dt.date(year + 1, 2, 15),
        )
    leaving = unit(world.network, "lugazi", OrgUnit.Level.LIBRARY, "Lugažu bibliotēka", OrgUnit.LibraryType.PUBLIC)
    link(leaving, world.valka, dt.date(2015, 1, 1), dt.date(2020, 12, 31))
    joining = unit(world.network, "jauna", OrgUnit.Level.LIBRARY, "Jaunā bibliotēka", OrgUnit.LibraryType.PUBLIC)
    link(joining, world.valka, dt.date(2021, 3, 1))
    users = {
        world.library_a: {2019: 1000, 2020: 1100, 2021: 1300, 2022: 1200},
        world.library_b: {2019: 200, 2020: "unknown", 2021: 250, 2022: 260},
        world.school: {2019: 50, 2020: 60, 2022: 70},
        leaving: {2019: 300, 2020: 310},
        joining: {2021: 400, 2022: 420},
    }
    for library, years in users.items():
        for year, number in years.items():
            approved(report_with(library, world.periods[year], users=number))
    return world


YEARS = [2019, 2020, 2021, 2022]


def test_the_change_equals_the_hand_computation(history):
    tables = aggregate_years(history.network, history.survey, YEARS, Scope(group_by="county"))
    # 2021 on 2020: only A gave users in both years (B said "unknown" in 2020, the school did not
    # report in 2021, D had left, C had not joined): 1100 → 1300.
    found = year_change(tables[2021], tables[2020], "users")
    assert (found.libraries, found.previous, found.current, found.absolute) == (1, 1100, 1300, 200)
    assert found.ratio == Decimal(200) / Decimal(1100)
    # Beside it, everyone who reported: 1100 + 60 + 310 = 1470 against 1300 + 250 + 400 = 1950.
    assert (found.previous_total.value, found.current_total.value) == (1470, 1950)
    # 2022 on 2021: A, B and C: 1950 → 1880 (−3,6 %), where the totals say 1950 → 1950 (no change).
    found = year_change(tables[2022], tables[2021], "users")
    assert (found.libraries, found.previous, found.current) == (3, 1950, 1880)
    assert (found.previous_total.value, found.current_total.value) == (1950, 1950)
    # 2022 on 2019: A, B and the school: 1250 → 1530.
    found = year_change(tables[2022], tables[2019], "users")
    assert (found.libraries, found.previous, found.current) == (3, 1250, 1530)
    assert not found.everyone and not found.estimated and not found.pending


def test_across_the_reform_a_county_compares_its_own_libraries_on_one_map(history):
    # Each year on its own map: in 2020 Seda was in Strenči county, in 2021 in Valmiera. The change
    # of Valmiera's row follows Seda to the 2021 map rather than finding no Valmiera in 2020.
    own = aggregate_years(history.network, history.survey, [2020, 2021], Scope(group_by="county"))
    assert own[2020].row("valmiera") is None
    moved = year_change(own[2021], own[2020], "users", "valmiera")
    assert (moved.libraries, moved.previous, moved.current) == (1, 1100, 1300)
    # Valka county in 2021 on 2020: B unknown in 2020, school missing in 2021, C new: no library to compare.
    valka = year_change(own[2021], own[2020], "users", "valka")
    assert valka.libraries == 0 and valka.absolute is None and valka.ratio is None
    # Re-mapped to today's boundaries, the same comparison.
    today = aggregate_years(
        history.network, history.survey, [2020, 2021], Scope(group_by="county", boundaries=dt.date(2025, 1, 1))
    )
    again = year_change(today[2021], today[2020], "users", "valmiera")
    assert (again.libraries, again.previous, again.current) == (1, 1100, 1300)
    assert today[2020].row("valmiera").cell("users").value == 1100


def test_a_value_not_yet_approved_is_marked_in_the_change(history):
    pending = report_with(history.school, history.periods[2021], users=65)
    pending.status = Report.Status.SUBMITTED
    pending.save()
    tables = aggregate_years(history.network, history.survey, [2020, 2021], Scope(approved_only=False))
    found = year_change(tables[2021], tables[2020], "users")
    assert (found.libraries, found.previous, found.current, found.pending) == (2, 1160, 1365, True)
    approved_only = aggregate_years(history.network, history.survey, [2020, 2021])
    assert year_change(approved_only[2021], approved_only[2020], "users").libraries == 1


def _headline(page: str, name: str) -> str:
    match = re.search(r'<span class="headline-name">' + re.escape(name) + r"</span>(.*?)</li>", page, re.S)
    assert match, f"no headline {name!r}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).replace("\u00a0", " ").split())


def test_the_dashboard_shows_the_like_for_like_change_and_whom_it_compares(history, methodologist):
    page = client_for(methodologist).get("/n/testa/figures/?year=2022").content.decode()
    users = _headline(page, "Lietotāju (aktīvo lasītāju) skaits")
    assert "−3,6 %" in users and "(samazinājums)" in users and "pret 2021" in users
    assert "salīdzinot 3 bibliotēkas, kas ziņoja abos gados" in users
    # The total of everyone who reported stays visible beside it: 1 950 both years (the school missed 2021).
    assert "Visi, kas ziņoja: 2021. gadā 1 950 (3 no 4), šajā gadā 1 950 (4 no 4)." in users
    assert 'class="change change-down"' in page
    # The year-over-year table: since 2019 over A, B and the school, +22,4 %.
    row = re.search(r"<th scope=\"row\">Lietotāju \(aktīvo lasītāju\) skaits</th>(.*?)</tr>", page, re.S)
    assert row is not None
    assert "+22,4 %" in row.group(1).replace("\u00a0", " ")

    english = client_for(methodologist)
    english.cookies["parskats_language"] = "en"
    page = english.get("/n/testa/figures/?year=2021").content.decode()
    assert "comparing 1 library that reported in both years" in page
    assert "+18.2 %" in page.replace("\u00a0", " ")


def test_the_public_and_county_pages_show_it_too(history):
    public = client_for(None).get("/skaitli/testa/?year=2022").content.decode()
    assert "salīdzinot 3 bibliotēkas, kas ziņoja abos gados" in public
    county = client_for(None).get("/skaitli/testa/teritorija/valka/?year=2022").content.decode()
    # Valka county 2022 on 2021: B and C (250 + 400 → 260 + 420), the school missed 2021.
    assert "salīdzinot 2 bibliotēkas, kas ziņoja abos gados" in county
    assert "+4,6 %" in county.replace("\u00a0", " ")


def test_the_export_carries_the_change_beside_the_totals(history, methodologist):
    client = client_for(methodologist)
    response = client.get("/n/testa/figures/export/users.csv?year=2022")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    total = next(r for r in rows if r["group_code"] == "total" and r["indicator"] == "users")
    assert total["previous_year"] == "2021" and total["previous_value"] == "1950"
    assert (total["compared_libraries"], total["compared_value"], total["compared_previous_value"]) == (
        "3",
        "1880",
        "1950",
    )
    assert (total["change"], total["change_percent"]) == ("-70", "-3.6")
    sheet = load_workbook(io.BytesIO(client.get("/n/testa/figures/export/users.xlsx?year=2022").content)).active
    headings = [cell.value for cell in sheet[1]]
    assert "Salīdzinātās bibliotēkas (ziņoja abos gados)" in headings
    line = next(
        [cell.value for cell in row]
        for row in sheet.iter_rows(min_row=2)
        if row[2].value == "total" and row[4].value == "users"
    )
    assert line[headings.index("Izmaiņas tām pašām bibliotēkām, %")] == pytest.approx(-3.6)


def test_the_api_gives_the_change_with_its_coverage(history):
    client = client_for(None)
    body = client.get("/api/networks/testa/aggregates/?year=2021&indicator=users").json()
    assert body["previous_year"] == 2020
    rows = {row["key"]: row for row in body["results"]}
    total = rows["total"]["changes"]["users"]
    assert total["libraries_compared"] == 1 and total["absolute"] == 200 and total["percent"] == 18.18
    assert (total["total_previous"], total["total_current"]) == (1470, 1950)
    assert rows["valmiera"]["changes"]["users"]["libraries_compared"] == 1
    assert rows["valka"]["changes"]["users"]["libraries_compared"] == 0
    assert rows["valka"]["changes"]["users"]["percent"] is None
    first = client.get("/api/networks/testa/aggregates/?year=2019").json()
    assert first["previous_year"] is None and "changes" not in first["results"][0]
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "libraries_compared" in schema["Change"]["required"]
    assert schema["AggregateRow"]["properties"]["changes"]["additionalProperties"]["$ref"].endswith("/Change")
