"""The rest of the report: narratives (autosaved), activities, photos and check explanations.
The views parse and render; every change is an action in items.py (report lock, audit record)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parskats.accounts.http import AuthenticatedHttpRequest
from parskats.catalogue.models import NarrativeSection
from parskats.core.freetext import TextLimitsMixin, is_whole_number

from . import items
from .entry import EntryError, ensure_editable
from .form import field_rows, narrative_item
from .models import Activity, Explanation, Narrative, Photo, Report
from .photos import process_photo
from .rows import render_checks
from .views import found_url, report_in_network


def editable_report(request: HttpRequest, network: str, report: int) -> Report:
    found = report_in_network(request, network, report, write=True)
    return found


@login_required
@require_POST
def save_narrative(request: AuthenticatedHttpRequest, network: str, report: int, code: str) -> HttpResponse:
    """Autosave of a narrative section (htmx), with the same optimistic versioning as the values."""
    found = editable_report(request, network, report)
    section = NarrativeSection.objects.filter(survey_id=found.period.survey_id, code=code).first()
    if section is None or not section.on_form(found.period.year, found.unit.library_type):
        raise Http404("No such section.")
    text = request.POST.get("text", "").replace("\r\n", "\n")
    base = request.POST.get("version", "")
    status, message = "saved", ""
    try:
        narrative = items.save_narrative(
            request.user, found, section, text, int(base) if is_whole_number(base) else None
        )
    except EntryError as error:
        status, message = "error", error.message
        narrative = Narrative.objects.filter(report=found, section=section).first()
    if not request.headers.get("HX-Request"):
        (messages.success if status == "saved" else messages.error)(request, message or _("Saved."))
        return redirect(found_url(found) + "#narratives")
    return render(
        request,
        "reporting/_narrative_status.html",
        {
            "item": narrative_item(section, narrative, text),
            "status": status,
            "message": message,
            "now": timezone.localtime(),
        },
    )


class ActivityForm(TextLimitsMixin, forms.ModelForm[Activity]):
    class Meta:
        model = Activity
        fields = ["title", "date", "end_date", "mode", "attendance", "audience", "partners", "description"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, report: Report | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end is before the start."))
        if self.report and start and start.year != self.report.period.year:
            self.add_error("date", _("The date must be in %(year)s.") % {"year": self.report.period.year})
        return data


@login_required
def add_activity(request: AuthenticatedHttpRequest, network: str, report: int) -> HttpResponse:
    """GET: the form on its own page (the report page stays light); POST: add the activity."""
    found = editable_report(request, network, report)
    if request.method != "POST":
        return render(
            request,
            "reporting/activity_form.html",
            {"report": found, "network": found.period.network, "activity_form": ActivityForm(report=found)},
        )
    activity_form = ActivityForm(request.POST, report=found)
    try:
        # Refused at once for a report that is no longer editable (the action checks again under its lock).
        ensure_editable(found)
        activity = (
            items.add_activity(request.user, found, activity_form.cleaned_data) if activity_form.is_valid() else None
        )
    except EntryError as error:
        messages.error(request, error.message)
        return redirect(found_url(found) + "#activities")
    if activity is not None:
        messages.success(request, _("Activity added: %(title)s.") % {"title": activity.title})
        return redirect(found_url(found) + "#activities")
    return render(
        request,
        "reporting/activity_form.html",
        {"report": found, "network": found.period.network, "activity_form": activity_form},
    )


@login_required
@require_POST
def delete_activity(request: AuthenticatedHttpRequest, network: str, report: int, activity: int) -> HttpResponse:
    found = editable_report(request, network, report)
    item = get_object_or_404(Activity, report=found, pk=activity)
    try:
        items.remove_report_item(request.user, found, item)
    except EntryError as error:
        messages.error(request, error.message)
        return redirect(found_url(found) + "#activities")
    messages.success(request, _("Activity removed: %(title)s.") % {"title": item.title})
    return redirect(found_url(found) + "#activities")


@login_required
@require_POST
def compute_events(request: AuthenticatedHttpRequest, network: str, report: int) -> HttpResponse:
    """Fill the event indicators from the activity list (hybrid events count as in person)."""
    found = editable_report(request, network, report)
    try:
        items.compute_events(request.user, found)
    except EntryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The event figures were computed from the activity list."))
    return redirect(found_url(found) + "#section-events")


class PhotoForm(forms.Form):
    image = forms.FileField(label=gettext_lazy("Photo (JPEG, PNG or WebP, at most 10 MB)"))
    alt_text = forms.CharField(
        label=gettext_lazy("What the photo shows (for screen readers)"), max_length=300, required=True
    )
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=300, required=False)
    credit = forms.CharField(label=gettext_lazy("Author / consent given by"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=gettext_lazy("The people in the photo agreed that it may be published"), required=False
    )


@login_required
def add_photo(request: AuthenticatedHttpRequest, network: str, report: int) -> HttpResponse:
    """GET: the upload form on its own page; POST: check, re-encode and add the photo."""
    found = editable_report(request, network, report)
    if request.method != "POST":
        return render(
            request,
            "reporting/photo_form.html",
            {"report": found, "network": found.period.network, "photo_form": PhotoForm()},
        )
    photo_form = PhotoForm(request.POST, request.FILES)
    try:
        # Refused at once for a report that is no longer editable (the action checks again under its lock).
        ensure_editable(found)
        if not photo_form.is_valid():
            raise ValidationError(
                "; ".join(
                    f"{photo_form.fields[f].label}: {' '.join(map(str, e))}" for f, e in photo_form.errors.items()
                )
            )
        image, thumbnail = process_photo(photo_form.cleaned_data["image"])
        data = photo_form.cleaned_data
        items.add_photo(
            request.user,
            found,
            image,
            thumbnail,
            alt_text=data["alt_text"],
            caption=data["caption"],
            credit=data["credit"],
            consent=data["consent"],
        )
    except EntryError as error:
        messages.error(request, error.message)
        return redirect(request.path)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(request.path)
    messages.success(request, _("Photo added."))
    return redirect(found_url(found) + "#photos")


@login_required
@require_POST
def delete_photo(request: AuthenticatedHttpRequest, network: str, report: int, photo: int) -> HttpResponse:
    found = editable_report(request, network, report)
    item = get_object_or_404(Photo, report=found, pk=photo)
    try:
        items.remove_report_item(request.user, found, item)
    except EntryError as error:
        messages.error(request, error.message)
        return redirect(found_url(found) + "#photos")
    messages.success(request, _("Photo removed."))
    return redirect(found_url(found) + "#photos")


@login_required
@require_POST
def explain(request: AuthenticatedHttpRequest, network: str, report: int) -> HttpResponse:
    """Save (or clear) the explanation of a warning; answers with the refreshed check panel."""
    found = editable_report(request, network, report)
    check, field = request.POST.get("check", ""), request.POST.get("field", "")
    category, text = request.POST.get("category", ""), request.POST.get("text", "").strip()
    rows, summary = field_rows(found)
    result = next((r for r in summary.warnings if r.code == check and r.field == field), None)
    error = ""
    if result is None:
        error = _("This warning no longer applies.")
    else:
        try:
            items.explain(request.user, found, check, field, category, text)
        except EntryError as exc:
            error = exc.message
        rows, summary = field_rows(found)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect(found_url(found) + "#checks")
    return render(
        request,
        "reporting/_explained.html",
        {
            "network": found.period.network,
            "report": found,
            "checks_html": [render_checks(row, oob=True) for row in rows],
            "summary": summary,
            "editable": True,
            "explain_error": error,
            "explain_key": f"{check}:{field}",
            "categories": Explanation.Category.choices,
        },
    )
