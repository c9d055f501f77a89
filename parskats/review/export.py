"""The completeness board as an XLSX workbook: the libraries, then the counts per county; on the
national board of a network reviewing on two levels first the areas, as the page shows them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from .board import NOT_STARTED, AreaTally, Board, BoardRow


def _status_label(row: BoardRow) -> str:
    if row.status == NOT_STARTED:
        return str(_("not started"))
    return str(row.report.get_status_display()) if row.report else row.status


def _national_label(row: BoardRow) -> str:
    if row.report is None or row.status != "approved":
        return ""
    return str(row.report.get_national_status_display())


def _rate(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _areas_sheet(sheet: Worksheet, areas: Sequence[AreaTally], total: AreaTally | None, name: str) -> None:
    headings = (
        _("Area"),
        _("Libraries"),
        _("Reported"),
        _("Approved by the area"),
        _("Accepted nationally"),
        _("Returned to the area"),
        _("On-time rate"),
        _("Approved on time"),
    )
    sheet.append([str(h) for h in headings])
    for tally in [*areas, *([total] if total is not None else [])]:
        label = tally.unit.name if tally.unit is not None else name
        sheet.append(
            [
                label,
                tally.libraries,
                tally.reported,
                tally.approved,
                tally.accepted,
                tally.returned,
                _rate(tally.on_time_rate),
                _rate(tally.review_on_time_rate),
            ]
        )
        for col in (7, 8):
            sheet.cell(sheet.max_row, col).number_format = "0.0%"
    if total is not None:
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)


def board_workbook(
    board: Board, rows: list[BoardRow], areas: Sequence[AreaTally] = (), total: AreaTally | None = None
) -> bytes:
    book = Workbook()
    sheet = book.active
    national = bool(areas)
    if national:
        # The national board: the areas first, as on the page, then every library with its national review.
        _areas_sheet(sheet, areas, total, board.period.network.name)
        sheet.title = _("Areas")[:31]
        sheet = book.create_sheet()
    sheet.title = _("Libraries")[:31]
    headers = [
        _("Library"),
        _("County"),
        _("Status"),
        _("Last activity"),
        _("Open errors"),
        _("Unexplained warnings"),
        _("Days to the deadline"),
        _("Days late"),
        *([_("National review")] if national else []),
    ]
    sheet.append([str(h) for h in headers])
    for row in rows:
        activity = timezone.localtime(row.last_activity).replace(tzinfo=None) if row.last_activity else None
        late = row.days_late if row.days_late is not None and row.days_late > 0 else None
        if row.days_left is not None and row.days_left < 0:
            late = -row.days_left
        sheet.append(
            [
                row.unit.name,
                row.county.name if row.county else "",
                _status_label(row),
                activity,
                row.errors,
                row.unexplained,
                row.days_left if row.days_left is not None and row.days_left >= 0 else None,
                late,
                *([_national_label(row)] if national else []),
            ]
        )
        if activity:
            sheet.cell(sheet.max_row, 4).number_format = "dd.mm.yyyy hh:mm"
    summary = book.create_sheet(_("Counts")[:31])
    summary.append(
        [
            str(h)
            for h in (
                _("County"),
                _("Libraries"),
                _("Reported"),
                _("Approved"),
                _("On time"),
                _("Reporting rate"),
                _("On-time rate"),
            )
        ]
    )
    for tally in [*board.counties, board.region]:
        summary.append(
            [
                tally.name or _("Not in a county"),
                tally.libraries,
                tally.reported,
                tally.approved,
                tally.on_time,
                float(tally.reporting_rate) if tally.reporting_rate is not None else None,
                float(tally.on_time_rate) if tally.on_time_rate is not None else None,
            ]
        )
        for col in (6, 7):
            summary.cell(summary.max_row, col).number_format = "0.0%"
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        ws.column_dimensions["A"].width = 40
        lines = 1
        for column in ws.iter_cols(min_col=2):
            # As wide as the longest value, the heading wrapping onto lines of at most 16 characters.
            values = [len(str(c.value)) for c in column[1:] if c.value is not None]
            heading = len(str(column[0].value or ""))
            width = max(min(heading, 16), *values, 8)
            ws.column_dimensions[column[0].column_letter].width = width + 2
            lines = max(lines, -(-heading // width))
        ws.row_dimensions[1].height = 15 * lines  # not every program grows a row to its wrapped text
        # Printed, a sheet fits the page's width (landscape), however many pages long.
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    summary.cell(summary.max_row, 1).font = Font(bold=True)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
