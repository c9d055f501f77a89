"""A job's status page (polled by htmx while it runs), its cancel button and its files."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parskats.core.downloads import attachment

from . import access, actions, files
from .registry import kind_of


@login_required
def status(request: HttpRequest, network: str, job: str) -> HttpResponse:
    found, can_cancel, can_resume = access.get_job_for_user(request.user, network, job)
    context = {
        "job": found,
        "network": found.network,
        "can_cancel": can_cancel,
        "can_resume": can_resume,
        "back_url": kind_of(found).back_url(found),
        "kind_label": kind_of(found).label,
        "result_template": kind_of(found).result_template,
        "stale": files.looks_stale(found),
    }
    if request.headers.get("HX-Request"):
        # 286: htmx swaps this last answer in and stops polling.
        return render(request, "jobs/_progress.html", context, status=286 if found.finished else 200)
    return render(request, "jobs/status.html", context)


@login_required
@require_POST
def cancel(request: HttpRequest, network: str, job: str) -> HttpResponse:
    found, can_cancel, _can_resume = access.get_job_for_user(request.user, network, job)
    if not can_cancel:
        messages.error(request, _("This job has ended; there is nothing to cancel."))
    else:
        try:
            actions.cancel(request.user, found)
        except actions.JobBusy:
            messages.error(request, _("The job is writing its result and can no longer be stopped; it ends shortly."))
        else:
            messages.success(request, _("Cancellation asked for: the job stops at its next step."))
    return redirect("jobs:status", network, found.pk)


@login_required
@require_POST
def resume(request: HttpRequest, network: str, job: str) -> HttpResponse:
    found, _can_cancel, can_resume = access.get_job_for_user(request.user, network, job)
    if not can_resume:
        messages.error(request, _("Only a failed or cancelled job that keeps what it did can be run for the rest."))
    else:
        actions.resume(request.user, found)
        messages.success(request, _("The job runs again for what it had not done; what was done is not repeated."))
    return redirect("jobs:status", network, found.pk)


@login_required
def download(request: HttpRequest, network: str, job: str, name: str) -> FileResponse:
    found = access.get_job_for_user(request.user, network, job).job
    path = files.output(found, name)
    if path is None:
        raise Http404("No such file.")
    response = FileResponse(path.open("rb"), content_type=files.content_type(Path(name)))
    attachment(response, name)
    return response
