"""The review's emails as a background job, through the HTTP client: a bulk approval commits with
its audit records and puts the libraries' emails in one job, queued once it commits; the
methodologist lands on the job's page; each reporter gets each notice exactly once, whether the job
is retried, its worker killed half-way and swept, or it runs inline (make run). Also the pruning of
the "sent once" log and the move of the reminders' log into it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from parskats.audit.models import AuditEntry
from parskats.jobs import actions, runner
from parskats.jobs.mail import RETENTION
from parskats.jobs.models import Job, SentMail
from parskats.reporting.models import Report
from parskats.review import notifications
from parskats.review.reminders import digest_key, reminder_key

from .conftest import client_for
from .factories import give_role, user
from .test_review_workflow import clean_submitted

QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Killed(BaseException):
    """The worker's process dies: nothing of the runner's own handling runs (not an Exception)."""


@pytest.fixture
def three(world, reporter_a, reporter_b):
    """Two clean submitted reports of 2021 (A and B); each library has a second reporter, A's
    reads English (each reporter is told of each report)."""
    english = user("angliski.a@example.org", "Elza Parauga", language="en")
    give_role(english, world.network, "reporter", world.library_a)
    second = user("otra.b@example.org", "Otra Parauga")
    give_role(second, world.network, "reporter", world.library_b)
    reports = [
        clean_submitted(world.library_a, world.periods[2021], reporter_a),
        clean_submitted(world.library_b, world.periods[2021], reporter_b),
    ]
    mail.outbox.clear()  # the submission receipts are not what these tests count
    return reports


EVERYONE = {"reporter.a@example.org", "reporter.b@example.org", "otra.b@example.org", "angliski.a@example.org"}


def approve_url(world) -> str:
    return f"/n/{world.network.slug}/review/approve/"


def job_url(job: Job) -> str:
    return f"/n/{job.network.slug}/jobs/{job.pk}/"


def recipients() -> Counter[str]:
    return Counter(address for message in mail.outbox for address in message.to)


def approve_all(client, world, reports, capture):
    with capture(execute=True):  # the request's transaction commits: what on_commit does runs
        response = client.post(approve_url(world), {"year": "2021", "report": [r.pk for r in reports]})
    job = Job.objects.filter(kind=notifications.KIND).first()
    assert job is not None and response.status_code == 302 and response["Location"] == job_url(job)
    return job


def test_bulk_approval_commits_then_one_job_tells_each_reporter_once(
    world, three, methodologist, django_capture_on_commit_callbacks
):
    client = client_for(methodologist)
    job = approve_all(client, world, three, django_capture_on_commit_callbacks)
    # The approval is what it was: every report approved, one status record each, by her.
    assert set(Report.objects.filter(pk__in=[r.pk for r in three]).values_list("status", flat=True)) == {"approved"}
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.STATUS, new="approved")
    assert entries.count() == 2 and {e.actor for e in entries} == {methodologist}
    started = AuditEntry.objects.get(action=AuditEntry.Action.JOB_STARTED)
    assert started.actor == methodologist and started.new["job"] == str(job.pk)
    # Inline (make run): the job ran as the request committed. One message per reporter.
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == job.total == 4 and job.started_by == methodologist
    assert recipients() == Counter(EVERYONE)
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to["angliski.a@example.org"].subject == "Report 2021 of Sedas bibliotēka approved"
    assert by_to["reporter.a@example.org"].subject == "2021. gada atskaite apstiprināta — Sedas bibliotēka"
    # Each is recorded under its status change: the audit entry of that approval.
    keys = set(SentMail.objects.filter(job=job).values_list("key", "address"))
    entry_of = {e.report_id: e.pk for e in entries}
    assert (f"review-notice:{entry_of[three[1].pk]}", "otra.b@example.org") in keys and len(keys) == 4
    # The page she lands on is the job's: what it is, how it ended, the approval's message, the way back.
    html = client.get(job_url(job)).content.decode()
    assert "Paziņojumi bibliotēkām" in html and "Paziņojumi nosūtīti: 4." in html
    assert "Apstiprinātas 2 atskaites." in html and f"/n/{world.network.slug}/review/?year=2021" in html
    # The queue delivers the same job again (a retry): everyone has theirs, nothing goes out.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    assert runner.run_job.call(str(job.pk)) == Job.Status.DONE
    job.refresh_from_db()
    assert len(mail.outbox) == 4 and job.attempts == 2
    assert job.result["lines"] == ["Paziņojumi nosūtīti: 0.", "Šo paziņojumu jau saņēmuši, vēlreiz nesūtīts: 4."]


def test_with_a_worker_the_request_only_queues_and_a_killed_worker_sends_no_second_copy(
    world, three, methodologist, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = QUEUED
    settings.JOBS_MAX_ATTEMPTS = 2
    client = client_for(methodologist)
    job = approve_all(client, world, three, django_capture_on_commit_callbacks)
    # Approved and committed at once; the emails wait for the worker.
    assert set(Report.objects.filter(pk__in=[r.pk for r in three]).values_list("status", flat=True)) == {"approved"}
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.task_id and not mail.outbox
    assert "Gaida" in client.get(job_url(job)).content.decode()
    real = EmailBackend.send_messages

    def dies_on_the_third(backend, messages):
        if len(mail.outbox) == 2:
            raise Killed  # while the third is handed over: its record rolls back with it
        return real(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dies_on_the_third)
    with pytest.raises(Killed):
        runner.run_job.call(str(job.pk))
    runner.CURRENT.discard(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and len(mail.outbox) == 2 and SentMail.objects.count() == 2
    # The worker is gone: the sweep puts the job back, the next worker finishes it.
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert [j.pk for j in actions.sweep_stale()] == [job.pk]
    assert runner.run_job.call(str(job.pk)) == Job.Status.DONE
    job.refresh_from_db()
    assert job.attempts == 2 and recipients() == Counter(EVERYONE) and SentMail.objects.count() == 4
    assert job.result["lines"] == ["Paziņojumi nosūtīti: 2.", "Šo paziņojumu jau saņēmuši, vēlreiz nesūtīts: 2."]


def test_a_refused_bulk_approval_leaves_no_job_and_sends_nothing(
    world, three, methodologist, django_capture_on_commit_callbacks
):
    Report.objects.filter(pk=three[1].pk).update(status="approved")  # no longer waiting: refuses the lot
    client = client_for(methodologist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve_url(world), {"year": "2021", "report": [r.pk for r in three]}, follow=True)
    assert "Nekas netika apstiprināts" in response.content.decode()
    assert not Job.objects.exists() and not mail.outbox
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.STATUS, new="approved").exists()


def test_single_approval_and_reopening_take_the_same_path_and_each_change_is_its_own_notice(
    world, three, methodologist, reporter_a, django_capture_on_commit_callbacks
):
    client = client_for(methodologist)
    base = f"/n/{world.network.slug}/review/reports/{three[0].pk}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{base}/approve/").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}/reopen/", {"reason": "Pašvaldība precizēja finansējumu."})
    Report.objects.filter(pk=three[0].pk).update(status="submitted")  # resubmitted, as the form would
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}/approve/")
    jobs = list(Job.objects.filter(kind=notifications.KIND))
    assert len(jobs) == 3 and {j.status for j in jobs} == {Job.Status.DONE}
    # Approved, reopened, approved again: three status changes, three messages to the one reporter.
    assert Counter(m.to[0] for m in mail.outbox) == {reporter_a.email: 3, "angliski.a@example.org": 3}
    mine = [m for m in mail.outbox if m.to == [reporter_a.email]]
    assert "apstiprināta" in mine[0].subject and "apstiprināta" in mine[2].subject
    assert "Pašvaldība precizēja finansējumu." in mine[1].body
    assert SentMail.objects.filter(address=reporter_a.email).values("key").distinct().count() == 3


def test_only_the_networks_methodologist_sees_the_job(
    world, three, methodologist, reporter_a, viewer, other_methodologist, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = QUEUED
    job = approve_all(client_for(methodologist), world, three, django_capture_on_commit_callbacks)
    for person in (reporter_a, viewer, other_methodologist):
        assert client_for(person).get(job_url(job)).status_code == 404
        assert client_for(person).post(job_url(job) + "cancel/").status_code == 404
        assert client_for(person).post(approve_url(world), {"year": "2021", "report": [three[0].pk]}).status_code in {
            403,
            404,
        }
    assert Job.objects.count() == 1
    # She may stop it before it starts: then nobody is told (the approval stays).
    assert client_for(methodologist).post(job_url(job) + "cancel/").status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and runner.run_job.call(str(job.pk)) == "skipped" and not mail.outbox


def test_the_sent_mail_log_is_pruned_after_its_retention_and_kept_before(world, three, methodologist, reporter_a):
    old = SentMail.objects.create(key="review-notice:1", address="vecs@example.org")
    recent = SentMail.objects.create(key="review-notice:2", address="jauns@example.org")
    SentMail.objects.filter(pk=old.pk).update(sent_at=timezone.now() - RETENTION - dt.timedelta(days=1))
    SentMail.objects.filter(pk=recent.pk).update(sent_at=timezone.now() - RETENTION + dt.timedelta(days=1))
    out = StringIO()
    call_command("jobs", "prune", stdout=out)
    assert "deleted: 1." in out.getvalue()
    assert list(SentMail.objects.values_list("address", flat=True)) == ["jauns@example.org"]
    call_command("jobs", "prune", "--days=1", stdout=out)
    assert not SentMail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_reminders_sent_before_the_upgrade_become_sent_mail_keys_and_go_back():
    executor = MigrationExecutor(connection)
    before = [("review", "0002_hostile_text_limits")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    User = apps.get_model("accounts", "User")
    ReminderSent = apps.get_model("review", "ReminderSent")
    person = User.objects.create(email="Reporter.B@Example.org", password="!")
    when = timezone.now() - dt.timedelta(days=3)
    for kind, key in (("before", "7:12"), ("deadline", "7:12"), ("digest", "3:2022-01-20")):
        row = ReminderSent.objects.create(kind=kind, recipient=person, key=key)
        ReminderSent.objects.filter(pk=row.pk).update(sent_at=when)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = {(r.key, r.address): r.sent_at for r in SentMail.objects.all()}
    # The keys the reminder command now looks for, so none of these is sent again.
    assert rows == {
        (reminder_key("before", 7, 12), "reporter.b@example.org"): when,
        (reminder_key("deadline", 7, 12), "reporter.b@example.org"): when,
        (digest_key(3, dt.date(2022, 1, 20)), "reporter.b@example.org"): when,
    }
    # And back: the rows return to ReminderSent.
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state([*before, ("jobs", "0002_sent_mail")]).apps
    assert apps.get_model("review", "ReminderSent").objects.count() == 3
    assert not apps.get_model("jobs", "SentMail").objects.exists()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_job_that_stopped_on_a_mail_error_does_the_rest_when_asked(
    world, three, methodologist, viewer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    import smtplib

    settings.TASKS = QUEUED
    client = client_for(methodologist)
    job = approve_all(client, world, three, django_capture_on_commit_callbacks)
    real = EmailBackend.send_messages

    def refuses_the_third(backend, messages):
        if len(mail.outbox) == 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuses_the_third)
    assert runner.run_job.call(str(job.pk)) == Job.Status.FAILED
    page = client.get(job_url(job)).content.decode()
    assert "Sūtīšana apstājās pēc 2 no 4 paziņojumiem" in page and "Izdarīt pārējo" in page
    # Someone who may not see the job cannot resume it; a job that is done has nothing to resume.
    assert client_for(viewer).post(job_url(job) + "resume/").status_code == 404
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    response = client.post(job_url(job) + "resume/")
    assert response.status_code == 302
    assert runner.run_job.call(str(job.pk)) == Job.Status.DONE
    job.refresh_from_db()
    assert recipients() == Counter(EVERYONE) and SentMail.objects.filter(job=job).count() == 4
    assert job.result["lines"] == ["Paziņojumi nosūtīti: 2.", "Šo paziņojumu jau saņēmuši, vēlreiz nesūtīts: 2."]
    resumed = AuditEntry.objects.get(action=AuditEntry.Action.JOB_RESUMED)
    assert resumed.actor == methodologist and resumed.old == {"status": "failed"}
    assert "Izdarīt pārējo" not in client.get(job_url(job)).content.decode()
    again = client.post(job_url(job) + "resume/", follow=True)
    assert "var palaist vēlreiz" in again.content.decode() and len(mail.outbox) == 4
