"""Reporting periods, reports (unit × survey × period) and their values.

A value is a number, or one of the codes "not applicable" and "unknown", which are never zero:
the database itself refuses a number together with a code, or a code without its number.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")

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
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

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
