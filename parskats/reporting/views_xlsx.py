"""Spreadsheet download and upload (spreadsheet.py does the work)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parskats.accounts.access import get_network_for_user, is_network_admin
from parskats.core.downloads import attachment

from .access import reports_for_user
from .spreadsheet import ImportFailed, export_workbook, import_workbook
from .views import report_in_network

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    attachment(response, name)
    return response


@login_required
def download(request: HttpRequest, network: str, report: int) -> HttpResponse:
    found = report_in_network(request, network, report)
    return _attachment(export_workbook([found]), f"parskats-{found.unit.code}-{found.period.year}.xlsx")


@login_required
def download_region(request: HttpRequest, network: str, year: int) -> HttpResponse:
    """The methodologist's workbook: every report of the year, one sheet each."""
    net = get_network_for_user(request.user, network)
    if not is_network_admin(request.user, net):
        raise Http404("No such workbook.")
    reports = list(reports_for_user(request.user).filter(period__network=net, period__year=year).order_by("unit__code"))
    if not reports:
        raise Http404("No reports for that year.")
    return _attachment(export_workbook(reports), f"parskats-{net.slug}-{year}.xlsx")


class UploadForm(forms.Form):
    workbook = forms.FileField(label=gettext_lazy("Filled workbook (.xlsx)"))


@login_required
def upload(request: HttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    problems = []
    upload_form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload_form.is_valid():
        data = upload_form.cleaned_data["workbook"].read(6 * 1024 * 1024)
        try:
            result = import_workbook(request.user, net, data)
        except ImportFailed as failure:
            problems = failure.problems
        else:
            messages.success(
                request,
                _("The workbook was applied: %(changed)s value(s) changed in %(reports)s report(s).")
                % {"changed": result.changed, "reports": len(result.reports)},
            )
            if len(result.reports) == 1:
                return redirect("reporting:form", network=net.slug, report=result.reports[0].pk)
            return redirect("reporting:index", network=net.slug)
    return render(request, "reporting/upload.html", {"network": net, "upload_form": upload_form, "problems": problems})
