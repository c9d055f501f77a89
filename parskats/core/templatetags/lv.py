"""Template filters for locale-aware numbers and report values."""

from __future__ import annotations

from decimal import Decimal

from django import template

from parskats.core.numbers import format_number, format_percentage

register = template.Library()


@register.filter
def num(value: Decimal | int | float | None, decimals: int | None = None) -> str:
    """{{ value|num }} → 12 345,6 in Latvian."""
    return format_number(value, decimals)


@register.filter
def pct(value: Decimal | float | None, decimals: int = 1) -> str:
    return format_percentage(value, decimals)
