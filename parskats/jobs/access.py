"""Who may see a job, cancel it and resume it: whoever may see its object (the kind says who) and either
started it or is the network's methodologist. Anything else is a 404."""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from django.db.models import QuerySet
from django.http import Http404

from parskats.accounts.access import AnyUser, get_network_for_user, is_network_admin

from .actions import may_cancel, may_resume
from .models import Job
from .registry import KINDS, kind_of


def _sees(user: AnyUser, job: Job, admin: bool) -> bool:
    if job.kind not in KINDS:
        return False
    mine = job.started_by_id is not None and job.started_by_id == user.pk
    return (mine or admin) and kind_of(job).may_see(user, job)


class JobAccess(NamedTuple):
    job: Job
    can_cancel: bool
    can_resume: bool  # a stopped job that keeps its done steps: run it again for the rest


def get_job_for_user(user: AnyUser, network_slug: str, job_id: Any) -> JobAccess:
    """The job, and whether this person may cancel it or have it do the rest."""
    network = get_network_for_user(user, network_slug)
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        raise Http404("No such job.") from None
    job = Job.objects.select_related("network", "started_by").filter(pk=pk, network=network).first()
    admin = is_network_admin(user, network)
    if job is None or not _sees(user, job, admin):
        raise Http404("No such job.")
    return JobAccess(job, may_cancel(user, job, admin), may_resume(user, job, admin))


def jobs_of_subject(user: AnyUser, network: Any, kind: str, subject: str | None = None, limit: int = 5) -> list[Job]:
    """The latest jobs of one object (or of every object of the kind) this person may see, for the
    object's own page."""
    admin = is_network_admin(user, network)
    latest: QuerySet[Job] = Job.objects.filter(network=network, kind=kind).select_related("started_by")
    if subject is not None:
        latest = latest.filter(subject=subject)
    return [job for job in latest[: limit * 4] if _sees(user, job, admin)][:limit]
