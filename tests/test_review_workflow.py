"""Every allowed and forbidden review transition, its audit record and its email."""

from __future__ import annotations

import pytest
from django.core import mail

from parskats.audit.models import AuditEntry
from parskats.reporting.entry import EntryError, save_value
from parskats.reporting.models import Report, Value
from parskats.reporting.submission import submit_report
from parskats.review.models import ReviewComment
from parskats.review.workflow import (
    WorkflowError,
    approve_report,
    approve_reports,
    comment_on_report,
    reopen_report,
    return_report,
)

from .factories import report_with
from .test_report_entry import fill_clean

S = Report.Status


@pytest.fixture
def submitted(world, reporter_a):
    report = report_with(world.library_a, world.periods[2021], visits=1200, loans=3400)
    Report.objects.filter(pk=report.pk).update(status=S.SUBMITTED)
    report.refresh_from_db()
    return report


def status_entries(report):
    return list(AuditEntry.objects.filter(report=report, action=AuditEntry.Action.STATUS).order_by("at", "id"))


def test_return_with_a_field_comment_then_approve_then_reopen(
    submitted, methodologist, reporter_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment_on_report(methodologist, submitted, "Vai apmeklējumu skaits ir pareizs?", target="visits")
        return_report(methodologist, submitted, "Lūdzu, pārbaudiet apmeklējumus.")
    submitted.refresh_from_db()
    assert submitted.status == S.RETURNED
    assert ReviewComment.objects.filter(report=submitted, sent_at__isnull=False).count() == 2
    [email] = mail.outbox
    assert email.to == [reporter_a.email]
    assert "atgriezta" in email.subject
    assert "Apmeklējumu kopskaits: Vai apmeklējumu skaits ir pareizs?" in email.body
    assert "Lūdzu, pārbaudiet apmeklējumus." in email.body

    # The library resubmits (through submit_report in real use; here the status is set as it would be).
    Report.objects.filter(pk=submitted.pk).update(status=S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        approve_report(methodologist, submitted)
    submitted.refresh_from_db()
    assert submitted.status == S.APPROVED and submitted.is_locked and submitted.approved_at
    assert "apstiprināta" in mail.outbox[-1].subject

    with django_capture_on_commit_callbacks(execute=True):
        reopen_report(methodologist, submitted, "Pašvaldība precizēja finansējumu.")
    submitted.refresh_from_db()
    assert submitted.status == S.RETURNED and submitted.approved_at is None
    assert "Pašvaldība precizēja finansējumu." in mail.outbox[-1].body
    entries = status_entries(submitted)
    assert [(e.old, e.new) for e in entries] == [
        ("submitted", "returned"),
        ("submitted", "approved"),
        ("approved", "returned"),
    ]
    assert entries[-1].note == "Pašvaldība precizēja finansējumu."
    assert all(e.actor == methodologist and e.channel == "form" for e in entries)


def test_email_goes_in_the_recipients_language(
    submitted, methodologist, reporter_a, django_capture_on_commit_callbacks
):
    reporter_a.language = "en"
    reporter_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        approve_report(methodologist, submitted)
    assert mail.outbox[0].subject == "Report 2021 of Sedas bibliotēka approved"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.DRAFT, "approve"),
        (S.DRAFT, "return"),
        (S.RETURNED, "approve"),
        (S.APPROVED, "approve"),
        (S.APPROVED, "return"),
        (S.SUBMITTED, "reopen"),
        (S.DRAFT, "reopen"),
        (S.RETURNED, "reopen"),
        (S.APPROVED, "comment"),
        (S.DRAFT, "comment"),
    ],
)
def test_a_transition_not_allowed_from_the_status_changes_nothing(submitted, methodologist, status, action):
    Report.objects.filter(pk=submitted.pk).update(status=status)
    submitted.refresh_from_db()
    calls = {
        "approve": lambda: approve_report(methodologist, submitted),
        "return": lambda: return_report(methodologist, submitted, "Labojiet."),
        "reopen": lambda: reopen_report(methodologist, submitted, "Iemesls."),
        "comment": lambda: comment_on_report(methodologist, submitted, "Piezīme."),
    }
    with pytest.raises(WorkflowError, match="nav iespējams"):
        calls[action]()
    submitted.refresh_from_db()
    assert submitted.status == status
    assert not AuditEntry.objects.filter(report=submitted).exists()
    assert not ReviewComment.objects.exists()
    assert not mail.outbox


def test_a_return_needs_a_comment(submitted, methodologist):
    with pytest.raises(WorkflowError, match="Uzrakstiet"):
        return_report(methodologist, submitted, "   ")
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_reopening_needs_a_reason(submitted, methodologist):
    approve_report(methodologist, submitted)
    with pytest.raises(WorkflowError, match="iemeslu"):
        reopen_report(methodologist, submitted, "  ")
    submitted.refresh_from_db()
    assert submitted.status == S.APPROVED


def test_a_comment_on_a_field_not_on_the_form_is_refused(submitted, methodologist):
    with pytest.raises(WorkflowError):
        comment_on_report(methodologist, submitted, "Kas tas?", target="no_such_field")
    assert not ReviewComment.objects.exists()


@pytest.mark.parametrize("persona", ["reporter_a", "reporter_b", "viewer", "other_methodologist"])
def test_only_the_networks_methodologist_reviews(submitted, persona, request):
    person = request.getfixturevalue(persona)
    for call in (
        lambda: approve_report(person, submitted),
        lambda: return_report(person, submitted, "Nē."),
        lambda: comment_on_report(person, submitted, "Nē."),
    ):
        with pytest.raises(WorkflowError, match="metodiķ"):
            call()
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    approve_report(request.getfixturevalue("methodologist"), submitted)
    with pytest.raises(WorkflowError, match="metodiķ"):
        reopen_report(person, submitted, "Gribu labot.")


def clean_submitted(unit, period, reporter):
    """A report that passes every check, submitted through submit_report, the form's own submission."""
    report = Report.objects.create(unit=unit, period=period)
    fill_clean(report, reporter)
    return submit_report(reporter, report)


def test_bulk_approval_is_all_or_nothing(world, reporter_a, reporter_b, methodologist):
    clean_a = clean_submitted(world.library_a, world.periods[2021], reporter_a)
    clean_b = clean_submitted(world.library_b, world.periods[2021], reporter_b)
    dirty = report_with(world.school, world.periods[2021], visits=10)  # most fields missing: errors
    Report.objects.filter(pk=dirty.pk).update(status=S.SUBMITTED)
    with pytest.raises(WorkflowError, match="Valkas pamatskolas bibliotēka: atskaitē ir nenovērstas kļūdas"):
        approve_reports(methodologist, [clean_a, clean_b, dirty])
    draft = report_with(world.school, world.periods[2020], visits=10)
    with pytest.raises(WorkflowError, match="Valkas pamatskolas bibliotēka: tas nav iespējams"):
        approve_reports(methodologist, [clean_a, draft])
    assert set(Report.objects.filter(pk__in=[clean_a.pk, clean_b.pk]).values_list("status", flat=True)) == {S.SUBMITTED}
    assert not AuditEntry.objects.filter(action="status", new="approved").exists()
    done = approve_reports(methodologist, [clean_a, clean_b])
    assert {r.status for r in done.reports} == {S.APPROVED}
    assert AuditEntry.objects.filter(action="status", new="approved").count() == 2


def test_submission_emails_and_resubmission(world, reporter_a, methodologist, django_capture_on_commit_callbacks):
    report = Report.objects.create(unit=world.library_a, period=world.periods[2021])
    fill_clean(report, reporter_a)
    with django_capture_on_commit_callbacks(execute=True):
        submit_report(reporter_a, report)
    assert mail.outbox[-1].subject == "Saņemta 2021. gada atskaite — Sedas bibliotēka"
    with django_capture_on_commit_callbacks(execute=True):
        return_report(methodologist, report, "Lūdzu, precizējiet lietotājus.")
    # Returned: the library can change values again, then resubmits.
    save_value(reporter_a, report, "users", "110", None)
    with django_capture_on_commit_callbacks(execute=True):
        submit_report(reporter_a, report)
    assert mail.outbox[-1].subject == "Saņemta labotā 2021. gada atskaite — Sedas bibliotēka"
    assert [m.to for m in mail.outbox] == [[reporter_a.email]] * 3


def test_an_approved_report_is_locked_until_reopened(world, reporter_a, methodologist):
    report = clean_submitted(world.library_a, world.periods[2021], reporter_a)
    approve_report(methodologist, report)
    for person in (reporter_a, methodologist):
        with pytest.raises(EntryError):
            save_value(person, report, "users", "999", None)
    assert Value.objects.get(report=report, indicator__code="users").number == 100
    reopen_report(methodologist, report, "Jālabo lietotāju skaits.")
    save_value(reporter_a, report, "users", "120", None)
    assert Value.objects.get(report=report, indicator__code="users").number == 120
