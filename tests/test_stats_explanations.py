"""Explanations as data: the methodologist lists every explanation of a year or of all years,
filters them by check, category, county (on the year's own map), indicator and text, downloads them
as CSV or XLSX, and sees on the dashboard how many explanations lie behind a headline figure."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from parskats.reporting.models import Explanation

from .conftest import client_for
from .factories import report_with

URL = "/n/testa/figures/explanations/"


@pytest.fixture
def explained(world):
    seda_2021 = report_with(world.library_a, world.periods[2021], loans=900)
    seda_2020 = report_with(world.library_a, world.periods[2020], users=300)
    ergeme = report_with(world.library_b, world.periods[2021], visits=5000)
    Explanation.objects.create(
        report=seda_2021, check_code="year-over-year", indicator_code="loans", category="pandemic",
        text="Bibliotēka bija slēgta trīs mēnešus.",
    )  # fmt: skip
    Explanation.objects.create(
        report=seda_2020, check_code="year-over-year", indicator_code="users", category="counting",
        text="Jauna lietotāju uzskaite.",
    )  # fmt: skip
    Explanation.objects.create(
        report=ergeme, check_code="peer-group", indicator_code="visits", category="renovation",
        text="Pēc REMONTA atvērām jaunu lasītavu.",
    )  # fmt: skip
    return world


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    return [text for text in ("slēgta trīs", "lietotāju uzskaite", "REMONTA") if text in page]


def test_the_methodologist_filters_the_explanations(explained, methodologist):
    client = client_for(methodologist)
    assert listed(client) == ["slēgta trīs", "lietotāju uzskaite", "REMONTA"]
    assert listed(client, "year=2021") == ["slēgta trīs", "REMONTA"]
    assert listed(client, "check=year-over-year") == ["slēgta trīs", "lietotāju uzskaite"]
    assert listed(client, "category=renovation") == ["REMONTA"]
    assert listed(client, "text=remonta") == ["REMONTA"]  # any case
    assert listed(client, "indicator=loans") == ["slēgta trīs"]
    # Seda was in Strenči county in 2020 and in Valmiera from 2021: each year on its own map.
    assert listed(client, "county=valmiera") == ["slēgta trīs"]
    assert listed(client, "county=strenci") == ["lietotāju uzskaite"]
    assert listed(client, "county=valka&year=2020") == []
    # Whatever is typed, an answer: unknown values filter nothing out or match nothing.
    assert listed(client, "year=abc&category=nonsense") == ["slēgta trīs", "lietotāju uzskaite", "REMONTA"]
    assert listed(client, "check=%3Cscript%3E") == []


def test_the_explanations_download_as_csv_and_xlsx(explained, methodologist):
    client = client_for(methodologist)
    response = client.get("/n/testa/figures/explanations.csv?year=2021&check=peer-group")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["library_code"], r["county"], r["indicator"], r["check"], r["text"]) for r in rows] == [
        ("ergeme", "Valkas novads", "visits", "peer-group", "Pēc REMONTA atvērām jaunu lasītavu.")
    ]
    response = client.get("/n/testa/figures/explanations.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 4 and sheet["I2"].value == "Bibliotēka bija slēgta trīs mēnešus."
    assert client.get("/n/testa/figures/explanations.pdf").status_code == 404


def test_only_the_methodologist_reads_them(explained, viewer, reporter_a, other_methodologist):
    for person in (viewer, reporter_a):
        assert client_for(person).get(URL).status_code == 403
        assert client_for(person).get("/n/testa/figures/explanations.csv").status_code == 403
    assert client_for(other_methodologist).get(URL).status_code == 404
    assert client_for(None).get(URL).status_code == 302


def test_the_dashboard_shows_the_explanations_behind_a_figure(explained, methodologist, viewer):
    page = client_for(methodologist).get("/n/testa/figures/?year=2021").content.decode()
    assert "1 paskaidrojums brīdinājumam" in page
    assert f"{URL}?year=2021&amp;indicator=loans" in page and f"{URL}?year=2021&amp;indicator=visits" in page
    assert "indicator=users" not in page  # its explanation is of 2020
    assert "paskaidrojum" not in client_for(viewer).get("/n/testa/figures/?year=2021").content.decode()
