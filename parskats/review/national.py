"""The national level of a two-level review, after the area's methodologist approved a report.

    approved (by the area) ──accept──▶ accepted nationally
              └──return to the area (comment)──▶ returned to the area ──accept──▶ accepted
                                                      └── the area reopens it to the library
                                                          (review.workflow.reopen_report clears it)

A network reviews on two levels when it has methodologists over areas of its map (a role with a
unit) besides the whole network's: the areas approve, the whole network's methodologist accepts.
A network without them has one level, and nothing here applies (`two_level`). The report stays
approved, so locked for the library, at every national step. Each action runs in one transaction,
locks the report row, refuses with a WorkflowError, writes a typed audit record and tells the area's
methodologists through the notices job queued when the transaction commits (`notify_area`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.accounts.access import is_network_admin, two_level, units_in_part
from parskats.accounts.models import Role, User
from parskats.audit.models import AuditEntry, record
from parskats.reporting.models import Report

from .notifications import Notice, queue_notices
from .rules import WorkflowError, clean_comment, require_status

__all__ = ["accept_report", "accept_reports", "notify_area", "return_to_area", "two_level"]


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("period", "period__network", "unit").get(pk=report.pk)


def _require_national(user: User, report: Report) -> None:
    network = report.period.network
    if not two_level(network):
        raise WorkflowError(_("This network reviews on one level: there is nothing to accept nationally."))
    if not is_network_admin(user, network):
        raise WorkflowError(_("Only the whole network's methodologist can accept reports nationally."))
    require_status(report, Report.Status.APPROVED)


def _require_national_status(report: Report, *allowed: str) -> None:
    if report.national_status not in allowed:
        raise WorkflowError(
            _("%(library)s: this is not possible while the report is “%(state)s”.")
            % {"library": report.unit.name, "state": report.get_national_status_display()}
        )


def area_methodologists(report: Report) -> list[User]:
    """The methodologists of the areas the library was in that reporting year."""
    network = report.period.network
    roles = Role.objects.filter(network=network, kind=Role.Kind.ADMIN, unit__isnull=False, user__is_active=True)
    year = report.period.year
    people = []
    for role in roles.select_related("user"):
        if report.unit_id in units_in_part(network, {role.unit_id}, [year])[year]:  # type: ignore[arg-type]
            people.append(role.user)
    return sorted({p.pk: p for p in people}.values(), key=lambda p: p.pk)


def notify_area(report: Report, entry: AuditEntry, template: str) -> Notice | None:
    """The notice of a national decision for the area's methodologists (sent by the notices job,
    once each, like the libraries' notices; None when the area has nobody to tell)."""
    to = [person.pk for person in area_methodologists(report)]
    if not to:
        return None
    return {"report": report.pk, "entry": entry.pk, "template": template, "to": to, "comments": []}


def _record(user: User, report: Report, action: str, old: str, note: str = "") -> AuditEntry:
    return record(
        actor=user,
        channel=AuditEntry.Channel.FORM,
        action=action,
        network=report.period.network,
        report=report,
        target="national_status",
        old=old,
        new=report.national_status,
        note=note,
    )


@transaction.atomic
def accept_report(user: User, report: Report) -> Report:
    """Accept an approved report nationally: its figures count at the national level from now on."""
    report, notice = _accept(user, report)
    queue_notices(user, report, [notice])
    return report


def _accept(user: User, report: Report) -> tuple[Report, Notice | None]:
    report = _locked(report)
    _require_national(user, report)
    _require_national_status(report, Report.NationalStatus.PENDING, Report.NationalStatus.RETURNED)
    old = report.national_status
    report.national_status = Report.NationalStatus.ACCEPTED
    report.accepted_at = timezone.now()
    report.version += 1
    report.save(update_fields=["national_status", "accepted_at", "version", "updated_at"])
    entry = _record(user, report, AuditEntry.Action.NATIONAL_ACCEPTED, old)
    return report, notify_area(report, entry, "national_accepted")


@transaction.atomic
def accept_reports(user: User, reports: Iterable[Report]) -> list[Report]:
    """Accept several reports at once, all or none: one that cannot be accepted refuses the lot.
    The areas are told by one notices job for the lot."""
    done = [_accept(user, report) for report in sorted(reports, key=lambda r: r.pk)]
    if done:
        queue_notices(user, done[0][0], [notice for _report, notice in done])
    return [report for report, _notice in done]


@transaction.atomic
def return_to_area(user: User, report: Report, comment: str) -> Report:
    """Send an approved report back to its area with a comment (required). It stays approved and
    locked for the library; the area's methodologist sees it flagged and may reopen it."""
    report = _locked(report)
    _require_national(user, report)
    _require_national_status(report, Report.NationalStatus.PENDING)
    comment = clean_comment(report, comment, "")
    old = report.national_status
    report.national_status = Report.NationalStatus.RETURNED
    report.national_comment = comment
    report.accepted_at = None
    report.version += 1
    report.save(update_fields=["national_status", "national_comment", "accepted_at", "version", "updated_at"])
    entry = _record(user, report, AuditEntry.Action.NATIONAL_RETURNED, old, note=comment)
    queue_notices(user, report, [notify_area(report, entry, "national_returned")])
    return report
