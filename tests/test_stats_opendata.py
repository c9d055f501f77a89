"""The year's approved data as a Frictionless Data Package, checked by the frictionless library."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from frictionless import validate

from parskats.reporting.models import Report

from .conftest import client_for
from .factories import report_with


def test_the_data_package_is_valid_and_holds_approved_values_only(world, tmp_path):
    period = world.periods[2021]
    report = report_with(world.library_a, period, loans=1200, visits="unknown", hours_week="12.5")
    report.status = Report.Status.APPROVED
    report.save()
    report_with(world.library_b, period, loans=999)  # a draft: not in the open data

    response = client_for(None).get("/skaitli/testa/atvertie-dati/2021/datapackage.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
    report_ = validate(str(tmp_path / "datapackage.json"))
    assert report_.valid, report_.flatten(["rowNumber", "fieldName", "type", "note"])

    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert [r["name"] for r in descriptor["resources"]] == ["libraries", "indicators", "values", "totals", "changes"]
    values = list(csv.DictReader((tmp_path / "values.csv").open(encoding="utf-8")))
    assert {(v["library_code"], v["indicator_code"], v["value"], v["value_code"]) for v in values} >= {
        ("seda", "loans", "1200", "num"),
        ("seda", "visits", "", "unknown"),
    }
    assert not any(v["library_code"] == "ergeme" and v["indicator_code"] == "loans" for v in values)
    indicators = {row["code"]: row for row in csv.DictReader((tmp_path / "indicators.csv").open(encoding="utf-8"))}
    assert indicators["hours_week"]["unit"] == "hours" and indicators["hours_week"]["aggregation"] == "average"
    totals = {
        (row["group_code"], row["indicator_code"]): row
        for row in csv.DictReader((tmp_path / "totals.csv").open(encoding="utf-8"))
    }
    assert totals[("valmiera", "loans")]["value"] == "1200"
    assert totals[("total", "loans")]["reported"] == "1" and totals[("total", "loans")]["expected"] == "3"


def test_a_year_without_a_period_is_a_404(world):
    assert client_for(None).get("/skaitli/testa/atvertie-dati/1999/datapackage.zip").status_code == 404
