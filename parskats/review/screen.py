"""The review screen's table: every field of the report with last year's value and the change, the
peer group's median, the checks' findings with their explanations, and the review comments."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from parskats.catalogue.models import Indicator
from parskats.reporting.models import Report, Value

from .findings import Finding, findings_for
from .models import ReviewComment

# Reports whose values count as peers: sent for review at least once.
PEER_STATUSES = [Report.Status.SUBMITTED, Report.Status.RETURNED, Report.Status.APPROVED]


@dataclass
class Row:
    indicator: Indicator
    value: Value | None
    last_year: Value | None
    change: Decimal | None  # a ratio: 0.25 is +25 %
    peer_median: Decimal | None
    peer_count: int
    findings: list[Finding] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)


def last_year_report(report: Report) -> Report | None:
    return (
        Report.objects.filter(
            unit=report.unit,
            period__network=report.period.network,
            period__survey=report.period.survey,
            period__year=report.period.year - 1,
        )
        .select_related("period")
        .first()
    )


def change_percent(now: Value | None, before: Value | None) -> Decimal | None:
    if now is None or before is None or now.numeric is None or before.numeric is None or before.numeric == 0:
        return None
    return (now.numeric - before.numeric) / before.numeric


def peer_medians(report: Report) -> dict[int, tuple[Decimal, int]]:
    """Median of each indicator over the other reports of the same year and library type."""
    numbers: dict[int, list[Decimal]] = {}
    rows = (
        Value.objects.filter(
            report__period=report.period,
            report__unit__library_type=report.unit.library_type,
            report__status__in=PEER_STATUSES,
            code=Value.Code.NUMBER,
        )
        .exclude(report=report)
        .values_list("indicator_id", "number")
    )
    for indicator_id, number in rows:
        if number is not None:
            numbers.setdefault(indicator_id, []).append(number)
    return {key: (Decimal(statistics.median(values)), len(values)) for key, values in numbers.items()}


def review_rows(report: Report) -> tuple[list[Row], list[Finding], list[ReviewComment]]:
    """(rows per field on the form, findings not tied to one field, general comments)."""
    year, library_type = report.period.year, report.unit.library_type
    indicators = [
        i
        for i in Indicator.objects.filter(survey=report.period.survey).select_related("section").order_by("order")
        if i.on_form(year, library_type)
    ]
    values = {v.indicator_id: v for v in report.values.all()}
    previous = last_year_report(report)
    before = {v.indicator.code: v for v in previous.values.select_related("indicator")} if previous else {}
    medians = peer_medians(report)
    findings = findings_for(report)
    comments = list(report.review_comments.all())
    rows = []
    for indicator in indicators:
        value = values.get(indicator.pk)
        old = before.get(indicator.code)
        median, count = medians.get(indicator.pk, (None, 0))
        rows.append(
            Row(
                indicator=indicator,
                value=value,
                last_year=old,
                change=change_percent(value, old),
                peer_median=median,
                peer_count=count,
                findings=[f for f in findings if indicator.code in f.fields],
                comments=[c for c in comments if c.target == indicator.code],
            )
        )
    on_form = {i.code for i in indicators}
    general_findings = [f for f in findings if not set(f.fields) & on_form]
    return rows, general_findings, [c for c in comments if not c.target]
