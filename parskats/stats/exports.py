"""Every page table as CSV and XLSX, from the same PageTable the page shows: one line per group and
indicator, with the coverage and flags beside the value, rounded as on the page, and the change on
the previous year like for like (over the libraries that gave the figure in both years) beside the
previous year's total of everyone who reported."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_EVEN, Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .aggregate import Cell
from .compare import Change, year_change
from .models import ImputedValue
from .pages import Figures, PageTable
from .tally import RUN_ESTIMATE

FIELDS = [
    "year",
    "boundaries",
    "group_code",
    "group",
    "indicator",
    "indicator_name",
    "unit",
    "value",
    "reported",
    "expected",
    "unknown",
    "not_applicable",
    "includes_estimates",
    "pending_approval",
    "previous_year",
    "previous_value",
    "compared_libraries",
    "compared_value",
    "compared_previous_value",
    "change",
    "change_percent",
    "imputed_values",  # how many of the value's numbers are imputed (0 unless "with imputed values")
    "imputation_methods",  # the methods of those estimates, e.g. "peer_median_change" (empty when none)
]


def rounded(value: Decimal | None, decimals: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def find_table(figures: Figures, key: str) -> PageTable | None:
    if key == "performance":
        return figures.performance
    return next((t for t in figures.sections if t.key == key), None)


def records(figures: Figures, table: PageTable) -> list[list[object]]:
    out: list[list[object]] = []
    rows = [*table.rows, *([table.total] if table.total else [])]
    years = figures.series_years
    previous = figures.tables[years[-2]] if len(years) > 1 else None
    methods = _methods(figures)
    for row in rows:
        for column, (cell, decimals, _percent) in zip(table.columns, row.cells, strict=True):
            record = _record(figures, row.key, row.label, column.code, column.name, column.unit, cell, decimals)
            found = year_change(figures.table, previous, column.code, row.key) if previous is not None else None
            used = _used(figures, methods, row.key, column.code) if cell.imputed else ""
            out.append([*record, *_change(found, decimals), cell.imputed, used])
    return out


def _methods(figures: Figures) -> dict[tuple[int, str], str]:
    """(library id, indicator code) → method of the run's estimate, read once, only "with imputed values"."""
    table = figures.table
    if not table.imputed:
        return {}
    found = ImputedValue.objects.filter(run__period_id=table.period_id, run__undone_at__isnull=True)
    return {(unit, code): method for unit, code, method in found.values_list("unit_id", "indicator__code", "method")}


def _used(figures: Figures, methods: dict[tuple[int, str], str], key: str, code: str) -> str:
    """The methods of the estimates a row's cell counts: those of its libraries whose value is one."""
    table = figures.table
    row = table.total if key == "total" else table.row(key)
    if row is None:
        return ""
    names = {
        methods[(pk, code)]
        for pk in row.library_ids
        if (pk, code) in methods and getattr(table.library(pk).get(code), "flag", None) == RUN_ESTIMATE
    }
    return " ".join(sorted(names))


def _change(found: Change | None, decimals: int) -> list[object]:
    """The previous year's total, and the like-for-like change with the libraries it compares. A
    percentage's change is in percentage points (`change`), with no percent of a percent."""
    if found is None:
        return [None] * 7
    ratio = found.ratio
    return [
        found.previous_year,
        rounded(found.previous_total.value, decimals),
        found.libraries,
        rounded(found.current, decimals),
        rounded(found.previous, decimals),
        rounded(found.absolute, decimals),
        None if ratio is None else rounded(ratio * 100, 1),
    ]


def _record(
    figures: Figures, key: str, label: str, code: str, name: str, unit: str, cell: Cell, decimals: int
) -> list[object]:
    return [
        figures.query.year,
        figures.table.boundaries.isoformat(),
        key,
        label,
        code,
        name,
        unit,
        rounded(cell.value, decimals),
        cell.reported,
        cell.expected,
        cell.unknown,
        cell.not_applicable,
        cell.includes_estimates,
        cell.pending,
    ]


def to_csv(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow(
            ["" if value is None else str(value).lower() if isinstance(value, bool) else value for value in row]
        )
    return buffer.getvalue()


def to_xlsx(rows: list[list[object]], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31] or "data"
    headings = [
        _("Year"),
        _("Boundaries"),
        _("Group code"),
        _("Group"),
        _("Indicator code"),
        _("Indicator"),
        _("Unit"),
        _("Value"),
        _("Libraries reported"),
        _("Libraries expected"),
        _("Unknown"),
        _("Not applicable"),
        _("Includes estimates"),
        _("Not yet approved"),
        _("Previous year"),
        _("Previous year's value (everyone who reported)"),
        _("Libraries compared (reported in both years)"),
        _("Value of the libraries compared"),
        _("Previous year's value of the libraries compared"),
        _("Change, like for like"),
        _("Change, like for like, %"),
        _("Imputed values"),
    ]
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([float(value) if isinstance(value, Decimal) else value for value in row])
    sheet.freeze_panes = "A2"
    widths = [6, 11, 16, 30, 18, 40, 10, 14, 10, 10, 9, 9, 9, 9, 8, 14, 10, 14, 14, 12, 10, 9]
    for letter, width in zip("ABCDEFGHIJKLMNOPQRSTUV", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
