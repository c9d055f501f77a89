"""Review scenario: the completeness board of 35 demo libraries (page and XLSX) and the review
screen of one submitted report, as the methodologist."""

from __future__ import annotations

from django.test import Client


def cases(methodologist: Client) -> list[tuple[str, Client, str]]:
    from parskats.reporting.models import Report

    report = (
        Report.objects.filter(period__network__slug="valka", period__year=2022, status=Report.Status.SUBMITTED)
        .order_by("unit__code")
        .first()
    )
    assert report is not None, "the demo has submitted 2022 reports"
    return [
        ("completeness board, 35 libraries, 2022", methodologist, "/n/valka/review/?year=2022"),
        ("completeness board XLSX, 2022", methodologist, "/n/valka/review/board.xlsx?year=2022"),
        (f"review screen ({report.unit.name})", methodologist, f"/n/valka/review/reports/{report.pk}/"),
        ("report history page", methodologist, f"/n/valka/review/reports/{report.pk}/history/"),
    ]
