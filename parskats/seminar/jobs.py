"""The seminar pack (slides and handout) as a background job: 300 libraries take the better part
of a minute, too long for a request. The files are written beside each other or not at all
(pack.write_pack), into the job's own folder; its page hands them out."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parskats.jobs import actions as job_actions
from parskats.jobs import files as job_files
from parskats.jobs.models import Job
from parskats.jobs.registry import JobFailed, Kind, Progress
from parskats.stats.aggregate import StatsError

from . import access
from .models import Seminar
from .pack import write_pack

KIND = "seminar.pack"


def start_pack(actor: Any, seminar: Seminar, base_url: str) -> Job:
    title = _("Slides and handout: %(seminar)s") % {"seminar": seminar.title}
    return job_actions.start(actor, KIND, seminar.network, str(seminar.pk), title[:200], {"base_url": base_url})


def run(job: Job, progress: Progress) -> dict[str, Any]:
    seminar = Seminar.objects.select_related("network").filter(pk=int(job.subject), network=job.network).first()
    if seminar is None:
        raise JobFailed([_("The seminar no longer exists.")])
    try:
        written = write_pack(seminar, job_files.folder(job), str(job.params.get("base_url", "")), progress)
    except StatsError as error:
        raise JobFailed([_("The slides cannot be made: %(reason)s") % {"reason": error}]) from None
    return {"files": [written.pptx.name, written.pdf.name], "lines": []}


def may_see(user: Any, job: Job) -> bool:
    try:
        access.get_seminar_for_user(user, job.network.slug, int(job.subject))
    except Http404:
        return False
    return True


def back_url(job: Job) -> str:
    return reverse("seminar:detail", args=[job.network.slug, int(job.subject)])


KIND_SPEC = Kind(code=KIND, label=gettext_lazy("Seminars"), run=run, may_see=may_see, back_url=back_url)
