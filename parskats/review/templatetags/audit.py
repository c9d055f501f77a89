"""Audit values for people: numbers in Latvian format, status codes as words, codes as their names."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.text import Truncator

from parskats.core.numbers import format_number
from parskats.reporting.models import Report, Value

register = template.Library()


def _number(raw: Any) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | Decimal):
        return format_number(Decimal(str(raw)))
    if isinstance(raw, str):
        try:
            return format_number(Decimal(raw))
        except InvalidOperation:
            return None
    return None


@register.filter
def audit_value(raw: Any, target: str = "") -> str:
    if raw is None or raw == "":
        return "—"
    if target == "status" and isinstance(raw, str):
        return str(dict(Report.Status.choices).get(raw, raw))
    if isinstance(raw, dict):
        if raw.get("number") is not None:
            return _number(raw["number"]) or str(raw["number"])
        if raw.get("code"):
            return str(dict(Value.Code.choices).get(raw["code"], raw["code"]))
        if "text" in raw:
            return Truncator(str(raw["text"])).words(30)
        return ", ".join(f"{k}: {v}" for k, v in raw.items())
    if isinstance(raw, str) and raw in dict(Value.Code.choices) and raw != "num":
        return str(dict(Value.Code.choices)[raw])
    number = _number(raw)
    if number is not None:
        return number
    return Truncator(str(raw)).words(30)


@register.inclusion_tag("review/_report_comments.html")
def review_comments(report: Report) -> dict[str, Any]:
    """The comments that came with the report's latest return, for the report form:
    {% load audit %}{% review_comments report %}"""
    from parskats.review.notifications import sent_with_last_return

    returned = report.status == Report.Status.RETURNED
    return {"report": report, "comments": sent_with_last_return(report) if returned else []}
