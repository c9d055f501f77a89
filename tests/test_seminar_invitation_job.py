"""Seminar invitations as a background job, through the HTTP client: the methodologist starts it and
lands on the job's page; every participant gets exactly one message per edition of the seminar,
whether the job is retried, sent again, cancelled half-way or its worker killed half-way.

Inline (make run: the job runs in the request that starts it) and queued with no worker (the
worker's steps are run here by hand, as in tests/test_jobs.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from parskats.accounts import erasure
from parskats.audit.models import AuditEntry
from parskats.jobs import actions, runner
from parskats.jobs.models import Job, SentMail
from parskats.seminar import invitations
from parskats.seminar.models import Seminar

from .conftest import client_for
from .factories import give_role, user
from .seminar_support import approved_reports, make_seminar

pytestmark = pytest.mark.django_db
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Killed(BaseException):
    """The worker's process dies: nothing of the runner's own handling runs (not an Exception)."""


@pytest.fixture
def seminar(world, methodologist, reporter_a, reporter_b):
    approved_reports(world)
    seminar = make_seminar(world, methodologist)
    both = user("divas@example.org", "Dace Parauga")
    give_role(both, world.network, "reporter", world.library_b)
    give_role(both, world.network, "reporter", world.school)  # two libraries: invited once
    school = user("skola@example.org", "Elza Parauga", language="en")
    give_role(school, world.network, "reporter", world.school)
    client_for(methodologist).post(
        f"{page(seminar)}guests/", {"name": "Vita Parauga", "role": "", "email": "V@Example.org", "language": "lv"}
    )
    seminar.refresh_from_db()
    return seminar


EVERYONE = {
    "reporter.a@example.org",
    "reporter.b@example.org",
    "divas@example.org",
    "skola@example.org",
    "v@example.org",
}


def page(seminar: Seminar) -> str:
    return f"/n/{seminar.network.slug}/seminars/{seminar.pk}/"


def job_url(job: Job) -> str:
    return f"/n/{job.network.slug}/jobs/{job.pk}/"


def recipients() -> Counter[str]:
    return Counter(address for message in mail.outbox for address in message.to)


def send(client, seminar: Seminar) -> Job:
    response = client.post(page(seminar) + "invite/")
    job = Job.objects.filter(kind=invitations.KIND).first()
    assert job is not None and response.status_code == 302 and response["Location"] == job_url(job)
    return job


def test_the_methodologist_starts_it_and_every_participant_gets_exactly_one(seminar, methodologist):
    client = client_for(methodologist)
    job = send(client, seminar)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == job.total == 5 and job.subject == str(seminar.pk)
    assert recipients() == Counter(EVERYONE)
    english = next(m for m in mail.outbox if m.to == ["skola@example.org"])
    assert english.subject == f"Invitation: {seminar.title}" and english.attachments[0][0].endswith(".ics")
    # The job's own page (the jobs app's, not a new one) says how many went out, and leads back.
    html = client.get(job_url(job)).content.decode()
    assert "Semināra ielūgumi" in html and "Ielūgumi nosūtīti: 5." in html and page(seminar) in html
    assert "hx-trigger" not in html  # finished: no polling
    # Each message is recorded under the seminar's edition: the address and the time, nothing else.
    key = f"seminar-invitation:{seminar.pk}:{seminar.sequence}"
    assert set(SentMail.objects.filter(key=key, job=job).values_list("address", flat=True)) == EVERYONE
    assert Seminar.objects.get(pk=seminar.pk).invitations_sent_at is not None
    started = AuditEntry.objects.get(action=AuditEntry.Action.JOB_STARTED)
    assert started.actor == methodologist and started.new["job"] == str(job.pk)
    done = AuditEntry.objects.get(action=AuditEntry.Action.SEMINAR_INVITATIONS_SENT)
    assert done.actor == methodologist and done.new == {
        "sent": 5, "already_sent": 0, "participants": 5, "job": str(job.pk), "edition": key,
    }  # fmt: skip
    # The seminar page lists the job.
    assert job_url(job) in client.get(page(seminar)).content.decode()


def test_a_retry_or_a_second_click_sends_nothing_more_and_a_change_sends_the_new_edition(seminar, methodologist, world):
    client = client_for(methodologist)
    job = send(client, seminar)
    assert len(mail.outbox) == 5
    # The queue delivers the same job again (a retry): everyone has it, nothing goes out.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    assert runner.run_job.call(str(job.pk)) == Job.Status.DONE
    job.refresh_from_db()
    assert len(mail.outbox) == 5 and job.attempts == 2
    assert job.result["lines"] == [
        "Ielūgumi nosūtīti: 0.",
        "Šo ielūguma redakciju jau saņēmuši, vēlreiz nesūtīts: 5.",
    ]
    # A second click without a change: only someone added since gets one.
    late = user("velak@example.org", "Gita Parauga")
    give_role(late, world.network, "reporter", world.library_a)
    second = client.post(page(seminar) + "invite/", follow=True)
    assert "Ielūgumi nosūtīti: 1." in second.content.decode()
    assert recipients() == Counter(EVERYONE | {"velak@example.org"})
    # A change of the agenda is a new edition: everyone gets the updated invitation once.
    client.post(page(seminar) + "agenda/add/", {"kind": "break", "title": "Kafija", "minutes": "10"})
    third = client.post(page(seminar) + "invite/", follow=True)
    assert "Ielūgumi nosūtīti: 6." in third.content.decode()
    assert set(recipients().values()) == {2} and "Kafija" in mail.outbox[-1].body
    assert Job.objects.filter(kind=invitations.KIND).count() == 3


def test_the_page_shows_n_of_n_and_cancelling_midway_stops_it_keeping_what_was_sent(
    seminar, methodologist, settings, monkeypatch
):
    settings.TASKS = QUEUED
    client = client_for(methodologist)
    job = send(client, seminar)
    assert job.status == Job.Status.QUEUED and not mail.outbox
    assert "Gaida" in client.get(job_url(job)).content.decode()
    seen: list[str] = []
    real_send_once = invitations.send_once
    real_progress = runner.Heartbeat.progress

    def progress_written_at_once(beat, stage, done, total):
        real_progress(beat, stage, done, total)
        beat.beat()  # what the heartbeat thread writes every few seconds

    def send_then_cancel_after_two(*args, **kwargs):
        sent = real_send_once(*args, **kwargs)
        if len(mail.outbox) == 2:
            fragment = client.get(job_url(job), headers={"HX-Request": "true"}).content.decode()
            seen.append(fragment)
            assert client.post(job_url(job) + "cancel/").status_code == 302
        return sent

    monkeypatch.setattr(runner.Heartbeat, "progress", progress_written_at_once)
    monkeypatch.setattr(invitations, "send_once", send_then_cancel_after_two)
    assert runner.run_job.call(str(job.pk)) == Job.Status.CANCELLED
    # Half-way the polled fragment said how many of how many (the stage written before the second).
    assert "Sūta ielūgumus: 1 no 5" in seen[0] and 'value="20"' in seen[0] and "Atcelt darbu" in seen[0]
    job.refresh_from_db()
    assert len(mail.outbox) == 2 and job.done == 2 and job.total == 5
    assert SentMail.objects.filter(job=job).count() == 2
    html = client.get(job_url(job)).content.decode()
    assert "Atcelts" in html and "Atcelts pēc 2 no 5 dalībniekiem; nosūtīti un reģistrēti ielūgumi: 2." in html
    assert "nekas no tā netika piemērots" not in html
    cancelled = AuditEntry.objects.get(action=AuditEntry.Action.JOB_CANCELLED)
    assert cancelled.actor == methodologist
    assert AuditEntry.objects.get(action=AuditEntry.Action.SEMINAR_INVITATIONS_SENT).new["sent"] == 2
    # Sending again sends only to the other three.
    monkeypatch.setattr(invitations, "send_once", real_send_once)
    client.post(page(seminar) + "invite/")
    again = Job.objects.filter(kind=invitations.KIND).exclude(pk=job.pk).get()
    assert runner.run_job.call(str(again.pk)) == Job.Status.DONE
    assert recipients() == Counter(EVERYONE)


def test_a_worker_killed_midway_then_retried_sends_each_remaining_recipient_once(
    seminar, methodologist, settings, monkeypatch
):
    settings.TASKS = QUEUED
    settings.JOBS_MAX_ATTEMPTS = 2
    client = client_for(methodologist)
    job = send(client, seminar)
    real = EmailBackend.send_messages

    def dies_on_the_fourth(backend, messages):
        if len(mail.outbox) == 3:
            raise Killed  # while the fourth is being sent: its record rolls back with it
        return real(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dies_on_the_fourth)
    with pytest.raises(Killed):
        runner.run_job.call(str(job.pk))
    runner.CURRENT.discard(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and len(mail.outbox) == 3
    assert SentMail.objects.count() == 3  # the fourth was not recorded: it did not go
    # The worker is gone: the sweep puts the job back in the queue, the next worker runs it.
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert [j.pk for j in actions.sweep_stale()] == [job.pk]
    assert runner.run_job.call(str(job.pk)) == Job.Status.DONE
    job.refresh_from_db()
    assert job.attempts == 2 and recipients() == Counter(EVERYONE)
    assert SentMail.objects.count() == 5
    assert job.result["lines"] == [
        "Ielūgumi nosūtīti: 2.",
        "Šo ielūguma redakciju jau saņēmuši, vēlreiz nesūtīts: 3.",
    ]


def test_a_dead_worker_out_of_attempts_says_what_was_sent_is_kept(seminar, methodologist, settings):
    settings.TASKS = QUEUED
    settings.JOBS_MAX_ATTEMPTS = 1
    job = send(client_for(methodologist), seminar)
    runner.claim(str(job.pk))
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    actions.sweep_stale()
    html = client_for(methodologist).get(job_url(job)).content.decode()
    assert "tas, ko tas paspēja izdarīt, ir saglabāts" in html and "nekas no tā" not in html


def test_only_the_networks_methodologist_may_send_or_see_the_job(
    seminar, methodologist, reporter_a, viewer, other_methodologist, settings
):
    settings.TASKS = QUEUED
    for person in (reporter_a, viewer, other_methodologist):
        assert client_for(person).post(page(seminar) + "invite/").status_code == 404
    assert client_for(None).post(page(seminar) + "invite/").status_code == 302  # to the login page
    assert not Job.objects.exists() and not mail.outbox
    job = send(client_for(methodologist), seminar)
    for person in (reporter_a, viewer, other_methodologist):
        assert client_for(person).get(job_url(job)).status_code == 404
        assert client_for(person).post(job_url(job) + "cancel/").status_code == 404
    assert client_for(other_methodologist).get(f"/n/{seminar.network.slug}/jobs/{job.pk}/").status_code == 404
    assert "Semināra ielūgumi" not in client_for(reporter_a).get(page(seminar)).content.decode()


def test_what_cannot_be_sent_is_refused_before_anything_is_queued(seminar, methodologist):
    Seminar.objects.filter(pk=seminar.pk).update(starts_at=timezone.now() - dt.timedelta(days=1))
    response = client_for(methodologist).post(page(seminar) + "invite/", follow=True)
    assert "Ielūgumi netika nosūtīti" in response.content.decode() and "jau sācies" in response.content.decode()
    assert not Job.objects.exists() and not mail.outbox


def test_the_log_of_sent_invitations_is_in_the_data_download_and_erased_with_the_person(
    seminar, methodologist, reporter_a
):
    send(client_for(methodologist), seminar)
    data = client_for(reporter_a).get("/accounts/me/data.json").json()
    [row] = data["emails sent by background jobs"]
    assert row["purpose"].startswith(f"seminar-invitation:{seminar.pk}:") and set(row) == {"at", "purpose", "address"}
    erasure.erase_person(None, reporter_a.email)
    assert not SentMail.objects.filter(address="reporter.a@example.org").exists()
    assert SentMail.objects.count() == 4


def test_a_second_click_while_the_job_waits_leads_to_that_job(seminar, methodologist, settings):
    settings.TASKS = QUEUED
    client = client_for(methodologist)
    first = send(client, seminar)
    again = client.post(page(seminar) + "invite/")
    assert again.status_code == 302 and again["Location"] == job_url(first)
    assert Job.objects.filter(kind=invitations.KIND).count() == 1 and not mail.outbox
