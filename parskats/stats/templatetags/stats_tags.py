"""Figures with their honesty marks: coverage when incomplete, estimates, values not yet approved."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol
from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parskats.core.numbers import babel_locale, format_percentage
from parskats.stats.aggregate import Cell
from parskats.stats.compare import Change
from parskats.stats.tally import LibraryValue

register = template.Library()


@lru_cache(maxsize=8)
def _symbols(language: str) -> tuple[str, str, str]:
    return get_decimal_symbol(language), get_group_symbol(language), get_minus_sign_symbol(language)


def fast_number(value: Decimal | int | float, decimals: int) -> str:
    """format_number's output (12 345,6) for a fixed number of decimals, with the locale's symbols
    looked up once: a dashboard formats hundreds of figures per request."""
    decimal, group, minus = _symbols(babel_locale())
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    text = f"{abs(rounded):,.{decimals}f}".replace(",", "\x00").replace(".", decimal).replace("\x00", group)
    return (minus if rounded < 0 else "") + text


@lru_cache(maxsize=16)
def _pieces(language: str | None) -> dict[str, str]:
    """The fixed parts of a cell, translated once per language: a state page has ten thousand cells."""
    return {
        "none": format_html('<span class="muted" title="{}">—</span>', _("no total")),
        "estimated": format_html(
            '<span class="mark" aria-hidden="true">*</span><span class="visually-hidden"> {}</span>',
            _("includes estimates"),
        ),
        "pending": format_html(
            '<span class="mark" aria-hidden="true">†</span><span class="visually-hidden"> {}</span>',
            _("includes values not yet approved"),
        ),
        "of": _("%(n)s of %(total)s"),
    }


def _marks(estimated: bool, pending: bool) -> str:
    pieces = _pieces(get_language())
    return (pieces["estimated"] if estimated else "") + (pieces["pending"] if pending else "")


@register.simple_tag
def cell(value: Cell, decimals: int = 0, percent: bool = False) -> SafeString:
    """12 345 · "12 no 15" when not every library reported · * estimates · † not yet approved."""
    pieces = _pieces(get_language())
    if value.value is None:
        text = pieces["none"]
    else:
        text = escape(fast_number(value.value, decimals) + ("\u00a0%" if percent else ""))
    coverage = ""
    if value.expected and value.reported < value.expected:
        counted = escape(pieces["of"] % {"n": value.reported, "total": value.expected})
        coverage = f'<span class="coverage">{counted}</span>'
    # Every variable part above is escaped; the fixed parts come from format_html.
    return mark_safe(text + _marks(value.estimated > 0, value.pending > 0) + coverage)  # noqa: S308


@register.simple_tag
def library_value(value: LibraryValue | None, decimals: int = 0) -> SafeString:
    if value is None:
        return format_html('<span class="muted">{}</span>', _("not reported"))
    if value.code == "na":
        return format_html('<span class="muted">{}</span>', _("not applicable"))
    if value.code == "unknown" or value.number is None:
        return format_html('<span class="muted">{}</span>', _("unknown"))
    marks = _marks(value.flag in ("estimated", "imputed"), not value.approved)
    return mark_safe(escape(fast_number(value.number, decimals)) + marks)  # noqa: S308 - escaped, and fixed marks


@register.simple_tag
def change_text(value: Change | None, decimals: int = 0, percent: bool = False) -> SafeString:
    """+1 234 (+5,2 %), with a note when the two years rest on different reporting libraries. A change
    of a percentage is in percentage points (+2,3 p.p.): a percent of a percent would mislead."""
    if value is None or value.absolute is None:
        return mark_safe('<span class="muted">—</span>')
    absolute = value.absolute
    sign = "+" if absolute > 0 else "−" if absolute < 0 else "±"
    text = format_html("{}", sign + fast_number(abs(absolute), decimals))
    if percent:
        text = format_html('{}\u00a0<abbr title="{}">{}</abbr>', text, _("percentage points"), _("pp"))
    elif value.ratio is not None:
        ratio = value.ratio
        text = format_html(
            "{} ({}{})", text, "+" if ratio > 0 else "−" if ratio < 0 else "±", format_percentage(abs(Decimal(ratio)))
        )
    if not value.comparable:
        return format_html('{}<span class="coverage">{}</span>', text, _("not all libraries reported in both years"))
    return text
