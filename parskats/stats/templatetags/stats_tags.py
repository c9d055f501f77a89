"""Figures with their honesty marks: coverage when incomplete, estimates, values not yet approved."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel.numbers import get_decimal_symbol, get_group_symbol
from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parskats.core.changes import Marker, describe
from parskats.core.numbers import MINUS, babel_locale
from parskats.stats.aggregate import Cell
from parskats.stats.compare import Change
from parskats.stats.marks import cell_marks, legend, marks
from parskats.stats.tally import RUN_ESTIMATE, LibraryValue

register = template.Library()


@lru_cache(maxsize=8)
def _symbols(language: str) -> tuple[str, str, str]:
    return get_decimal_symbol(language), get_group_symbol(language), MINUS


def fast_number(value: Decimal | int | float, decimals: int, symbols: tuple[str, str, str] | None = None) -> str:
    """format_number's output (12 345,6) for a fixed number of decimals, with the locale's symbols
    looked up once: a dashboard formats hundreds of figures per request."""
    decimal, group, minus = symbols or _symbols(babel_locale())
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    text = f"{abs(rounded):,.{decimals}f}".replace(",", "\x00").replace(".", decimal).replace("\x00", group)
    return (minus if rounded < 0 else "") + text


def _mark(mark: Marker) -> str:
    return format_html(
        '<span class="mark" aria-hidden="true">{}</span><span class="visually-hidden"> {}</span>', mark, mark.meaning
    )


@lru_cache(maxsize=16)
def _pieces(language: str | None) -> dict[str, str]:
    """The fixed parts of a cell, translated once per language: a state page has ten thousand cells."""
    return {
        "none": format_html('<span class="muted" title="{}">—</span>', _("no total")),
        **{mark.value: _mark(mark) for mark in Marker},
        "of": _("%(n)s of %(total)s"),
    }


def _marks(found: list[Marker], pieces: dict[str, str] | None = None) -> str:
    """The marks chosen by stats.marks (one choice and order for pages and documents) as HTML."""
    pieces = pieces or _pieces(get_language())
    return "".join(pieces[mark.value] for mark in found)


@register.simple_tag
def legend_entries(with_imputed: bool, approved_only: bool) -> list[tuple[Marker, str]]:
    """The page legend's marks: `*` always, `≈` with imputed values, `†` when unapproved values count."""
    return legend(marks(True, not approved_only, with_imputed))


@register.simple_tag
def cell(value: Cell, decimals: int = 0, percent: bool = False) -> SafeString:
    """12 345 · "12 no 15" when not every library reported · the marks of core.changes.Marker."""
    language = get_language()
    return mark_safe(_cell(value, decimals, percent, _pieces(language), _symbols(babel_locale(language))))  # noqa: S308


def _cell(value: Cell, decimals: int, percent: bool, pieces: dict[str, str], symbols: tuple[str, str, str]) -> str:
    if value.value is None:
        text = pieces["none"]
    else:
        text = escape(fast_number(value.value, decimals, symbols) + ("\u00a0%" if percent else ""))
    coverage = ""
    if value.expected and value.reported < value.expected:
        counted = escape(pieces["of"] % {"n": value.reported, "total": value.expected})
        coverage = f'<span class="coverage">{counted}</span>'
    # Every variable part above is escaped; the fixed parts come from format_html.
    return text + _marks(cell_marks(value), pieces) + coverage


@register.simple_tag
def cells(found: list[tuple[Cell, int, bool]]) -> SafeString:
    """A row's cells, each as `<td class="num">{% cell %}</td>`, in one tag: a national dashboard has
    thousands of cells, and the template's loop and tag per cell cost more than the cells."""
    language = get_language()
    pieces, symbols = _pieces(language), _symbols(babel_locale(language))
    return mark_safe(  # noqa: S308 - _cell escapes every variable part
        "".join(
            f'<td class="num">{_cell(value, decimals, percent, pieces, symbols)}</td>'
            for value, decimals, percent in found
        )
    )


@register.simple_tag(takes_context=True)
def row_url(context: template.Context, name: str, network: str, key: str) -> str:
    """`{% url name network key %}`, worked out once per page for each row: a dashboard names the
    same rows in each of its tables (some 35 tables of 55 states nationally)."""
    found: dict[tuple[str, str, str], str] | None = getattr(context, "_parskats_row_urls", None)
    if found is None:
        found = {}
        context._parskats_row_urls = found  # type: ignore[attr-defined]
    url = found.get((name, network, key))
    if url is None:
        url = found[(name, network, key)] = reverse(name, args=[network, key])
    return url


@register.simple_tag
def count_in(counts: dict[str, int], key: str) -> int:
    """How many the mapping has for the key (0 when none): {% count_in explained h.code as n %}."""
    return counts.get(key, 0)


@register.simple_tag
def library_value(value: LibraryValue | None, decimals: int = 0) -> SafeString:
    if value is None:
        return format_html('<span class="muted">{}</span>', _("not reported"))
    if value.code == "na":
        return format_html('<span class="muted">{}</span>', _("not applicable"))
    if value.code == "unknown" or value.number is None:
        return format_html('<span class="muted">{}</span>', _("unknown"))
    found = marks(value.flag in ("estimated", "imputed"), not value.approved, value.flag == RUN_ESTIMATE)
    return mark_safe(escape(fast_number(value.number, decimals)) + _marks(found))  # noqa: S308 - escaped, and fixed marks


@register.simple_tag
def change_text(value: Change | None, decimals: int = 0, percent: bool = False, versus: bool = False) -> SafeString:
    """ "+8,4 %" (a percentage: "+2,3 p. p.") with its direction in words for screen readers and as a
    class for the colour, and who it compares: "comparing 22 libraries that reported in both years".
    With `versus`, the year compared with ("vs 2021") follows the figure."""
    if value is None:
        return mark_safe('<span class="muted">—</span>')
    written = describe(value.absolute, value.ratio, value.previous_year, value.libraries, points=percent, decimals=1)
    coverage = format_html('<span class="coverage">{}</span>', written.coverage)
    if not written.text:
        return coverage
    shown = _marks(marks(value.estimated, value.pending))
    year = format_html(" {}", written.versus) if versus else ""
    return format_html(
        '<span class="change {}">{}{}<span class="visually-hidden"> ({})</span>{}</span>{}',
        written.css,
        written.text,
        mark_safe(shown),  # noqa: S308 - fixed marks from format_html
        written.word,
        year,
        coverage,
    )


@register.simple_tag
def change_totals(value: Change | None, decimals: int = 0) -> str:
    """The totals of everyone who reported each year, beside the like-for-like change."""
    if value is None or value.everyone:
        return ""
    current, previous = value.current_total, value.previous_total

    def total(cell: Cell) -> str:
        figure = fast_number(cell.value, decimals) if cell.value is not None else "—"
        if cell.imputed:  # "who reported" counts the libraries' own numbers; the estimates are said apart
            return _("%(value)s (%(n)s of %(total)s, with %(imputed)s imputed)") % {
                "value": figure,
                "n": cell.reported - cell.imputed,
                "total": cell.expected,
                "imputed": cell.imputed,
            }
        return _("%(value)s (%(n)s of %(total)s)") % {"value": figure, "n": cell.reported, "total": cell.expected}

    return _("All who reported: %(previous)s in %(previous_year)s, %(current)s this year.") % {
        "previous": total(previous),
        "previous_year": value.previous_year,
        "current": total(current),
    }
