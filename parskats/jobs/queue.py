"""The one place that talks to the queue (Django's tasks API): send a job, say whether jobs run in
this process (the inline backend of `make run`) or in a worker."""

from __future__ import annotations

from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend

from .models import Job


def inline() -> bool:
    return isinstance(task_backends["default"], ImmediateBackend)


def send(job: Job) -> None:
    """Called after the job's row is committed (a worker may pick it up at once)."""
    from .runner import run_job

    result = run_job.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
