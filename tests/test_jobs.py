"""Background jobs through the HTTP client: the seminar pack and the PLS import as jobs, their
progress page (htmx polling), cancelling, who may see them, and the sweep of a dead worker's job.

Inline (make run: the job runs in the request that starts it) and queued in the database with no
worker yet (production: the page shows it waiting, a worker's steps are run by hand here; a real
worker killed mid-job is tests/test_jobs_worker.py)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pptx import Presentation

from parskats.audit.models import AuditEntry
from parskats.jobs import actions, runner
from parskats.jobs.files import folder
from parskats.jobs.models import Job
from parskats.seminar.jobs import KIND

from .conftest import client_for
from .seminar_support import approved_reports, make_seminar

pytestmark = pytest.mark.django_db
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def seminar(world, methodologist, settings, tmp_path):
    settings.JOBS_FILES_ROOT = tmp_path / "job-files"
    approved_reports(world)
    return make_seminar(world, methodologist)


def pack_url(seminar) -> str:
    return f"/n/{seminar.network.slug}/seminars/{seminar.pk}/pack/"


def job_url(job: Job) -> str:
    return f"/n/{job.network.slug}/jobs/{job.pk}/"


def test_inline_pack_job_runs_in_the_request_and_hands_out_both_files(seminar, methodologist, viewer, reporter_a):
    client = client_for(methodologist)
    response = client.post(pack_url(seminar))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert job.status == Job.Status.DONE and job.attempts == 1 and job.kind == KIND
    page = client.get(job_url(job)).content.decode()
    assert "Gatavs" in page and "hx-trigger" not in page  # finished: no more polling
    names = job.result["files"]
    assert [n.rsplit(".", 1)[1] for n in names] == ["pptx", "pdf"]
    deck = client.get(f"{job_url(job)}files/{names[0]}")
    assert deck.status_code == 200 and deck["Content-Disposition"].endswith('.pptx"')
    assert len(Presentation(io.BytesIO(b"".join(deck.streaming_content))).slides) > 3
    handout = client.get(f"{job_url(job)}files/{names[1]}")
    assert b"".join(handout.streaming_content).startswith(b"%PDF")
    assert client.get(f"{job_url(job)}files/..%2F..%2Fsecret").status_code == 404
    assert client.get(f"{job_url(job)}files/other.pdf").status_code == 404
    started = AuditEntry.objects.get(action=AuditEntry.Action.JOB_STARTED)
    assert started.actor == methodologist and started.new["job"] == str(job.pk)
    # The seminar page lists the job for its starter; a viewer who did not start it does not see it.
    assert job_url(job) in client.get(f"/n/{seminar.network.slug}/seminars/{seminar.pk}/").content.decode()
    assert client_for(viewer).get(job_url(job)).status_code == 404
    assert client_for(reporter_a).get(f"{job_url(job)}files/{names[0]}").status_code == 404
    assert client_for(None).get(job_url(job)).status_code == 302


def test_a_queued_job_shows_its_progress_and_its_starter_or_the_methodologist_cancels_it(
    seminar, settings, methodologist, reporter_a, reporter_b, other_methodologist
):
    settings.TASKS = QUEUED
    response = client_for(reporter_a).post(pack_url(seminar))
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == Job.Status.QUEUED and job.task_id
    page = client_for(reporter_a).get(job_url(job)).content.decode()
    assert "Gaida" in page and 'hx-trigger="every 1s"' in page and 'value="0"' in page
    assert "Atcelt darbu" in page  # the starter may cancel
    # A worker takes it and gets half-way (its own steps, run by hand): the polled fragment says so.
    runner.claim(str(job.pk))
    beat = runner.Heartbeat(job.pk, every=1)
    beat.progress("Veido slaidus", 2, 4)
    beat.beat()
    fragment = client_for(reporter_a).get(job_url(job), headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert fragment.status_code == 200 and body.startswith("<section") and "<html" not in body
    assert "Veido slaidus" in body and 'value="50"' in body and "50 %" in body
    # Another reporter does not see it; another network's methodologist does not either.
    assert client_for(reporter_b).get(job_url(job)).status_code == 404
    assert client_for(other_methodologist).get(job_url(job)).status_code == 404
    assert client_for(reporter_b).post(job_url(job) + "cancel/").status_code == 404
    # The methodologist may cancel anyone's job; a running one is asked to stop.
    assert client_for(methodologist).post(job_url(job) + "cancel/").status_code == 302
    job.refresh_from_db()
    assert job.cancel_requested and job.status == Job.Status.RUNNING
    beat.beat()
    with pytest.raises(runner.JobCancelled):
        beat.progress("Veido izdales materiālu", 3, 4)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.JOB_CANCELLED)
    assert entry.actor == methodologist and entry.new["job"] == str(job.pk)


def test_a_cancelled_waiting_job_is_never_run(seminar, settings, methodologist):
    settings.TASKS = QUEUED
    client = client_for(methodologist)
    client.post(pack_url(seminar))
    job = Job.objects.get()
    page = client.post(job_url(job) + "cancel/", follow=True).content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and "Atcelts" in page and "Atcelt darbu" not in page
    assert runner.run_job.call(str(job.pk)) == "skipped"
    assert not folder(job).exists()
    again = client.post(job_url(job) + "cancel/", follow=True).content.decode()
    assert "nav ko atcelt" in again
    assert AuditEntry.objects.filter(action=AuditEntry.Action.JOB_CANCELLED).count() == 1


def test_a_worker_runs_the_queued_job_to_the_end(seminar, settings, methodologist):
    settings.TASKS = QUEUED
    client_for(methodologist).post(pack_url(seminar))
    job = Job.objects.get()
    assert runner.run_job.call(str(job.pk)) == Job.Status.DONE
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == job.total == 3 and job.percent == 100
    assert sorted(p.name for p in folder(job).iterdir() if not p.name.startswith(".")) == sorted(job.result["files"])
    last = client_for(methodologist).get(job_url(job), headers={"HX-Request": "true"})
    assert last.status_code == 286 and "Gatavs" in last.content.decode()  # htmx swaps it in and stops polling


def test_a_job_whose_heartbeat_stopped_is_retried_once_then_failed(seminar, settings, methodologist):
    settings.TASKS = QUEUED
    settings.JOBS_MAX_ATTEMPTS = 2
    client_for(methodologist).post(pack_url(seminar))
    job = Job.objects.get()
    runner.claim(str(job.pk))
    assert actions.sweep_stale() == []  # beating recently: left alone
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert [j.pk for j in actions.sweep_stale()] == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.attempts == 1
    runner.claim(str(job.pk))
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    page = client_for(methodologist).get(job_url(job)).content.decode()
    assert (
        "Fona process kādu laiku nav devis ziņu" in page
    )  # the page says the worker looks gone before the sweep comes
    actions.sweep_stale()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 2
    page = client_for(methodologist).get(job_url(job)).content.decode()
    assert "nekas no tā netika piemērots" in page
    kinds = AuditEntry.objects.filter(action=AuditEntry.Action.JOB_FAILED).values_list("new", flat=True)
    assert [k["retried"] for k in kinds.order_by("at", "id")] == [True, False]


def test_a_job_id_that_is_not_one_is_a_404(world, methodologist):
    client = client_for(methodologist)
    assert client.get(f"/n/{world.network.slug}/jobs/not-a-uuid/").status_code == 404
    assert client.get(f"/n/{world.network.slug}/jobs/{'0' * 32}/").status_code == 404
    assert re.search(r"404", str(client.post(f"/n/{world.network.slug}/jobs/x/cancel/").status_code))


def test_the_pls_import_is_a_job_that_a_worker_applies_in_one_go(db, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from parskats.accounts.models import Role
    from parskats.network.models import Network
    from parskats.pls import staging
    from parskats.reporting.models import Value

    from .factories import give_role, user
    from .test_pls_screen import DATA, URL, token_of

    settings.TASKS = QUEUED
    settings.PLS_STAGING_DIR = tmp_path / "staging"
    network = Network.objects.create(name="ASV publiskās bibliotēkas (IMLS PLS)", slug="us-pls")
    admin = user("pls.admin@example.org", "Pēteris Paraugs")
    give_role(admin, network, Role.Kind.ADMIN)
    client = client_for(admin)
    ae = SimpleUploadedFile("ae.csv", (DATA / "FY2017" / "pls_fy2017_libraries.csv").read_bytes())
    preview = client.post(URL, {"year": "2017", "ae_file": ae})
    response = client.post(URL, {"token": token_of(preview.content.decode())})
    job = Job.objects.get()
    assert response["Location"] == job_url(job) and job.status == Job.Status.QUEUED and job.subject == "FY2017"
    assert not Value.objects.exists()  # queued: nothing written yet
    assert "Gaida" in client.get(job_url(job)).content.decode()
    assert job_url(job) in client.get(URL).content.decode()  # the screen lists the latest imports
    assert runner.run_job.call(str(job.pk)) == Job.Status.DONE
    page = client.get(job_url(job)).content.decode()
    assert "Finanšu gads 2017 importēts" in page and "hx-trigger" not in page
    assert Value.objects.filter(report__period__year=2017).exists()
    imported = AuditEntry.objects.get(action=AuditEntry.Action.DATA_IMPORTED)
    assert imported.actor == admin and imported.channel == AuditEntry.Channel.FORM
    assert not any(staging.root().iterdir())  # the staged files went with the job
    out, err = io.StringIO(), io.StringIO()
    call_command("jobs", "follow", str(job.pk), stdout=out, stderr=err)
    assert out.getvalue().strip().endswith(f"{job.pk} done") and "100%" in err.getvalue()
    listing = io.StringIO()
    call_command("jobs", "list", stdout=listing)
    assert str(job.pk) in listing.getvalue() and "PLS finanšu gada 2017 imports" in listing.getvalue()


def test_a_pls_job_refused_by_the_importer_fails_with_its_reasons_and_writes_nothing(db, settings, tmp_path):
    from parskats.network.models import Network
    from parskats.pls.jobs import start_import
    from parskats.reporting.models import Value

    from .factories import user
    from .test_pls_screen import DATA

    settings.TASKS = QUEUED
    network = Network.objects.create(name="ASV publiskās bibliotēkas (IMLS PLS)", slug="us-pls")
    folder_ = tmp_path / "tok" / "FY2017"
    folder_.mkdir(parents=True)
    raw = (DATA / "FY2017" / "pls_fy2017_libraries.csv").read_bytes()
    (folder_ / "ae.csv").write_bytes(raw[: len(raw) - 100])
    job = start_import(user("x@example.org", "X"), network, "tok", folder_, {"year": 2017})
    assert runner.run_job.call(str(job.pk)) == Job.Status.FAILED
    job.refresh_from_db()
    assert any("65. rinda" in p for p in job.problems) and not Value.objects.exists()


@pytest.fixture
def annual_review(world, methodologist):
    from parskats.yearbook import workflow

    from .test_yearbook import approved, write

    p20, p21 = world.periods[2020], world.periods[2021]
    approved(world.library_a, p20, users=400, visits=5000, loans=9000)
    write(approved(world.library_a, p21, users=420, visits=5600, loans=9900), "general", "Visu gadu.")
    return workflow.create_review(methodologist, world.network, world.survey, 2021)


def test_annual_review_exports_run_as_one_job_with_four_files(annual_review, settings, tmp_path, methodologist):
    from docx import Document

    settings.JOBS_FILES_ROOT = tmp_path / "job-files"
    settings.TASKS = QUEUED
    client = client_for(methodologist)
    base = f"/n/{annual_review.network.slug}/annual-review/2021/"
    response = client.post(base + "exports/")
    job = Job.objects.get()
    assert response["Location"] == job_url(job) and job.kind == "yearbook.exports"
    assert job_url(job) in client.get(base).content.decode()
    assert runner.run_job.call(str(job.pk)) == Job.Status.DONE
    job.refresh_from_db()
    assert sorted(n.rsplit("-", 1)[1] for n in job.result["files"]) == ["en.docx", "en.pdf", "lv.docx", "lv.pdf"]
    page = client.get(job_url(job)).content.decode()
    for name in job.result["files"]:
        assert f"files/{name}" in page
        body = b"".join(client.get(f"{job_url(job)}files/{name}").streaming_content)
        if name.endswith(".pdf"):
            assert body.startswith(b"%PDF")
        else:
            title = Document(io.BytesIO(body)).paragraphs[0].text
            assert ("bibliotēku darba pārskats par 2021. gadu" in title) == name.endswith("-lv.docx"), title
