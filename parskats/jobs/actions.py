"""What people do with jobs: start one, cancel one, resume one that keeps its done steps; and what
the system does with the jobs of a worker that died (the stale-heartbeat sweep). Each in one
transaction with its audit record; the queue is told after the commit, so a worker never picks up
a job that is not in the table yet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parskats.audit.models import AuditEntry, record

from . import queue
from .models import Job
from .registry import KINDS


def _record(actor: Any, action: str, job: Job, *, channel: str = AuditEntry.Channel.FORM, **fields: Any) -> None:
    """A job's audit record: what happened to it, under its kind and object."""
    record(
        actor=actor,
        channel=channel,
        action=action,
        network=job.network,
        target=f"{job.kind}:{job.subject}"[:64],
        **fields,
    )


def start(
    actor: Any, kind: str, network: Any, subject: str, title: str, params: dict[str, Any], *, after_commit: bool = False
) -> Job:
    """Put a job of a registered kind in the queue; with the inline backend (make run) it has run
    when this returns. With `after_commit`, called inside the caller's own action (bulk approval):
    the job's row and its audit record are part of that transaction (a rolled-back action leaves no
    job), and the queue is told once it commits (inline: the job runs then, still in the request)."""
    if kind not in KINDS:
        raise LookupError(f"No job kind {kind!r} is registered.")
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            network=network,
            subject=subject,
            title=title,
            params=params,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        _record(actor, AuditEntry.Action.JOB_STARTED, job, new={"job": str(job.pk), "title": title})
    if after_commit:
        transaction.on_commit(lambda: queue.send(job))
        return job
    queue.send(job)
    job.refresh_from_db()
    return job


def _mine(user: Any, job: Job) -> bool:
    return job.started_by_id is not None and job.started_by_id == user.pk


def may_cancel(user: Any, job: Job, is_admin: bool) -> bool:
    return not job.finished and (is_admin or _mine(user, job))


def may_resume(user: Any, job: Job, is_admin: bool) -> bool:
    """A failed or cancelled job whose done steps stay (emails sent) may be run again for the rest:
    its keys skip what was done. Work that rolls back as a whole is started afresh from its page."""
    kind = KINDS.get(job.kind)
    return kind is not None and kind.keeps_done_steps and job.status in Job.STOPPED and (is_admin or _mine(user, job))


class JobBusy(Exception):
    """SQLite only: the job's own transaction holds the database's one write lock, so it cannot be
    told to stop; it is writing its result and ends on its own shortly."""


def cancel(actor: Any, job: Job) -> Job:
    """A waiting job ends at once; a running one is asked to stop and stops at its next step (its
    work rolls back). The caller checked may_cancel."""
    try:
        return _cancel(actor, job)
    except OperationalError as exc:
        if connection.vendor == "sqlite" and "locked" in str(exc):
            raise JobBusy from None
        raise


def _cancel(actor: Any, job: Job) -> Job:
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.finished:
            return locked
        if locked.status == Job.Status.QUEUED:
            locked.status = Job.Status.CANCELLED
            locked.finished_at = timezone.now()
        locked.cancel_requested = True
        locked.save(update_fields=["status", "finished_at", "cancel_requested"])
        _record(
            actor,
            AuditEntry.Action.JOB_CANCELLED,
            locked,
            old={"status": job.status},
            new={"job": str(locked.pk), "status": locked.status},
        )
    return locked


def resume(actor: Any, job: Job) -> Job:
    """Back to the queue, to do what it had not done; the caller checked may_resume."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status not in Job.STOPPED:
            return locked  # resumed by someone else a moment ago, or never ended
        old = locked.status
        locked.status = Job.Status.QUEUED
        locked.cancel_requested = False
        locked.finished_at = None
        locked.problems = []
        locked.save(update_fields=["status", "cancel_requested", "finished_at", "problems"])
        _record(
            actor,
            AuditEntry.Action.JOB_RESUMED,
            locked,
            old={"status": old},
            new={"job": str(locked.pk), "attempt": locked.attempts + 1},
        )
    queue.send(locked)
    locked.refresh_from_db()
    return locked


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "JOBS_STALE_SECONDS", 120)))


def sweep_stale(skip: Collection[str] = ()) -> list[Job]:
    """Jobs whose worker stopped beating (killed, machine gone): the work was all-or-nothing, so
    nothing of it stayed (or, for a kind that keeps its done steps, a retry skips them); the job goes
    back to the queue while it has attempts left, else it fails."""
    limit = timezone.now() - stale_after()
    attempts = int(getattr(settings, "JOBS_MAX_ATTEMPTS", 2))
    swept: list[Job] = []
    stale = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=limit).values_list("pk", flat=True)
    for pk in stale:
        if str(pk) in skip:
            continue
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=pk, status=Job.Status.RUNNING).first()
            if job is None or job.heartbeat_at is None or job.heartbeat_at >= limit:
                continue
            retry = job.attempts < attempts and not job.cancel_requested
            job.status = Job.Status.QUEUED if retry else Job.Status.FAILED
            if not retry:
                job.finished_at = timezone.now()
                keeps = job.kind in KINDS and KINDS[job.kind].keeps_done_steps
                with translation.override(job.language):
                    job.problems = [
                        _("The worker running this job stopped; what it had done before stopping is kept.")
                        if keeps
                        else _("The worker running this job stopped; nothing of it was applied.")
                    ]
            job.save(update_fields=["status", "finished_at", "problems"])
            _record(
                None,
                AuditEntry.Action.JOB_FAILED,
                job,
                channel=AuditEntry.Channel.SYSTEM,
                new={"job": str(job.pk), "attempt": job.attempts, "retried": retry},
                note="stale heartbeat",
            )
        swept.append(job)
        if retry:
            queue.send(job)
    return swept
