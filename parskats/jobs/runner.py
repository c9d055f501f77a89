"""The task the queue runs: claim the job, run its kind's work with a progress callable, record how
it ended. A heartbeat thread (its own database connection, so it is seen while the work's
transaction is still open) writes the progress every JOBS_HEARTBEAT_SECONDS and reads whether the
job was cancelled; a job whose heartbeat stops is swept (actions.sweep_stale)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from . import queue
from .actions import sweep_stale
from .models import Job
from .registry import JobCancelled, JobFailed, kind_of

logger = logging.getLogger(__name__)
# The jobs this process is running: its own sweep leaves them alone even if a long step of native
# code (a PDF, a chart) held the interpreter past a heartbeat.
CURRENT: set[str] = set()


class Heartbeat(threading.Thread):
    def __init__(self, job_id: Any, every: float) -> None:
        super().__init__(daemon=True, name=f"job-heartbeat-{job_id}")
        self.job_id = job_id
        self.every = every
        self.stage, self.done, self.total = "", 0, 0
        self.cancelled = False
        self.halt = threading.Event()

    def progress(self, stage: str, done: int, total: int) -> None:
        """The work's progress callable: remembered here, written by the thread; stops a cancelled job."""
        self.stage, self.done, self.total = str(stage)[:120], done, total
        # The thread reads the cancellation every beat; at the end of each stage the work asks itself
        # too, so a cancel that came in the last beat before a commit still stops it.
        if self.cancelled or (total and done >= total and self._asked_to_stop()):
            raise JobCancelled

    def _asked_to_stop(self) -> bool:
        return Job.objects.filter(pk=self.job_id, cancel_requested=True).exists()

    def run(self) -> None:
        try:
            while not self.halt.wait(self.every):
                self.beat()
        finally:
            connection.close()  # the thread's own connection

    def beat(self) -> None:
        try:
            Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                heartbeat_at=timezone.now(), stage=self.stage, done=self.done, total=self.total
            )
            self.cancelled = Job.objects.filter(pk=self.job_id, cancel_requested=True).exists()
        except DatabaseError:
            # SQLite while the work's transaction holds the write lock: the next beat gets through.
            logger.debug("heartbeat of job %s skipped", self.job_id)


def claim(job_id: str) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return None  # cancelled while waiting, or already taken
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.heartbeat_at = timezone.now()
        job.stage, job.done, job.total = "", 0, 0
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "stage", "done", "total"])
    return job


def finish(job: Job, status: str, beat: Heartbeat, result: Any = None, problems: list[str] | None = None) -> None:
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=status,
        result=result,
        problems=problems or [],
        stage=beat.stage,
        done=beat.total if status == Job.Status.DONE else beat.done,
        total=beat.total,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )


@task()
def run_job(job_id: str) -> str:
    if not queue.inline():
        sweep_stale(skip=CURRENT)  # a worker that starts picks up what a killed one left
    job = claim(job_id)
    if job is None:
        return "skipped"
    CURRENT.add(str(job.pk))
    beat = Heartbeat(job.pk, float(getattr(settings, "JOBS_HEARTBEAT_SECONDS", 2)))
    if not queue.inline():
        beat.start()
    try:
        with translation.override(job.language):
            try:
                result = kind_of(job).run(job, beat.progress)
            except JobCancelled as exc:
                status, result = Job.Status.CANCELLED, None
                problems = exc.problems or [_("Cancelled: nothing of it was applied.")]
            except JobFailed as exc:
                status, result, problems = Job.Status.FAILED, None, exc.problems
            except Exception:
                logger.exception("job %s (%s) failed", job.pk, job.kind)
                status, result = Job.Status.FAILED, None
                problems = [_("The job failed unexpectedly; nothing of it was applied. The error is in the log.")]
            else:
                status, problems = Job.Status.DONE, []
    finally:
        beat.halt.set()
        if beat.is_alive():
            beat.join()
    try:
        finish(job, status, beat, result, problems)
    finally:
        CURRENT.discard(str(job.pk))
    return str(status)
