"""The checks' findings as the review sees them: open errors and warnings with their explanations.

The checks engine is `reporting.checks.run_checks(report)`, the same one the report form runs; this
module is the one place the review, the board and bulk approval read it through, so they cannot disagree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from parskats.catalogue.models import CheckRule
from parskats.reporting.models import Activity, Explanation, Report, ReportingPeriod, Value

CACHE_SECONDS = 3600


@dataclass
class Finding:
    code: str
    severity: str  # "error" | "warning"
    message: str
    fields: list[str] = field(default_factory=list)
    explanation: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def unexplained(self) -> bool:
        return self.severity == "warning" and not self.explanation.strip()


def findings_for(report: Report) -> list[Finding]:
    """Every failed check of the report with its explanation, if the library wrote one."""
    from parskats.reporting.checks import run_checks

    return [
        Finding(
            code=result.code,
            severity=result.severity,
            message=result.message,
            fields=[result.field] if result.field else [],
            explanation=_explanation_text(result.explanation),
        )
        for result in run_checks(report)
    ]


def _explanation_text(explanation: Explanation | None) -> str:
    if explanation is None:
        return ""
    return f"{explanation.get_category_display()}: {explanation.text}".strip()


def open_findings(report: Report) -> tuple[int, int]:
    """(open errors, unexplained warnings)."""
    findings = findings_for(report)
    return sum(f.is_error for f in findings), sum(f.unexplained for f in findings)


def _period_stamp(period: ReportingPeriod) -> str:
    """Changes whenever anything run_checks reads for this period's reports may have changed: the
    values of the year and of the year before (peer medians, year-over-year), the reports' versions
    and statuses, explanations, activities and the survey's rules."""
    same_form = {"period__network_id": period.network_id, "period__survey_id": period.survey_id}
    parts = [
        Value.objects.filter(
            **{f"report__{k}": v for k, v in same_form.items()}, report__period__year__in=[period.year, period.year - 1]
        ).aggregate(n=Count("id"), last=Max("updated_at")),
        Report.objects.filter(period=period).aggregate(n=Count("id"), v=Sum("version"), last=Max("updated_at")),
        Explanation.objects.filter(report__period=period).aggregate(n=Count("id"), last=Max("updated_at")),
        Activity.objects.filter(report__period=period).aggregate(n=Count("id"), last=Max("id")),
        CheckRule.objects.filter(survey_id=period.survey_id).aggregate(n=Count("id"), last=Max("id")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def open_findings_by_report(period: ReportingPeriod, reports: list[Report]) -> dict[int, tuple[int, int]]:
    """(open errors, unexplained warnings) of many reports of one period, for the board. Cached
    under a stamp of the period's data, so a change anywhere recomputes; approval always runs the
    checks afresh (open_findings)."""
    stamp = _period_stamp(period)
    keys = {report.pk: f"review-findings:{report.pk}:{stamp}" for report in reports}
    cached = cache.get_many(list(keys.values()))
    out: dict[int, tuple[int, int]] = {}
    fresh = {}
    for report in reports:
        hit = cached.get(keys[report.pk])
        if hit is None:
            hit = open_findings(report)
            fresh[keys[report.pk]] = hit
        out[report.pk] = tuple(hit)
    if fresh:
        cache.set_many(fresh, CACHE_SECONDS)
    return out
