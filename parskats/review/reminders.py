"""Deadline reminders to reporters and the daily digest of new submissions to the methodologist.

Each email goes through jobs.mail.send_once, the one "sent once" log (SentMail, keyed on the purpose
and the address): the row is written in the transaction that sends it and a sending error rolls it
back, so a reminder is sent once, whatever the number of runs. The keys:

    review-reminder:before:<period id>:<library id>     N days before the deadline
    review-reminder:deadline:<period id>:<library id>   on the deadline and the days after
    review-digest:<network id>:<YYYY-MM-DD>             the methodologist's daily digest
    review-reminder:area-before:<period id>:<area id>   an area's methodologist, before the areas' deadline
    review-reminder:area-deadline:<period id>:<area id> on the areas' deadline and the days after

(the data migration review/0003 turned the earlier ReminderSent rows into these keys).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.mail import get_connection
from django.urls import reverse
from django.utils import timezone

from parskats.accounts.access import two_level, units_in_part
from parskats.accounts.models import Role, User
from parskats.audit.models import AuditEntry
from parskats.jobs.mail import normal, send_once
from parskats.jobs.models import SentMail
from parskats.network.models import Network, OrgUnit
from parskats.network.timeline import hierarchy, year_end
from parskats.reporting.models import Report, ReportingPeriod

from .notifications import absolute, render_email

DONE = [Report.Status.SUBMITTED, Report.Status.APPROVED]
BEFORE_DEADLINE, ON_DEADLINE = "before", "deadline"


@dataclass
class Sent:
    before: int = 0
    deadline: int = 0
    digests: int = 0
    areas: int = 0  # reminders to areas' methodologists of the areas' approval deadline


def reminder_key(kind: str, period_id: int, library_id: int | None) -> str:
    return f"review-reminder:{kind}:{period_id}:{library_id}"


def digest_key(network_id: int, day: dt.date) -> str:
    return f"review-digest:{network_id}:{day.isoformat()}"


def _send_once(user: User, key: str, template: str, context: dict[str, Any]) -> bool:
    """Sent now (True), or it had been before (False). Not a job: the command is the run."""
    connection = get_connection()
    return send_once(None, key, render_email(template, user, context), connection)


def deadline_reminders(today: dt.date, days_before: int) -> Sent:
    sent = Sent()
    periods = ReportingPeriod.objects.filter(status=ReportingPeriod.Status.OPEN, opens_on__lte=today).select_related(
        "network"
    )
    for period in periods:
        days_left = (period.deadline - today).days
        kind = _window(period.deadline, today, days_before)
        if kind is None:
            continue
        tree = hierarchy(period.network, year_end(period.year, period.network))
        library_ids = [u.pk for u in tree.units.values() if u.level == OrgUnit.Level.LIBRARY]
        done = set(Report.objects.filter(period=period, status__in=DONE).values_list("unit_id", flat=True))
        roles = Role.objects.filter(
            network=period.network, kind=Role.Kind.REPORTER, unit_id__in=set(library_ids) - done, user__is_active=True
        ).select_related("user", "unit")
        url = absolute(reverse("reporting:index", kwargs={"network": period.network.slug}))
        for role in roles:
            context = {
                "library": role.unit,
                "year": period.year,
                "deadline": period.deadline,
                "days_left": days_left,
                "url": url,
            }
            if _send_once(role.user, reminder_key(kind, period.pk, role.unit_id), "reminder", context):
                if kind == BEFORE_DEADLINE:
                    sent.before += 1
                else:
                    sent.deadline += 1
    return sent


def daily_digests(today: dt.date, sent: Sent) -> Sent:
    """To each methodologist, once a day, what waits for her since her previous digest (or the last
    day): the submissions of her libraries; where areas approve first, an area's methodologist gets
    those of her area (on the map of each report's year) and the whole network's the reports the
    areas approved, which wait for her acceptance."""
    for network in Network.objects.all():
        national = two_level(network)
        roles = Role.objects.filter(network=network, kind=Role.Kind.ADMIN, user__is_active=True).select_related("user")
        parts: dict[User, set[int] | None] = {}  # None: the whole network
        for role in roles:
            held = parts.setdefault(role.user, set())
            if role.unit_id is None:
                parts[role.user] = None
            elif held is not None:
                held.add(role.unit_id)
        for admin, roots in parts.items():
            previous = (
                SentMail.objects.filter(key__startswith=f"review-digest:{network.pk}:", address=normal(admin.email))
                .order_by("-sent_at")
                .values_list("sent_at", flat=True)
                .first()
            )
            since = previous or timezone.now() - dt.timedelta(days=1)
            approvals = national and roots is None
            entries = _digest_entries(network, since, admin, approvals, roots)
            if not entries:
                continue
            context = {
                "network": network,
                "entries": entries,
                "approvals": approvals,
                "url": absolute(reverse("review:board", args=[network.slug])),
            }
            if _send_once(admin, digest_key(network.pk, today), "digest", context):
                sent.digests += 1
    return sent


def _digest_entries(
    network: Network, since: dt.datetime, admin: User, approvals: bool, roots: set[int] | None
) -> list[AuditEntry]:
    """Submissions (of the areas under `roots`, or all), or the areas' approvals not made by `admin`."""
    found = AuditEntry.objects.filter(
        network=network,
        action=AuditEntry.Action.STATUS,
        new=Report.Status.APPROVED if approvals else Report.Status.SUBMITTED,
        at__gt=since,
    )
    if approvals:
        found = found.exclude(actor=admin)  # her own approvals wait for nobody
    entries = list(found.select_related("report__unit", "report__period").order_by("at"))
    if roots is None:
        return entries
    years = sorted({entry.report.period.year for entry in entries if entry.report is not None})
    inside = units_in_part(network, roots, years)
    return [e for e in entries if e.report is not None and e.report.unit_id in inside[e.report.period.year]]


def _window(deadline: dt.date, today: dt.date, days_before: int) -> str | None:
    days_left = (deadline - today).days
    if 0 < days_left <= days_before:
        return BEFORE_DEADLINE
    if -days_before <= days_left <= 0:
        return ON_DEADLINE
    return None


def area_reminders(today: dt.date, days_before: int, sent: Sent) -> Sent:
    """In a network reviewing on two levels, each area's methodologist is reminded of the areas'
    approval deadline (1 May by default) while reports of her area's libraries are not yet approved:
    once before it and once on it (or in the days after), with how many wait for her and how many
    the libraries have not submitted."""
    periods = ReportingPeriod.objects.filter(status=ReportingPeriod.Status.OPEN, opens_on__lte=today)
    for period in periods.select_related("network"):
        kind = _window(period.region_deadline, today, days_before)
        if kind is None or not two_level(period.network):
            continue
        statuses = dict(Report.objects.filter(period=period).values_list("unit_id", "status"))
        roles = Role.objects.filter(
            network=period.network, kind=Role.Kind.ADMIN, unit__isnull=False, user__is_active=True
        ).select_related("user", "unit")
        url = absolute(reverse("review:board", args=[period.network.slug]) + f"?year={period.year}")
        tree = hierarchy(period.network, year_end(period.year, period.network))
        for role in roles:
            if role.unit is None:
                continue
            # Her area as it was on the year's last day: a library that moved during the year is the new area's.
            inside = units_in_part(period.network, {role.unit.pk}, [period.year])[period.year]
            libraries = [pk for pk in inside if pk in tree.units and tree.units[pk].level == OrgUnit.Level.LIBRARY]
            waiting = sum(1 for pk in libraries if statuses.get(pk) == Report.Status.SUBMITTED)
            missing = sum(1 for pk in libraries if statuses.get(pk) not in DONE)
            if not waiting and not missing:
                continue
            context = {
                "area": role.unit,
                "year": period.year,
                "deadline": period.region_deadline,
                "days_left": (period.region_deadline - today).days,
                "waiting": waiting,
                "missing": missing,
                "url": url,
            }
            key = reminder_key(f"area-{kind}", period.pk, role.unit_id)
            if _send_once(role.user, key, "area_reminder", context):
                sent.areas += 1
    return sent


def send_reminders(today: dt.date | None = None, days_before: int = 7) -> Sent:
    today = today or timezone.localdate()
    return area_reminders(today, days_before, daily_digests(today, deadline_reminders(today, days_before)))
