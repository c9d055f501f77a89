"""The checks' findings as the review sees them: open errors and warnings with their explanations.

The checks engine is issue 3's `reporting.checks.run_checks(report)`; this module is the one place
the review, the board and bulk approval read it through.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parskats.reporting.models import Explanation, Report


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
