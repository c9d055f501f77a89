"""Demo review history: when each demo report came in, the decisions on it and the comments of the
returned ones. Invented like the rest of the demo; run again it adds nothing (reports that already
have a status history are left alone)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from parskats.accounts.models import Role, User
from parskats.audit.models import AuditEntry, record
from parskats.network.models import Network
from parskats.reporting.models import Explanation, Report, ReportingPeriod

from .models import ReviewComment

FIELD_COMMENTS = [
    ("visits", "Apmeklējumu skaits ir par ceturtdaļu lielāks nekā pērn — lūdzu, pārbaudiet vai paskaidrojiet."),
    ("loans", "Izsniegumu kopskaits nesakrīt ar daļu summu."),
    ("events_virtual", "Vai virtuālajos pasākumos ir ieskaitītas arī ierakstu noskatīšanās?"),
]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59))))


def _explain_warnings(report: Report, reporter: User | None) -> None:
    """A report that was submitted had every warning explained (submission requires it)."""
    from parskats.reporting.checks import run_checks

    for result in run_checks(report):
        if not result.is_error and result.explanation is None:
            Explanation.objects.get_or_create(
                report=report,
                check_code=result.code,
                indicator_code=result.field,
                defaults={
                    "category": Explanation.Category.CORRECT,
                    "text": "Skaitlis pārbaudīts (demonstrācijas paskaidrojums).",
                    "updated_by": reporter,
                },
            )


@transaction.atomic
def load_review_demo(network: Network) -> None:
    admin_role = Role.objects.filter(network=network, kind=Role.Kind.ADMIN).select_related("user").first()
    admin = admin_role.user if admin_role else None
    reporters = {
        r.unit_id: r.user for r in Role.objects.filter(network=network, kind=Role.Kind.REPORTER).select_related("user")
    }
    reports = (
        Report.objects.filter(period__network=network)
        .exclude(status=Report.Status.DRAFT)
        .select_related("unit", "period")
    )
    has_history = set(
        AuditEntry.objects.filter(network=network, action=AuditEntry.Action.STATUS).values_list("report_id", flat=True)
    )
    now = timezone.now()
    for report in reports:
        if report.pk in has_history:
            continue
        rng = random.Random(f"review|{report.unit.code}|{report.period.year}")
        # Most come in during the fortnight before the deadline, some a few days late; an open year's
        # deadline may still be ahead, and nothing happened in the future.
        offset = rng.randint(-20, -1) if rng.random() < 0.85 else rng.randint(1, 9)
        submitted = min(_at(report.period.deadline + dt.timedelta(days=offset), rng), now - dt.timedelta(days=2))
        entries = [(reporters.get(report.unit_id), "draft", "submitted", "", submitted)]
        decided = submitted + dt.timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 5))
        decided = min(decided, submitted + (now - submitted) / 2)
        if report.status == Report.Status.APPROVED:
            entries.append((admin, "submitted", "approved", "", decided))
            report.approved_at = decided
        elif report.status == Report.Status.RETURNED:
            code, text = FIELD_COMMENTS[rng.randrange(len(FIELD_COMMENTS))]
            for target, body in (
                (code, text),
                ("", "Paldies par pārskatu! Lūdzu, izlabojiet atzīmēto un iesniedziet vēlreiz."),
            ):
                comment = ReviewComment.objects.create(
                    report=report, target=target, text=body, author=admin, author_name=admin.full_name if admin else ""
                )
                ReviewComment.objects.filter(pk=comment.pk).update(created_at=decided, sent_at=decided)
            entries.append((admin, "submitted", "returned", "", decided))
        report.submitted_at = submitted
        report.save(update_fields=["submitted_at", "approved_at"])
        if report.period.status == ReportingPeriod.Status.OPEN:  # past years: keep the loader quick
            _explain_warnings(report, reporters.get(report.unit_id))
        for actor, old, new, note, at in entries:
            entry = record(
                actor=actor,
                channel=AuditEntry.Channel.FORM,
                action=AuditEntry.Action.STATUS,
                network=network,
                report=report,
                target="status",
                old=old,
                new=new,
                note=note,
            )
            # Demo history happened in the past; `at` is set once, at creation of the invented row.
            AuditEntry.objects.filter(pk=entry.pk).update(at=at)
