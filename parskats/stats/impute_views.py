"""The methodologist's imputation page: the runs of the network (in force or undone), a button to
impute a year's missing numbers and one to undo a run. Everything else is in impute.py."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parskats.accounts.access import get_network_for_user
from parskats.network.models import Network

from .aggregate import default_survey, survey_years
from .imputation import settings
from .impute import (
    ImputationRefused,
    get_run_for_admin,
    publish_preliminary,
    run_imputation,
    runs_for_admin,
    undo_imputation,
)
from .models import ImputationRun, ImputedValue


@login_required
def imputation(request: HttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    runs = runs_for_admin(request.user, net)  # the access check, before a form is read
    years = survey_years(net, default_survey(net)) if net.periods.exists() else []
    if request.method == "POST":
        raw = request.POST.get("year", "")
        if not raw.isdigit() or int(raw) not in years:
            messages.error(request, _("Choose one of the network's reporting years."))
            return render(request, "stats/imputation.html", _context(net, runs, years), status=400)
        try:
            run = run_imputation(request.user, net, int(raw))
        except ImputationRefused as error:
            messages.error(request, str(error))
            return render(request, "stats/imputation.html", _context(net, runs, years), status=400)
        count = run.values.count()
        messages.success(
            request, _("%(year)s: %(count)s missing values imputed.") % {"year": run.period.year, "count": count}
        )
        return redirect("stats:imputation", net.slug)
    return render(request, "stats/imputation.html", _context(net, runs, years))


def _context(net: Network, runs: QuerySet[ImputationRun], years: list[int]) -> dict[str, object]:
    """The runs, each with how many of its values each method gave (for the runs in force)."""
    listed = list(runs)
    active = [run.pk for run in listed if run.undone_at is None]
    methods: dict[int, Counter[str]] = {pk: Counter() for pk in active}
    for run_id, method in ImputedValue.objects.filter(run_id__in=active).values_list("run_id", "method"):
        methods[run_id][method] += 1
    rows = [(run, sorted(methods.get(run.pk, Counter()).items())) for run in listed]
    return {"network": net, "runs": rows, "years": years, "rules": settings()}


@login_required
@require_POST
def undo(request: HttpRequest, network: str, run_id: int) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    run = get_run_for_admin(request.user, net, run_id)
    if undo_imputation(request.user, run):
        messages.success(request, _("The imputation of %(year)s was undone.") % {"year": run.period.year})
    else:
        messages.info(request, _("That imputation was already undone."))
    return redirect("stats:imputation", net.slug)


@login_required
@require_POST
def publish(request: HttpRequest, network: str, run_id: int) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    run = get_run_for_admin(request.user, net, run_id)
    try:
        publish_preliminary(request.user, run)
    except ImputationRefused as error:
        messages.error(request, str(error))
        return redirect("stats:imputation", net.slug)
    messages.success(request, _("The preliminary figures of %(year)s are public.") % {"year": run.period.year})
    return redirect("stats:imputation", net.slug)
