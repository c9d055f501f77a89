"""Rows of a PLS file that an import with quarantine left out: kept whole, with every problem, so
that someone can correct them and reconciliation can count them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parskats.network.models import Network


class QuarantinedRow(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+", verbose_name=_("network"))
    year = models.PositiveIntegerField(_("fiscal year"))
    kind = models.CharField(_("kind of file"), max_length=16)  # ae, outlet, state
    file_name = models.CharField(_("file"), max_length=255)
    line = models.PositiveIntegerField(_("line"))
    key = models.CharField(_("key"), max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=8, blank=True)
    problems = models.JSONField(_("problems"), default=list)
    cells = models.JSONField(_("cells"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("quarantined row")
        verbose_name_plural = _("quarantined rows")
        ordering = ["year", "kind", "line"]
        indexes = [models.Index(fields=["network", "year", "kind"])]

    def __str__(self) -> str:
        return f"FY{self.year} {self.file_name}:{self.line}"


class OfficialTotal(models.Model):
    """A state total as the survey published it (the state summary file): the official figure that
    the totals recomputed from the library systems are reconciled with, a time series of its own for
    years whose library files are not imported (or not published)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+", verbose_name=_("network"))
    year = models.PositiveIntegerField(_("fiscal year"))
    state = models.CharField(_("state"), max_length=8)
    indicator = models.ForeignKey(
        "catalogue.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    code = models.CharField(_("kind of value"), max_length=8)  # reporting.Value.Code
    number = models.DecimalField(_("number"), max_digits=18, decimal_places=3, null=True, blank=True)
    source_code = models.CharField(_("original code"), max_length=16, blank=True)
    file_name = models.CharField(_("file"), max_length=255)

    class Meta:
        verbose_name = _("official state total")
        verbose_name_plural = _("official state totals")
        constraints = [
            models.UniqueConstraint(fields=["network", "year", "state", "indicator"], name="pls_official_total_once")
        ]

    def __str__(self) -> str:
        return f"FY{self.year} {self.state} {self.indicator_id}: {self.number}"
