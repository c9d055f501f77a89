"""Reporting periods, reports (unit × survey × period) and their values.

A value is a number, or one of the codes "not applicable" and "unknown", which are never zero:
the database itself refuses a number together with a code, or a code without its number.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parskats.core.freetext import SHORT_TEXT, STORY, TEXT
from parskats.core.text import REPORT, to_html


class ReportingPeriod(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    network = models.ForeignKey(
        "network.Network", on_delete=models.CASCADE, related_name="periods", verbose_name=_("network")
    )
    survey = models.ForeignKey(
        "catalogue.Survey", on_delete=models.PROTECT, related_name="periods", verbose_name=_("survey")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    # The regions' deadline for approving their libraries' reports, where the network reviews on two
    # levels; empty: the Latvian rule's 1 May of the year after the reporting year.
    review_deadline = models.DateField(
        _("areas' approval deadline"), null=True, blank=True, help_text=_("Empty: 1 May of the year after.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["network", "survey", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["network", "survey", "year"], name="period_unique"),
            models.CheckConstraint(condition=models.Q(deadline__gte=models.F("opens_on")), name="period_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.year} ({self.network})"

    @property
    def region_deadline(self) -> dt.date:
        """By when a region approves its libraries' reports (the national level's first day)."""
        return self.review_deadline or dt.date(self.year + 1, 5, 1)


class NationalStatus(models.TextChoices):
    PENDING = "", pgettext_lazy("national review", "waiting")
    ACCEPTED = "accepted", pgettext_lazy("national review", "accepted nationally")
    RETURNED = "returned", pgettext_lazy("national review", "returned to the area")


class Report(models.Model):
    NationalStatus = NationalStatus

    class Status(models.TextChoices):
        # A context of their own: "atskaite" is feminine, while the same English words name the
        # region's annual review's (masculine) states.
        DRAFT = "draft", pgettext_lazy("report status", "draft")
        SUBMITTED = "submitted", pgettext_lazy("report status", "submitted")
        RETURNED = "returned", pgettext_lazy("report status", "returned")
        APPROVED = "approved", pgettext_lazy("report status", "approved")

    unit = models.ForeignKey(
        "network.OrgUnit", on_delete=models.PROTECT, related_name="reports", verbose_name=_("library")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("period")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Optimistic locking: every write bumps it; a write based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # When the methodologist first opened this submission; until then the reporter may withdraw it.
    opened_at = models.DateTimeField(_("opened for review"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # The national level, after the region approved (review/national.py): pending (""), accepted, or
    # returned to the region with the national methodologist's comment. Reopening clears it.
    national_status = models.CharField(
        _("national review"),
        max_length=16,
        choices=NationalStatus.choices,
        default=NationalStatus.PENDING,
        db_default=NationalStatus.PENDING,  # the imports insert reports with raw SQL that names no such column
        blank=True,
    )
    accepted_at = models.DateTimeField(_("accepted nationally"), null=True, blank=True)
    national_comment = models.TextField(_("national comment"), max_length=TEXT, blank=True, db_default="")

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="report_unit_period_unique")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.period.year}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class Value(models.Model):
    class Code(models.TextChoices):
        NUMBER = "num", _("number")
        NOT_APPLICABLE = "na", _("not applicable")
        UNKNOWN = "unknown", _("unknown")

    class Flag(models.TextChoices):
        REPORTED = "reported", _("reported")
        ESTIMATED = "estimated", _("estimated")
        IMPUTED = "imputed", _("imputed")
        ADJUSTED = "adjusted", _("adjusted")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values", verbose_name=_("report"))
    indicator = models.ForeignKey(
        "catalogue.Indicator", on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    code = models.CharField(_("kind of value"), max_length=8, choices=Code.choices, default=Code.NUMBER)
    number = models.DecimalField(_("number"), max_digits=18, decimal_places=3, null=True, blank=True)
    flag = models.CharField(_("flag"), max_length=12, choices=Flag.choices, default=Flag.REPORTED)
    # Optimistic locking per field: a save based on an older version is refused (reporting/entry.py).
    version = models.PositiveIntegerField(_("version"), default=1)
    source_code = models.CharField(
        _("original code"), max_length=16, blank=True, help_text=_("A missing-value code as the source file gave it.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="value_report_indicator_unique"),
            models.CheckConstraint(
                condition=(models.Q(code="num") & models.Q(number__isnull=False))
                | (models.Q(code__in=["na", "unknown"]) & models.Q(number__isnull=True)),
                name="value_number_xor_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.display_raw}"

    @property
    def display_raw(self) -> str:
        return str(self.number) if self.code == self.Code.NUMBER else self.code

    @property
    def numeric(self) -> Decimal | None:
        """The number, or None for "not applicable" and "unknown" (never zero)."""
        return self.number if self.code == self.Code.NUMBER else None


class Narrative(models.Model):
    """The text of one narrative section (catalogue.NarrativeSection) of a report, in Markdown."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="narratives", verbose_name=_("report"))
    section = models.ForeignKey(
        "catalogue.NarrativeSection", on_delete=models.PROTECT, related_name="narratives", verbose_name=_("section")
    )
    text = models.TextField(_("text"), blank=True, max_length=STORY)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        ordering = ["report", "section__order"]
        constraints = [models.UniqueConstraint(fields=["report", "section"], name="narrative_report_section_unique")]

    def __str__(self) -> str:
        return f"{self.report} — {self.section.code}"

    @property
    def html(self) -> str:
        """The text as sanitised HTML (Markdown without raw HTML, cleaned by nh3)."""
        return to_html(self.text, REPORT)


class Activity(models.Model):
    """An event the library held: the list behind the event count and attendance indicators."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        VIRTUAL = "virtual", _("virtual")
        HYBRID = "hybrid", _("hybrid")

    class Audience(models.TextChoices):
        CHILDREN = "children", _("children")
        YOUTH = "youth", _("youth")
        ADULTS = "adults", _("adults")
        SENIORS = "seniors", _("seniors")
        ALL = "all", _("all ages")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="activities", verbose_name=_("report"))
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    end_date = models.DateField(_("until"), null=True, blank=True, help_text=_("For an event over several days."))
    mode = models.CharField(_("format"), max_length=16, choices=Mode.choices)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.ALL)
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=SHORT_TEXT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["report", "date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("date")),
                name="activity_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.title}"


def photo_path(instance: Photo, filename: str) -> str:
    """A generated name: nothing of the uploaded file name reaches the disk."""
    return f"reports/{instance.report_id}/{uuid.uuid4().hex}.jpg"


def thumbnail_path(instance: Photo, filename: str) -> str:
    return f"reports/{instance.report_id}/{uuid.uuid4().hex}-thumb.jpg"


class Photo(models.Model):
    """A photo of the library's year. Only consented photos of approved reports may go public."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos", verbose_name=_("report"))
    image = models.ImageField(_("image"), upload_to=photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=thumbnail_path)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    alt_text = models.CharField(_("text alternative"), max_length=300)
    consent = models.BooleanField(
        _("may be published"),
        default=False,
        help_text=_("The people in the photo (or their parents) agreed that it may be published."),
    )
    credit = models.CharField(_("author / consent given by"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["report", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.alt_text


def public_photos() -> models.QuerySet[Photo]:
    """The photos that may be shown publicly: consented ones of approved reports."""
    return Photo.objects.filter(consent=True, report__status=Report.Status.APPROVED)


class Explanation(models.Model):
    """A reporter's explanation of a check's warning, kept as data to be searched and summarised."""

    class Category(models.TextChoices):
        PANDEMIC = "pandemic", _("pandemic closure")
        RENOVATION = "renovation", _("renovation or move")
        NEW_BRANCH = "new_branch", _("new branch or merger")
        SERVICE_CHANGE = "service_change", _("change of services or opening hours")
        STAFF = "staff", _("staff change")
        COUNTING = "counting", _("new counting method")
        DATA_ERROR = "data_error", _("earlier data were wrong")
        CORRECT = "correct", _("the figure is correct")
        OTHER = "other", _("other")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="explanations", verbose_name=_("report"))
    check_code = models.CharField(_("check"), max_length=64)
    indicator_code = models.CharField(_("indicator"), max_length=64)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    text = models.TextField(_("explanation"), max_length=SHORT_TEXT)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("explanation")
        verbose_name_plural = _("explanations")
        ordering = ["report", "indicator_code", "check_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "check_code", "indicator_code"], name="explanation_report_check_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_code}/{self.indicator_code}: {self.get_category_display()}"
