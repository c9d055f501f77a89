"""The completeness board of one reporting year: every library with its status, last activity,
open errors and unexplained warnings, days to the deadline or days late; counts per county and for
the region; reporting and on-time rates. Computed once, rendered as a page and as XLSX."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from parskats.accounts.access import AnyUser, units_in_part
from parskats.accounts.models import Role
from parskats.audit.models import AuditEntry
from parskats.core.collation import sort_key
from parskats.network.models import OrgUnit
from parskats.network.timeline import hierarchy, year_end
from parskats.reporting.access import reports_for_user
from parskats.reporting.models import Report, ReportingPeriod

from .findings import open_findings_by_report

NOT_STARTED = "not_started"
REPORTED = {Report.Status.SUBMITTED, Report.Status.APPROVED}
SORTS = ("name", "county", "status", "activity", "days", "errors")


@dataclass
class BoardRow:
    unit: OrgUnit
    county: OrgUnit | None
    report: Report | None
    status: str
    last_activity: dt.datetime | None
    errors: int
    unexplained: int
    days_left: int | None  # not yet reported: days to the deadline, negative when late
    days_late: int | None  # reported: days after the deadline it came in (0 or less: on time)
    submissions: int = 0  # how many times it was submitted: more than one is a corrected report

    @property
    def overdue(self) -> int:
        """Days past the deadline of a report still not in."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def reported(self) -> bool:
        return self.status in REPORTED

    @property
    def on_time(self) -> bool:
        return self.reported and self.days_late is not None and self.days_late <= 0

    @property
    def late(self) -> bool:
        return (self.days_left is not None and self.days_left < 0) or (self.days_late or 0) > 0

    @property
    def clean(self) -> bool:
        """Waits for review with nothing open: may be approved in bulk."""
        return self.status == Report.Status.SUBMITTED and not self.errors and not self.unexplained


@dataclass
class Tally:
    name: str
    libraries: int = 0
    reported: int = 0
    approved: int = 0
    on_time: int = 0
    late: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def add(self, row: BoardRow) -> None:
        self.libraries += 1
        self.reported += row.reported
        self.approved += row.status == Report.Status.APPROVED
        self.on_time += row.on_time
        self.late += row.late
        self.by_status[row.status] = self.by_status.get(row.status, 0) + 1

    @property
    def reporting_rate(self) -> Decimal | None:
        return Decimal(self.reported) / self.libraries if self.libraries else None

    @property
    def on_time_rate(self) -> Decimal | None:
        return Decimal(self.on_time) / self.libraries if self.libraries else None


@dataclass
class Board:
    period: ReportingPeriod
    rows: list[BoardRow]
    counties: list[Tally]
    region: Tally
    today: dt.date


def build_board(
    period: ReportingPeriod, today: dt.date | None = None, within: set[int] | None = None, name: str = ""
) -> Board:
    """The year's board of the whole network, or of the units in `within` (a part of the map)."""
    today = today or timezone.localdate()
    tree = hierarchy(period.network, year_end(period.year, period.network))
    libraries = [
        u for u in tree.units.values() if u.level == OrgUnit.Level.LIBRARY and (within is None or u.pk in within)
    ]
    reports = {r.unit_id: r for r in Report.objects.filter(period=period).select_related("unit", "period")}
    activity = dict(
        AuditEntry.objects.filter(report__period=period)
        .values("report_id")
        .annotate(last=Max("at"))
        .values_list("report_id", "last")
    )
    submissions = dict(
        AuditEntry.objects.filter(report__period=period, action=AuditEntry.Action.STATUS, new=Report.Status.SUBMITTED)
        .values("report_id")
        .annotate(n=Count("id"))
        .values_list("report_id", "n")
    )
    # Approved reports are locked: their checks were settled at approval.
    findings = open_findings_by_report(period, [r for r in reports.values() if r.status != Report.Status.APPROVED])
    rows = []
    for unit in libraries:
        report = reports.get(unit.pk)
        status = report.status if report else NOT_STARTED
        errors, unexplained = findings.get(report.pk, (0, 0)) if report is not None else (0, 0)
        days_left = days_late = None
        if status in REPORTED and report is not None and report.submitted_at:
            days_late = (timezone.localdate(report.submitted_at) - period.deadline).days
        elif status not in REPORTED:
            days_left = (period.deadline - today).days
        # The audit trail knows when people last acted; a report without one (imported) has its own stamp.
        last = (activity.get(report.pk) or report.updated_at) if report is not None else None
        rows.append(
            BoardRow(
                unit=unit,
                county=tree.ancestor_at_level(unit.pk, OrgUnit.Level.COUNTY),
                report=report,
                status=status,
                last_activity=last,
                errors=errors,
                unexplained=unexplained,
                days_left=days_left,
                days_late=days_late,
                submissions=submissions.get(report.pk, 0) if report is not None else 0,
            )
        )
    rows.sort(key=lambda r: sort_key(r.unit.name))
    region = Tally(name=name or period.network.name)
    counties: dict[int | None, Tally] = {}
    for row in rows:
        region.add(row)
        key = row.county.pk if row.county else None
        if key not in counties:
            counties[key] = Tally(name=row.county.name if row.county else "")
        counties[key].add(row)
    county_tallies = sorted(counties.values(), key=lambda t: sort_key(t.name))
    return Board(period=period, rows=rows, counties=county_tallies, region=region, today=today)


STATUS_ORDER = {NOT_STARTED: 0, "draft": 1, "returned": 2, "submitted": 3, "approved": 4}


def filter_and_sort(
    rows: list[BoardRow], status: str = "", county: str = "", late: bool = False, sort: str = "name"
) -> list[BoardRow]:
    if status:
        rows = [r for r in rows if r.status == status]
    if county:
        rows = [r for r in rows if r.county and r.county.code == county]
    if late:
        rows = [r for r in rows if r.late]
    keys: dict[str, Callable[[BoardRow], Any]] = {
        "name": lambda r: sort_key(r.unit.name),
        "county": lambda r: (sort_key(r.county.name if r.county else ""), sort_key(r.unit.name)),
        "status": lambda r: (STATUS_ORDER.get(r.status, 9), sort_key(r.unit.name)),
        # Most recent first; no activity at all last.
        "activity": lambda r: (r.last_activity is None, -(r.last_activity.timestamp() if r.last_activity else 0)),
        # Most urgent first: the latest libraries, then the fewest days left.
        "days": lambda r: (r.days_left is None, r.days_left if r.days_left is not None else 0),
        "errors": lambda r: (-(r.errors + r.unexplained), sort_key(r.unit.name)),
    }
    return sorted(rows, key=keys.get(sort, keys["name"]))


def next_waiting(user: AnyUser, period: ReportingPeriod, after: Report | None = None) -> Report | None:
    """The report that has waited longest for review in the year, other than the one just decided."""
    waiting = reports_for_user(user).filter(period=period, status=Report.Status.SUBMITTED)
    if after is not None:
        waiting = waiting.exclude(pk=after.pk)
    return waiting.order_by("submitted_at", "pk").first()


@dataclass
class AreaTally:
    """One area of a two-level network on the national board: how far its libraries and its
    methodologist are with the year."""

    unit: OrgUnit | None  # None: the whole network
    libraries: int = 0
    reported: int = 0
    approved: int = 0
    accepted: int = 0
    returned: int = 0
    on_time: int = 0  # reported by the libraries' deadline
    review_on_time: int = 0  # approved by the area's review deadline
    acceptable: list[int] = field(default_factory=list)  # approved, not yet accepted: the bulk button's

    def add(self, row: BoardRow, review_deadline: dt.date) -> None:
        self.libraries += 1
        self.reported += row.reported
        self.on_time += row.on_time
        report = row.report
        if report is None or row.status != Report.Status.APPROVED:
            return
        self.approved += 1
        if report.approved_at is not None and timezone.localdate(report.approved_at) <= review_deadline:
            self.review_on_time += 1
        if report.national_status == Report.NationalStatus.ACCEPTED:
            self.accepted += 1
        else:
            self.acceptable.append(report.pk)
            self.returned += report.national_status == Report.NationalStatus.RETURNED

    @property
    def reporting_rate(self) -> Decimal | None:
        return Decimal(self.reported) / self.libraries if self.libraries else None

    @property
    def on_time_rate(self) -> Decimal | None:
        return Decimal(self.on_time) / self.libraries if self.libraries else None

    @property
    def review_on_time_rate(self) -> Decimal | None:
        return Decimal(self.review_on_time) / self.libraries if self.libraries else None


def area_units(period: ReportingPeriod) -> list[OrgUnit]:
    """The areas of the network that have a methodologist of their own, by name."""
    ids = Role.objects.filter(network=period.network, kind=Role.Kind.ADMIN, unit__isnull=False).values("unit_id")
    return sorted(OrgUnit.objects.filter(pk__in=ids), key=lambda u: sort_key(u.name))


def national_rows(board: Board) -> list[AreaTally]:
    """One row per area: its libraries in the year (on the year's last day) counted from the board."""
    period = board.period
    areas = area_units(period)
    inside = {area.pk: units_in_part(period.network, {area.pk}, [period.year])[period.year] for area in areas}
    tallies = []
    for area in areas:
        tally = AreaTally(unit=area)
        for row in board.rows:
            if row.unit.pk in inside[area.pk]:
                tally.add(row, period.region_deadline)
        tallies.append(tally)
    return tallies


def national_total(board: Board) -> AreaTally:
    """The whole network's row of the national board: each library once."""
    tally = AreaTally(unit=None)
    for row in board.rows:
        tally.add(row, board.period.region_deadline)
    return tally
