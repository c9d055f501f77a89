"""Reporting years and starting a library's report in one: each a named action taking the acting
user, in one transaction, with its audit record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from parskats.accounts.access import AnyUser, is_network_admin, reporter_unit_ids, reviews_library
from parskats.audit.models import AuditEntry, record
from parskats.catalogue.models import Survey
from parskats.network.models import Network, OrgUnit

from .models import Report, ReportingPeriod

PERIOD_FIELDS = ("opens_on", "deadline", "review_deadline", "status")


class PeriodRefused(Exception):
    """A reporting year or a report that cannot be started; str(error) is for the user."""


def _described(period: ReportingPeriod) -> dict[str, Any]:
    return {
        "survey": period.survey.code,
        "year": period.year,
        "opens_on": period.opens_on.isoformat(),
        "deadline": period.deadline.isoformat(),
        "review_deadline": period.review_deadline.isoformat() if period.review_deadline else None,
        "status": period.status,
    }


def _require_admin(user: AnyUser, network: Network) -> None:
    if not is_network_admin(user, network):
        raise PermissionDenied("Only the network's methodologist manages reporting years.")


@transaction.atomic
def add_period(
    user: AnyUser,
    network: Network,
    *,
    survey: Survey,
    year: int,
    opens_on: dt.date,
    deadline: dt.date,
    status: str,
    review_deadline: dt.date | None = None,
) -> ReportingPeriod:
    """Add a reporting year of a form to the network (the form has checked the dates and the year)."""
    _require_admin(user, network)
    period = ReportingPeriod(
        network=network,
        survey=survey,
        year=year,
        opens_on=opens_on,
        deadline=deadline,
        review_deadline=review_deadline,
        status=status,
    )
    period.full_clean()
    period.save()
    record(
        actor=user,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.PERIOD_ADDED,
        network=network,
        target=f"period:{period.pk}",
        new=_described(period),
    )
    return period


@transaction.atomic
def change_period(user: AnyUser, period: ReportingPeriod, **changes: Any) -> ReportingPeriod:
    """Change a reporting year's dates or status (its form and year stay). The row is locked, so a
    report starting at that moment sees either the old or the new status, never a mix."""
    _require_admin(user, period.network)
    unknown = set(changes) - set(PERIOD_FIELDS)
    if unknown:
        raise ValueError(f"A reporting year's {sorted(unknown)} cannot be changed.")
    locked = ReportingPeriod.objects.select_for_update(of=("self",)).select_related("survey").get(pk=period.pk)
    old = _described(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save(update_fields=list(changes))
    new = _described(locked)
    differs = [name for name in new if old[name] != new[name]]
    if differs:
        record(
            actor=user,
            channel=AuditEntry.Channel.FORM,
            action=AuditEntry.Action.PERIOD_CHANGED,
            network=locked.network,
            target=f"period:{locked.pk}",
            old={name: old[name] for name in differs},
            new={name: new[name] for name in differs},
        )
    for name in PERIOD_FIELDS:
        setattr(period, name, getattr(locked, name))
    return locked


@transaction.atomic
def start_report(user: AnyUser, period: ReportingPeriod, library: OrgUnit) -> tuple[Report, bool]:
    """The library's report of an open period, started now if it was not yet (its reporter or the
    network's methodologist). The period row is locked, so a period closing at the same moment
    either comes first (refused) or after (the report exists). Returns (report, started now)."""
    network = period.network
    if library.network_id != network.pk or not (
        library.pk in reporter_unit_ids(user, network) or reviews_library(user, network, library.pk, period.year)
    ):
        raise PermissionDenied("Not this library's reporter.")
    locked = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if locked.status != ReportingPeriod.Status.OPEN:
        raise PeriodRefused(_("Reporting for %(year)s is not open.") % {"year": locked.year})
    report, created = Report.objects.get_or_create(unit=library, period=locked)
    if created:
        record(
            actor=user,
            channel=AuditEntry.Channel.FORM,
            action=AuditEntry.Action.REPORT_STARTED,
            network=network,
            report=report,
            target="report",
            new={"library": library.code, "year": locked.year},
        )
    return report, created
