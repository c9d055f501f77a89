"""The reporters' explanations of check warnings as data: the methodologist lists them for a year or
across years, filtered by check, category, county, indicator and text, and exports them as CSV or
XLSX; the dashboard counts them per headline figure and links here."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from parskats.accounts import access
from parskats.accounts.access import AnyUser
from parskats.catalogue.models import CheckRule, Indicator
from parskats.network.models import Network, OrgUnit
from parskats.network.timeline import network_map, year_end
from parskats.reporting.models import Explanation

FIELDS = ["year", "library_code", "library", "county", "indicator", "indicator_name", "check", "category", "text"]


def explanations_for_admin(user: AnyUser, network: Network) -> QuerySet[Explanation]:
    """Every explanation of the network, for its methodologist only (its other members get a 403)."""
    if not access.is_network_admin(user, network):
        raise PermissionDenied
    return Explanation.objects.filter(report__period__network=network).select_related("report__unit", "report__period")


@dataclass
class Filters:
    year: int | None = None
    check: str = ""
    category: str = ""
    county: str = ""
    indicator: str = ""
    text: str = ""

    def params(self) -> str:
        shown = {
            "year": self.year or "",
            **{k: getattr(self, k) for k in ("check", "category", "county", "indicator", "text")},
        }
        return "&".join(f"{key}={value}" for key, value in shown.items() if value)


def parse_filters(raw: dict[str, str], years: list[int]) -> Filters:
    """The filters from the query string; an unknown year is ignored (all years)."""
    year = raw.get("year", "")
    return Filters(
        year=int(year) if year.isdigit() and int(year) in years else None,
        check=raw.get("check", "")[:64],
        category=raw.get("category", "") if raw.get("category", "") in Explanation.Category.values else "",
        county=raw.get("county", "")[:64],
        indicator=raw.get("indicator", "")[:64],
        text=raw.get("text", "").strip()[:200],
    )


@dataclass
class Line:
    explanation: Explanation
    year: int
    library: OrgUnit
    county: OrgUnit | None
    indicator: str  # its name
    check: str  # its message


def listing(explanations: QuerySet[Explanation], network: Network, filters: Filters) -> list[Line]:
    """The explanations that match, each with its library's county on the year's own map."""
    if filters.year is not None:
        explanations = explanations.filter(report__period__year=filters.year)
    if filters.check:
        explanations = explanations.filter(check_code=filters.check)
    if filters.category:
        explanations = explanations.filter(category=filters.category)
    if filters.indicator:
        explanations = explanations.filter(indicator_code=filters.indicator)
    if filters.text:
        explanations = explanations.filter(text__icontains=filters.text)
    found = list(explanations.order_by("-report__period__year", "report__unit__name", "indicator_code", "check_code"))
    if not found:
        return []
    net_map = network_map(network.pk)
    names = {
        (i.survey_id, i.code): i.name for i in Indicator.objects.filter(survey__periods__network=network).distinct()
    }
    messages = {
        (r.survey_id, r.code): r.message for r in CheckRule.objects.filter(survey__periods__network=network).distinct()
    }
    lines = []
    for explanation in found:
        period = explanation.report.period
        tree = net_map.at(year_end(period.year, network))
        unit = explanation.report.unit
        county = tree.ancestor_at_level(unit.pk, OrgUnit.Level.COUNTY) if unit.pk in tree.units else None
        if filters.county and (county is None or county.code != filters.county):
            continue
        lines.append(
            Line(
                explanation,
                period.year,
                unit,
                county,
                names.get((period.survey_id, explanation.indicator_code), explanation.indicator_code),
                messages.get((period.survey_id, explanation.check_code), explanation.check_code),
            )
        )
    return lines


def counts_by_indicator(explanations: QuerySet[Explanation], year: int) -> Counter[str]:
    """How many explanations each indicator has in the year (what the dashboard shows)."""
    return Counter(explanations.filter(report__period__year=year).values_list("indicator_code", flat=True))


def rows(lines: list[Line]) -> list[list[object]]:
    return [
        [
            line.year,
            line.library.code,
            line.library.name,
            line.county.name if line.county else "",
            line.explanation.indicator_code,
            line.indicator,
            line.explanation.check_code,
            line.explanation.get_category_display(),
            line.explanation.text,
        ]
        for line in lines
    ]


def to_csv(lines: list[Line]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    writer.writerows(rows(lines))
    return buffer.getvalue()


def to_xlsx(lines: list[Line]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Explanations")[:31]
    headings = [_("Year"), _("Library code"), _("Library"), _("County"), _("Indicator code"), _("Indicator")]
    sheet.append([*headings, _("Check"), _("Category"), _("Explanation")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(lines):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", [6, 14, 30, 20, 16, 30, 18, 24, 60], strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
