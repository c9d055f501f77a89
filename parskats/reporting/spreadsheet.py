"""The report as an XLSX workbook and back.

Export: one sheet per report (its library's code as the sheet name), definitions and last year's
values beside the value column, the structure protected and only the value column open.
Import: the same layout, checked like the form (Latvian numbers, codes for "not applicable" and
"unknown"; formulas, dates, booleans refused), every problem named by sheet, row and column, and
applied entirely or not at all through entry.save_value (channel "spreadsheet").
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from parskats.accounts.access import AnyUser
from parskats.catalogue.models import Indicator
from parskats.core.freetext import is_whole_number
from parskats.network.models import Network

from .access import get_report_for_user
from .checks import form_indicators
from .entry import EntryError, ensure_editable, entry_rules, parse_raw, refuse_at_entry, save_value
from .figures import Figure, previous_figures
from .models import Report, Value

MARKER = "parskats:report:"
FIRST_ROW = 5
CODE_COL, VALUE_COL = 1, 6
MAX_UPLOAD = 5 * 1024 * 1024
MAX_UNZIPPED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_ROWS = 2000
NUMBER_FORMATS: dict[str, str] = {"integer": "#,##0", "decimal": "#,##0.###"}


def cell_value(value: Value | Figure | None) -> object:
    if value is None:
        return None
    if value.code == Value.Code.NOT_APPLICABLE:
        return "neattiecas"
    if value.code == Value.Code.UNKNOWN:
        return "nav zināms"
    return value.number


def sheet_title(code: str) -> str:
    """A library code as a sheet name, which Excel limits to 31 characters without control
    characters or any of \\ / ? * [ ] : (only a label: the import finds the report by cell A2)."""
    return re.sub(r"[\x00-\x1f\x7f\\/?*\[\]:]+", "-", code)[:31] or "-"


def add_report_sheet(workbook: Workbook, report: Report) -> None:
    sheet = workbook.create_sheet(sheet_title(report.unit.code))
    year = report.period.year
    sheet["A1"] = ILLEGAL_CHARACTERS_RE.sub("", f"{report.unit.name} — {year}")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"{MARKER}{report.pk}"
    sheet["A2"].font = Font(color="666666", size=8)
    sheet["A3"] = _(
        "Fill in column F only. A number, or “neattiecas” (not applicable) / “nav zināms” (unknown). "
        "Empty cells change nothing."
    )
    headers = [_("Code"), _("Indicator"), _("Unit"), _("Definition"), str(year - 1), str(year)]
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=FIRST_ROW - 1, column=column, value=text)
        cell.font = Font(bold=True)
    values = {v.indicator_id: v for v in Value.objects.filter(report=report)}
    previous = previous_figures(report)
    open_fill = PatternFill("solid", fgColor="FFF8DC")
    for offset, indicator in enumerate(form_indicators(report)):
        row: int = FIRST_ROW + offset
        name = indicator.name if not indicator.parent_id else f"  {indicator.name}"
        sheet.cell(row=row, column=1, value=indicator.code)
        sheet.cell(row=row, column=2, value=name)
        sheet.cell(row=row, column=3, value=indicator.get_unit_display())
        sheet.cell(row=row, column=4, value=indicator.definition).alignment = Alignment(wrap_text=True)
        sheet.cell(row=row, column=5, value=cell_value(previous.get(indicator.code)))
        cell = sheet.cell(row=row, column=VALUE_COL, value=cell_value(values.get(indicator.pk)))
        cell.protection = Protection(locked=False)
        cell.fill = open_fill
        cell.number_format = NUMBER_FORMATS.get(str(indicator.value_type), "General")
        sheet.cell(row=row, column=5).number_format = cell.number_format
    for letter, width in zip("ABCDEF", (18, 44, 14, 60, 14, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = f"C{FIRST_ROW}"
    sheet.protection.sheet = True  # the structure is fixed; only column F is open


def export_workbook(reports: list[Report]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for report in reports:
        add_report_sheet(workbook, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    reports: list[Report] = field(default_factory=list)
    changed: int = 0


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _check_container(data: bytes) -> None:
    """Refuse what is not an XLSX workbook before openpyxl sees it: other files renamed, ZIP bombs."""
    whole = Problem("", None, "", "")
    if len(data) > MAX_UPLOAD:
        whole.message = _("The file is larger than %(max)s MB.") % {"max": MAX_UPLOAD // 1024 // 1024}
        raise ImportFailed([whole])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
            total = sum(e.file_size for e in entries)
            packed = sum(e.compress_size for e in entries) or 1
            if len(entries) > 500 or total > MAX_UNZIPPED or total / packed > MAX_RATIO:
                whole.message = _("The file unpacks to far more than a report workbook: it is refused.")
                raise ImportFailed([whole])
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                whole.message = _("The file is not an XLSX workbook.")
                raise ImportFailed([whole])
    except zipfile.BadZipFile:
        whole.message = _("The file is not an XLSX workbook (save it as .xlsx).")
        raise ImportFailed([whole]) from None


def _sheet_report(
    user: AnyUser, network: Network, sheet: Worksheet, seen: list[Report], problems: list[Problem]
) -> Report | None:
    """The report a sheet is for, by the mark in A2, if this person may change it now."""
    marker = sheet["A2"].value
    if not isinstance(marker, str) or not marker.startswith(MARKER) or not is_whole_number(marker[len(MARKER) :]):
        problems.append(Problem(sheet.title, 2, "A", _("Not a report sheet: cell A2 must keep its report mark.")))
        return None
    try:
        report = get_report_for_user(user, int(marker[len(MARKER) :]), write=True)
        if report.period.network_id != network.pk:
            raise Http404
        ensure_editable(report)
    except Http404:
        problems.append(Problem(sheet.title, 2, "A", _("You may not upload this library's report.")))
        return None
    except EntryError as error:
        problems.append(Problem(sheet.title, None, "", error.message))
        return None
    if report in seen:
        problems.append(Problem(sheet.title, 2, "A", _("This report is already in another sheet.")))
        return None
    return report


def _sheet_values(sheet: Worksheet, report: Report, problems: list[Problem]) -> list[tuple[Report, Indicator, object]]:
    """The sheet's values that parse, as (report, indicator, raw); a problem for each that does not."""
    indicators = {i.code: i for i in form_indicators(report)}
    value_letter = get_column_letter(VALUE_COL)
    rules = entry_rules(report)
    planned: list[tuple[Report, Indicator, object]] = []
    for row in range(FIRST_ROW, sheet.max_row + 1):
        code = sheet.cell(row=row, column=CODE_COL).value
        cell = sheet.cell(row=row, column=VALUE_COL)
        if code is None and cell.value is None:
            continue
        indicator = indicators.get(code) if isinstance(code, str) else None
        if indicator is None:
            problems.append(Problem(sheet.title, row, "A", _("Unknown indicator code %(code)s.") % {"code": code}))
            continue
        raw = cell.value
        if raw is None:
            continue
        if cell.data_type == "f" or (isinstance(raw, str) and raw.startswith("=")):
            message = _("A formula: enter the value itself.")
        elif isinstance(raw, dt.date | dt.time | dt.timedelta):
            message = _("A date: enter a number.")
        else:
            try:
                parsed = parse_raw(indicator, Decimal(str(raw)) if isinstance(raw, float) else raw)
                refuse_at_entry(indicator, parsed, rules)
                planned.append((report, indicator, raw))
                continue
            except EntryError as error:
                message = error.message
        problems.append(Problem(sheet.title, row, value_letter, message))
    return planned


def import_workbook(user: AnyUser, network: Network, data: bytes) -> ImportResult:
    """Validate every sheet, then apply all of them in one transaction, or nothing."""
    _check_container(data)
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False, read_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same to the user
        raise ImportFailed([Problem("", None, "", _("The workbook cannot be read; is it damaged?"))]) from None
    problems: list[Problem] = []
    planned: list[tuple[Report, Indicator, object]] = []
    reports: list[Report] = []
    for sheet in workbook.worksheets:
        report = _sheet_report(user, network, sheet, reports, problems)
        if report is None:
            continue
        reports.append(report)
        if sheet.max_row > MAX_ROWS:
            problems.append(Problem(sheet.title, None, "", _("The sheet has too many rows.")))
            continue
        planned.extend(_sheet_values(sheet, report, problems))
    if not reports and not problems:
        problems.append(Problem("", None, "", _("The workbook has no report sheet.")))
    if problems:
        raise ImportFailed(problems)
    result = ImportResult(reports=reports)
    with transaction.atomic():
        for report, indicator, raw in planned:
            before = report.version
            save_value(user, report, indicator.code, raw, None, channel="spreadsheet", indicator=indicator)
            result.changed += report.version != before
    return result
