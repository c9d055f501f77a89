from django.contrib import admin

from parskats.core.admin import ViewOnly

from .models import Activity, Explanation, Narrative, Photo, Report, ReportingPeriod, Value


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin[ReportingPeriod]):
    list_display = ["network", "survey", "year", "opens_on", "deadline", "status"]
    list_filter = ["network", "survey", "status"]


class ValueInline(ViewOnly, admin.TabularInline[Value, Report]):
    model = Value
    extra = 0
    raw_id_fields = ["indicator", "updated_by"]


class NarrativeInline(ViewOnly, admin.StackedInline[Narrative, Report]):
    model = Narrative
    extra = 0
    raw_id_fields = ["updated_by"]


class ActivityInline(ViewOnly, admin.TabularInline[Activity, Report]):
    model = Activity
    extra = 0
    raw_id_fields = ["updated_by"]


class PhotoInline(ViewOnly, admin.TabularInline[Photo, Report]):
    model = Photo
    extra = 0
    fields = ["image", "caption", "alt_text", "consent", "credit"]


class ExplanationInline(ViewOnly, admin.TabularInline[Explanation, Report]):
    model = Explanation
    extra = 0
    raw_id_fields = ["updated_by"]


@admin.register(Report)
class ReportAdmin(ViewOnly, admin.ModelAdmin[Report]):
    """Read-only, with its parts: values, texts and statuses change only through the form and the
    review (reporting.entry.save_value, the workflow functions), which respect the approval lock
    and write the audit trail; an edit here would do neither."""

    list_display = ["unit", "period", "status", "updated_at"]
    list_filter = ["period__network", "period__year", "status"]
    search_fields = ["unit__name", "unit__code"]
    raw_id_fields = ["unit"]
    inlines = [ValueInline, NarrativeInline, ActivityInline, PhotoInline, ExplanationInline]
