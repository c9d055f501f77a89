"""The reminder command: before the deadline and on it, to reporters whose report is not in; the
daily digest of new submissions to the methodologist; never the same reminder twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from parskats.accounts import erasure
from parskats.audit.models import record
from parskats.jobs.models import SentMail
from parskats.reporting.models import Report, ReportingPeriod

from .conftest import client_for
from .factories import give_role, report_with, user


def run(today: str, days: int = 7) -> str:
    out = StringIO()
    call_command("send_reminders", f"--today={today}", f"--days={days}", "--language=en", stdout=out)
    return out.getvalue()


@pytest.fixture
def open_2021(world, reporter_a, reporter_b, methodologist):
    period = world.periods[2021]
    period.status = ReportingPeriod.Status.OPEN
    period.save()
    # A has submitted; B has a draft; the school has nothing and its reporter reads English.
    report = report_with(world.library_a, period, visits=1)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    report_with(world.library_b, period, visits=2)
    school_reporter = user("skola@example.org", "Skolas Bibliotekāre", language="en")
    give_role(school_reporter, world.network, "reporter", world.school)
    return period


def test_before_the_deadline_once(open_2021, world, reporter_b):
    assert "before the deadline: 2;" in run("2022-02-09")
    assert sorted(m.to[0] for m in mail.outbox) == ["reporter.b@example.org", "skola@example.org"]
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to["reporter.b@example.org"].subject == "2021. gada atskaite: līdz termiņam 6 dienas"
    assert by_to["skola@example.org"].subject == "Report 2021: 6 days to the deadline"
    assert (
        "2021. gada atskaite (Ērģemes pagasta bibliotēka) vēl nav iesniegta; termiņš ir 15.02.2022."
        in by_to["reporter.b@example.org"].body
    )
    keys = sorted(SentMail.objects.values_list("key", "address"))
    assert keys == sorted(
        [
            (f"review-reminder:before:{open_2021.pk}:{world.library_b.pk}", "reporter.b@example.org"),
            (f"review-reminder:before:{open_2021.pk}:{world.school.pk}", "skola@example.org"),
        ]
    )
    # Run again the same day and the next: nothing new.
    assert "before the deadline: 0;" in run("2022-02-09")
    assert "before the deadline: 0;" in run("2022-02-10")
    assert len(mail.outbox) == 2


def test_on_the_deadline_once_and_not_to_those_who_submitted(open_2021, world):
    run("2022-02-09")
    Report.objects.filter(unit=world.library_b).update(status=Report.Status.SUBMITTED)
    mail.outbox.clear()
    assert "on the deadline: 1;" in run("2022-02-15")
    [message] = mail.outbox
    assert message.to == ["skola@example.org"] and "the deadline is today" in message.subject
    run("2022-02-15")
    run("2022-02-16")
    assert len(mail.outbox) == 1


def test_nothing_outside_the_windows_or_for_closed_periods(open_2021):
    assert run("2022-01-20").startswith("Reminders before the deadline: 0; on the deadline: 0;")
    open_2021.status = ReportingPeriod.Status.CLOSED
    open_2021.save()
    run("2022-02-15")
    assert not mail.outbox


def test_daily_digest_of_new_submissions(open_2021, world, methodologist, reporter_a):
    report = Report.objects.get(unit=world.library_a, period=open_2021)
    record(
        actor=reporter_a,
        channel="form",
        action="status",
        network=world.network,
        report=report,
        target="status",
        old="draft",
        new="submitted",
    )
    out = run("2022-01-20")
    assert "digests: 1;" in out
    [digest] = mail.outbox
    assert digest.to == [methodologist.email]
    assert digest.subject == "1 jauns iesniegums — Testa reģions"
    assert "Sedas bibliotēka (2021)" in digest.body
    assert run("2022-01-20").endswith("digests: 0; to areas' methodologists: 0.\n")
    # Next day with nothing new: no digest; a new submission: a digest with only it.
    assert run("2022-01-21").endswith("digests: 0; to areas' methodologists: 0.\n")
    [row] = SentMail.objects.filter(key__startswith="review-digest:")
    assert row.key == f"review-digest:{world.network.pk}:2022-01-20" and row.address == methodologist.email


def test_bad_arguments():
    with pytest.raises(CommandError, match="not a date"):
        call_command("send_reminders", "--today=15.02.2022")
    with pytest.raises(CommandError, match="--days"):
        call_command("send_reminders", "--days=0")


def test_a_failed_send_is_not_recorded(open_2021, settings):
    settings.EMAIL_BACKEND = "tests.test_reminders.FailingBackend"
    with pytest.raises(OSError):
        run("2022-02-09")
    assert not SentMail.objects.exists()


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP server unreachable")


def test_the_reminders_log_is_in_the_persons_data_pruning_keeps_it_within_retention_and_erasure_removes_it(
    open_2021, reporter_b
):
    run("2022-02-09")
    call_command("jobs", "prune", stdout=StringIO())  # yesterday's reminders are well within the retention
    assert "before the deadline: 0;" in run("2022-02-10") and len(mail.outbox) == 2
    data = client_for(reporter_b).get("/accounts/me/data.json").json()
    [row] = data["emails sent by background jobs"]
    assert row["purpose"] == f"review-reminder:before:{open_2021.pk}:{reporter_b.roles.get().unit_id}"
    assert row["address"] == "reporter.b@example.org"
    erasure.erase_person(None, reporter_b.email)
    assert not SentMail.objects.filter(address="reporter.b@example.org").exists()
    assert SentMail.objects.count() == 1  # the school's reporter's stays


# Two-level review: the areas' methodologists and the areas' approval deadline (1 May by default).


def area_mail(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_each_areas_methodologist_is_reminded_of_the_areas_deadline_once(
    open_2021, world, part_methodologist_a, part_methodologist_b
):
    mail.outbox.clear()
    assert "to areas' methodologists: 0." in run("2022-04-20")  # 11 days before: outside the window
    out = run("2022-04-28")
    assert "to areas' methodologists: 2." in out
    [to_a] = area_mail(part_methodologist_a.email)
    assert to_a.subject == "2021. gada atskaites (Valmieras novads): līdz teritoriju apstiprināšanas termiņam 3 dienas"
    assert "1 iesniegta atskaite gaida jūsu apstiprinājumu." in to_a.body
    assert "/n/testa/review/?year=2021" in to_a.body
    [to_b] = area_mail(part_methodologist_b.email)
    assert "2 bibliotēkas vēl nav iesniegušas atskaiti." in to_b.body and "gaida jūsu" not in to_b.body
    assert "to areas' methodologists: 0." in run("2022-04-29")  # the same reminder is not sent again
    # On the deadline once more, to the area that still has reports open.
    Report.objects.filter(unit=world.library_a, period=open_2021).update(status=Report.Status.APPROVED)
    mail.outbox.clear()
    assert "to areas' methodologists: 1." in run("2022-05-01")
    [on_deadline] = mail.outbox
    assert on_deadline.to == [part_methodologist_b.email] and "termiņš ir šodien" in on_deadline.subject
    run("2022-05-02")
    assert len(mail.outbox) == 1


def test_no_area_reminder_where_the_network_reviews_on_one_level(open_2021, methodologist):
    mail.outbox.clear()
    assert "to areas' methodologists: 0." in run("2022-04-28")
    assert not mail.outbox


def test_where_areas_approve_the_digest_goes_to_the_area_and_the_approvals_to_the_national_level(
    open_2021, world, methodologist, reporter_a, part_methodologist_a, part_methodologist_b
):
    """Sedas bibliotēka (library A) is in Valmiera county in 2021: its submission is Valmiera's
    methodologist's news, not Valka's nor the national level's; her approval is the national level's."""
    report = Report.objects.get(unit=world.library_a, period=open_2021)
    submitted = {"channel": "form", "action": "status", "network": world.network, "report": report, "target": "status"}
    record(actor=reporter_a, old="draft", new="submitted", **submitted)
    mail.outbox.clear()
    assert "digests: 1;" in run("2022-01-20")
    [digest] = mail.outbox
    assert digest.to == [part_methodologist_a.email]
    assert digest.subject == "1 jauns iesniegums — Testa reģions" and "Sedas bibliotēka (2021)" in digest.body
    # She approves it: the next day the whole network's methodologist hears of it, and only she.
    record(actor=part_methodologist_a, old="submitted", new="approved", **submitted)
    mail.outbox.clear()
    assert "digests: 1;" in run("2022-01-21")
    [national] = mail.outbox
    assert national.to == [methodologist.email]
    assert national.subject == "1 teritoriju apstiprināta atskaite — Testa reģions"
    assert "gaida pieņemšanu valsts līmenī" in national.body and "Sedas bibliotēka (2021)" in national.body
    # Her own approvals are not news to her.
    other = Report.objects.get(unit=world.library_b, period=open_2021)
    record(actor=methodologist, old="submitted", new="approved", **{**submitted, "report": other})
    assert "digests: 0;" in run("2022-01-22")
