"""The rest of the report: narratives (autosaved), activities, photos and check explanations.
Every change writes its audit record in the same transaction."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parskats.accounts.models import User
from parskats.audit.models import record
from parskats.catalogue.models import NarrativeSection
from parskats.core.freetext import STORY, is_whole_number

from .entry import EntryError, ensure_editable, remove_report_item, save_value
from .form import field_rows, narrative_item
from .models import Activity, Explanation, Narrative, Photo, Report
from .photos import process_photo
from .rows import render_checks
from .views import found_url, report_in_network

MAX_NARRATIVE_CHARS = STORY


def editable_report(request: HttpRequest, network: str, report: int) -> Report:
    found = report_in_network(request, network, report, write=True)
    return found


def _audit(request: HttpRequest, report: Report, action: str, target: str, old: object, new: object) -> None:
    record(
        actor=request.user,
        channel="form",
        action=action,
        network=report.period.network,
        report=report,
        target=target,
        old=old,
        new=new,
    )


@login_required
@require_POST
def save_narrative(request: HttpRequest, network: str, report: int, code: str) -> HttpResponse:
    """Autosave of a narrative section (htmx), with the same optimistic versioning as the values."""
    found = editable_report(request, network, report)
    section = NarrativeSection.objects.filter(survey_id=found.period.survey_id, code=code).first()
    if section is None or not section.on_form(found.period.year, found.unit.library_type):
        raise Http404("No such section.")
    text = request.POST.get("text", "").replace("\r\n", "\n")
    base = request.POST.get("version", "")
    status, message = "saved", ""
    narrative = Narrative.objects.filter(report=found, section=section).first()
    if len(text) > MAX_NARRATIVE_CHARS:
        status, message = (
            "error",
            _("The text is too long (at most %(max)s characters).") % {"max": MAX_NARRATIVE_CHARS},
        )
    else:
        try:
            with transaction.atomic():
                ensure_editable(Report.objects.select_for_update().get(pk=found.pk))
                narrative = Narrative.objects.select_for_update().filter(report=found, section=section).first()
                current = narrative.version if narrative else 0
                old = narrative.text if narrative else ""
                if old != text:
                    if is_whole_number(base) and int(base) != current:
                        raise EntryError(
                            _("Someone else changed this text meanwhile. Copy your text, reload the page and merge.")
                        )
                    found.version += 1
                    Report.objects.filter(pk=found.pk).update(version=found.version, updated_at=timezone.now())
                    if narrative is None:
                        narrative = Narrative(report=found, section=section)
                    narrative.text, narrative.version = text, found.version
                    narrative.updated_by = request.user  # type: ignore[assignment]
                    narrative.save()
                    _audit(request, found, "narrative", section.code, old, text)
        except EntryError as error:
            status, message = "error", error.message
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


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["title", "date", "end_date", "mode", "attendance", "audience", "partners", "description"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: object, report: Report | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.report = report

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end is before the start."))
        if self.report and start and start.year != self.report.period.year:
            self.add_error("date", _("The date must be in %(year)s.") % {"year": self.report.period.year})
        return data


@login_required
def add_activity(request: HttpRequest, network: str, report: int) -> HttpResponse:
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
        ensure_editable(found)
    except EntryError as error:
        messages.error(request, error.message)
        return redirect(found_url(found) + "#activities")
    if activity_form.is_valid():
        with transaction.atomic():
            activity = activity_form.save(commit=False)
            activity.report, activity.updated_by = found, request.user
            activity.save()
            _audit(request, found, "other", "activity", None, {"title": activity.title, "date": str(activity.date)})
        messages.success(request, _("Activity added: %(title)s.") % {"title": activity.title})
        return redirect(found_url(found) + "#activities")
    return render(
        request,
        "reporting/activity_form.html",
        {"report": found, "network": found.period.network, "activity_form": activity_form},
    )


@login_required
@require_POST
def delete_activity(request: HttpRequest, network: str, report: int, activity: int) -> HttpResponse:
    found = editable_report(request, network, report)
    item = get_object_or_404(Activity, report=found, pk=activity)
    try:
        remove_report_item(request.user, found, item, {"title": item.title, "date": str(item.date)})
    except EntryError as error:
        messages.error(request, error.message)
        return redirect(found_url(found) + "#activities")
    messages.success(request, _("Activity removed: %(title)s.") % {"title": item.title})
    return redirect(found_url(found) + "#activities")


@login_required
@require_POST
def compute_events(request: HttpRequest, network: str, report: int) -> HttpResponse:
    """Fill the event indicators from the activity list (hybrid events count as in person)."""
    found = editable_report(request, network, report)
    items = list(Activity.objects.filter(report=found))
    figures = {
        "events": len(items),
        "events_inperson": sum(1 for a in items if a.mode != Activity.Mode.VIRTUAL),
        "events_virtual": sum(1 for a in items if a.mode == Activity.Mode.VIRTUAL),
        "event_attendance": sum(a.attendance or 0 for a in items),
    }
    try:
        with transaction.atomic():
            for code, number in figures.items():
                save_value(request.user, found, code, number, None)
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
def add_photo(request: HttpRequest, network: str, report: int) -> HttpResponse:
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
        ensure_editable(found)
        if not photo_form.is_valid():
            raise ValidationError(
                "; ".join(
                    f"{photo_form.fields[f].label}: {' '.join(map(str, e))}" for f, e in photo_form.errors.items()
                )
            )
        image, thumbnail = process_photo(photo_form.cleaned_data["image"])
    except EntryError as error:
        messages.error(request, error.message)
        return redirect(request.path)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(request.path)
    else:
        data = photo_form.cleaned_data
        with transaction.atomic():
            photo = Photo(
                report=found,
                alt_text=data["alt_text"],
                caption=data["caption"],
                credit=data["credit"],
                consent=data["consent"],
                uploaded_by=request.user if isinstance(request.user, User) else None,
            )
            photo.image.save("photo.jpg", image, save=False)
            photo.thumbnail.save("thumb.jpg", thumbnail, save=False)
            photo.save()
            _audit(request, found, "other", "photo", None, {"caption": photo.caption, "consent": photo.consent})
        messages.success(request, _("Photo added."))
    return redirect(found_url(found) + "#photos")


@login_required
@require_POST
def delete_photo(request: HttpRequest, network: str, report: int, photo: int) -> HttpResponse:
    found = editable_report(request, network, report)
    item = get_object_or_404(Photo, report=found, pk=photo)
    try:
        remove_report_item(request.user, found, item, {"caption": item.caption, "consent": item.consent})
    except EntryError as error:
        messages.error(request, error.message)
        return redirect(found_url(found) + "#photos")
    item.image.delete(save=False)
    item.thumbnail.delete(save=False)
    messages.success(request, _("Photo removed."))
    return redirect(found_url(found) + "#photos")


@login_required
@require_POST
def explain(request: HttpRequest, network: str, report: int) -> HttpResponse:
    """Save (or clear) the explanation of a warning; answers with the refreshed check panel."""
    found = editable_report(request, network, report)
    check, field = request.POST.get("check", ""), request.POST.get("field", "")
    category, text = request.POST.get("category", ""), request.POST.get("text", "").strip()
    rows, summary = field_rows(found)
    result = next((r for r in summary.warnings if r.code == check and r.field == field), None)
    error = ""
    if result is None:
        error = _("This warning no longer applies.")
    elif category not in Explanation.Category.values:
        error = _("Choose a category.")
    elif not text:
        error = _("Write the explanation.")
    elif len(text) > 2000:
        error = _("The explanation is too long (at most 2000 characters).")
    else:
        try:
            with transaction.atomic():
                ensure_editable(found)
                current = Explanation.objects.filter(report=found, check_code=check, indicator_code=field).first()
                old = {"category": current.category, "text": current.text} if current else None
                Explanation.objects.update_or_create(
                    report=found,
                    check_code=check,
                    indicator_code=field,
                    defaults={"category": category, "text": text, "updated_by": request.user},
                )
                _audit(request, found, "explanation", field, old, {"check": check, "category": category, "text": text})
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
