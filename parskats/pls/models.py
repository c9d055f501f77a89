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
