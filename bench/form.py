"""The report form: the full form page of a draft report and one autosave request (htmx POST of a
field, which parses, checks the version, writes value and audit record, re-runs the checks)."""

from __future__ import annotations

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def form_results(runs: int) -> list[tuple[str, list[float], int]]:
    from parskats.accounts.models import User
    from parskats.reporting.checks import form_indicators
    from parskats.reporting.models import Report, Value

    report = Report.objects.select_related("unit", "period").get(unit__code="vijciems", period__year=2022)
    client = Client()
    client.force_login(User.objects.get(email="vijciems@example.org"))
    fields = len(form_indicators(report))
    page = f"/n/valka/reports/{report.pk}/"
    save = f"{page}value/visits/"

    def post(number: int) -> object:
        value = Value.objects.filter(report=report, indicator__code="visits").first()
        version = value.version if value else 0
        start = time.perf_counter()
        response = client.post(
            save, {"v-visits": f"{number:,}".replace(",", " "), "version-visits": version}, HTTP_HX_REQUEST="true"
        )
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200 and b"status-saved" in response.content, response.content[:300]
        return elapsed

    for _ in range(5):
        assert client.get(page).status_code == 200
        post(1000)
    page_samples, save_samples = [], []
    for index in range(runs):
        start = time.perf_counter()
        assert client.get(page).status_code == 200
        page_samples.append((time.perf_counter() - start) * 1000)
        save_samples.append(post(2000 + index))
    with CaptureQueriesContext(connection) as page_queries:
        client.get(page)
    value = Value.objects.get(report=report, indicator__code="visits")
    with CaptureQueriesContext(connection) as save_queries:
        client.post(save, {"v-visits": "5", "version-visits": value.version}, HTTP_HX_REQUEST="true")
    return [
        (f"report form page ({fields} fields, Vijciems 2022)", page_samples, len(page_queries)),
        ("autosave of one field (htmx POST)", save_samples, len(save_queries)),
    ]
