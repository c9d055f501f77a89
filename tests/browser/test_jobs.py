"""In a real browser: a seminar pack queued as a background job; its page follows the worker's
progress by htmx polling, without a reload, and offers the files when it is done; WCAG 2.1 AA."""

import pytest

from parskats.jobs import runner
from parskats.jobs.models import Job

from ..factories import PASSWORD
from ..seminar_support import approved_reports, make_seminar
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_job_page_follows_the_worker_and_offers_the_files(page, world, methodologist, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JOBS_FILES_ROOT = tmp_path / "job-files"
    approved_reports(world)
    seminar = make_seminar(world, methodologist)
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/seminars/{seminar.pk}/")
    page.get_by_role("button", name="Sagatavot slaidus un izdales materiālu fonā").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Gaida").is_visible()
    assert_accessible(page)
    screenshot(page, "job-waiting")
    job = Job.objects.get()
    runner.claim(str(job.pk))  # a worker takes it and gets a quarter of the way
    beat = runner.Heartbeat(job.pk, every=1)
    beat.progress("Veido slaidus", 1, 4)
    beat.beat()
    page.get_by_role("heading", name="Notiek: Veido slaidus").wait_for(timeout=10000)
    assert page.get_by_text("25 %").is_visible()
    assert_accessible(page)
    screenshot(page, "job-running")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)  # handed back, then run to the end
    assert runner.run_job.call(str(job.pk)) == Job.Status.DONE
    page.get_by_role("heading", name="Gatavs").wait_for(timeout=10000)
    names = Job.objects.get(pk=job.pk).result["files"]
    with page.expect_download() as download:
        page.get_by_role("link", name=names[0]).click()
    assert download.value.suggested_filename == names[0]
    assert_accessible(page)
    screenshot(page, "job-done")
