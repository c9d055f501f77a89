"""Light read-only copies of a report's values for pages and checks (no model instances to build)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import Report, Value


@dataclass(frozen=True)
class Figure:
    code: str  # Value.Code: a number, "not applicable" or "unknown"
    number: Decimal | None
    version: int = 0

    @property
    def numeric(self) -> Decimal | None:
        return self.number if self.code == Value.Code.NUMBER else None


def figures(**filters: object) -> dict[str, Figure]:
    """Values matching the filters, by indicator code."""
    rows = Value.objects.filter(**filters).values_list("indicator__code", "code", "number", "version")
    return {code: Figure(kind, number, version) for code, kind, number, version in rows}


def previous_figures(report: Report) -> dict[str, Figure]:
    """Last year's values of the same library in the same network and survey."""
    period = report.period
    return figures(
        report__unit_id=report.unit_id,
        report__period__network_id=period.network_id,
        report__period__survey_id=period.survey_id,
        report__period__year=period.year - 1,
    )
