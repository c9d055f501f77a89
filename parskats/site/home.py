"""What each role sees first after logging in: the reporter her library's report of the open year
(how far it is, what is open, the days left, the methodologist's comments) with one button to go
on; the methodologist the year at a glance with the next report waiting for her. Read-only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from parskats.accounts.access import AnyUser, libraries_for_user, part_name, part_units, reporter_unit_ids
from parskats.accounts.models import Role
from parskats.catalogue.models import Indicator
from parskats.network.models import Network, OrgUnit
from parskats.reporting.access import reports_for_user
from parskats.reporting.form import field_rows, is_editable
from parskats.reporting.models import Report, ReportingPeriod
from parskats.review.board import BoardRow, build_board
from parskats.review.models import ReviewComment

from .menu import PART_ADMIN, role_in


@dataclass
class ReportCard:
    unit: OrgUnit
    period: ReportingPeriod
    report: Report | None
    days_left: int
    filled: int = 0
    total: int = 0
    errors: int = 0
    unexplained: int = 0
    comments: list[ReviewComment] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.report.status if self.report else "not_started"

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)

    @property
    def editable(self) -> bool:
        if self.report is None:
            return self.period.status == ReportingPeriod.Status.OPEN
        return is_editable(self.report)


@dataclass
class Glance:
    period: ReportingPeriod
    libraries: int
    approved: int
    waiting: list[BoardRow]
    returned: list[BoardRow]
    late: list[BoardRow]
    not_started: list[BoardRow]
    part: str = ""  # the area the glance covers when the role is over a part of the map

    @property
    def next_waiting(self) -> BoardRow | None:
        return self.waiting[0] if self.waiting else None

    @property
    def clean_waiting(self) -> int:
        return sum(r.clean for r in self.waiting)


@dataclass
class NetworkHome:
    network: Network
    role: str
    cards: list[ReportCard]
    glance: Glance | None


def current_periods(network: Network) -> list[ReportingPeriod]:
    """The open reporting years, else the latest one: what people work on now."""
    periods = list(ReportingPeriod.objects.filter(network=network).select_related("survey", "network"))
    open_ = [p for p in periods if p.status == ReportingPeriod.Status.OPEN]
    return open_ or sorted(periods, key=lambda p: p.year, reverse=True)[:1]


def _card(unit: OrgUnit, period: ReportingPeriod, report: Report | None, today: dt.date) -> ReportCard:
    card = ReportCard(unit=unit, period=period, report=report, days_left=(period.deadline - today).days)
    if report is None:
        return card
    rows, summary = field_rows(report)
    card.total = len(rows)
    card.filled = sum(row.value is not None for row in rows)
    # A field not filled yet is counted by "filled n of N", not as an error to fix.
    card.errors = sum(1 for r in summary.errors if r.code != "required")
    card.unexplained = len(summary.unexplained)
    if report.status == Report.Status.RETURNED:
        sent = ReviewComment.objects.filter(report=report, sent_at__isnull=False)
        last = sent.order_by("-sent_at").values_list("sent_at", flat=True).first()
        card.comments = list(sent.filter(sent_at=last).order_by("created_at"))
        _name_fields(card.comments, report)
    return card


def _name_fields(comments: list[ReviewComment], report: Report) -> None:
    codes = {c.target for c in comments if c.target}
    names = {i.code: i for i in Indicator.objects.filter(survey=report.period.survey, code__in=codes)}
    for comment in comments:
        comment.indicator = names.get(comment.target)


def _glance(period: ReportingPeriod, within: set[int] | None = None, part: str = "") -> Glance:
    board = build_board(period, within=within)
    rows = board.rows
    waiting = sorted(
        (r for r in rows if r.status == Report.Status.SUBMITTED),
        key=lambda r: (r.report.submitted_at if r.report and r.report.submitted_at else timezone.now(), r.unit.pk),
    )
    return Glance(
        period=period,
        libraries=len(rows),
        approved=sum(r.status == Report.Status.APPROVED for r in rows),
        waiting=waiting,
        returned=[r for r in rows if r.status == Report.Status.RETURNED],
        late=[r for r in rows if r.late and not r.reported],
        not_started=[r for r in rows if r.report is None],
        part=part,
    )


def network_home(user: AnyUser, network: Network) -> NetworkHome:
    role = role_in(user, network)
    periods = current_periods(network)
    today = timezone.localdate()
    cards: list[ReportCard] = []
    units = libraries_for_user(user, network).filter(pk__in=reporter_unit_ids(user, network)).order_by("name")
    for period in periods:
        reports = {r.unit_id: r for r in reports_for_user(user).filter(period=period, unit__in=units)}
        cards.extend(_card(unit, period, reports.get(unit.pk), today) for unit in units)
    glance = None
    if role == Role.Kind.ADMIN and periods:
        glance = _glance(periods[0])
    elif role == PART_ADMIN and periods:
        within = part_units(user, network, periods[0].year)
        glance = _glance(periods[0], within=within, part=part_name(user, network))
    return NetworkHome(network=network, role=role, cards=cards, glance=glance)
