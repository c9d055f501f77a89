"""API tokens: a person's key for reading non-public data through the API. Only a hash is stored;
the token itself is shown once, when it is issued. A token issued for a network unlocks that network
only; tokens from before networks were recorded (network empty) act for every network of their person."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from parskats.accounts.models import User
    from parskats.network.models import Network

TOKEN_PREFIX = "pk_"  # noqa: S105 - a marker, not a secret


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    network = models.ForeignKey(
        "network.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("network"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. the program using it."))
    digest = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} — {self.name}"

    def acts_for(self, network: Network) -> bool:
        return self.network_id is None or self.network_id == network.pk


@transaction.atomic
def issue_token(user: User, name: str, network: Network | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; the raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, network=network, name=name[:100], digest=_digest(raw))
    return token, raw


def find_token(raw: str) -> ApiToken | None:
    """The usable token of this secret, or None (unknown, revoked, or its person deactivated); notes its use."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


class DataVersion(models.Model):
    """A counter per network that moves whenever anything the figures are computed from changes
    (values, reports, the map, the register, the catalogue): the figures cache keys on it, so a
    cached table is never older than the data it claims to show (stats/cache.py)."""

    network = models.OneToOneField(
        "network.Network", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("network")
    )
    counter = models.PositiveBigIntegerField(_("changes"), default=0)
    # Moves only when units or links change: the network maps (network/timeline.py) key on it, so
    # a number typed into a form does not reload a national map of tens of thousands of units.
    map_counter = models.PositiveBigIntegerField(_("changes to the map"), default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.network_id}: {self.counter}"


class PeriodVersion(models.Model):
    """Moves when a value or a report of one reporting year changes (DataVersion's counter stays):
    the figures of the network's other years stay cached, so a number typed into the open year
    recomputes that year's table, not the whole series beside it."""

    period = models.OneToOneField(
        "reporting.ReportingPeriod",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("reporting period"),
    )
    counter = models.PositiveBigIntegerField(_("changes"), default=0)

    class Meta:
        verbose_name = _("data version of a reporting year")
        verbose_name_plural = _("data versions of reporting years")

    def __str__(self) -> str:
        return f"{self.period_id}: {self.counter}"


class PeriodChange(models.Model):
    """Which library a move of a year's counter was about: written with the move, in its transaction,
    so a reader that sees the counter also sees why it moved. The figures cache then recomputes only
    the groups of the libraries that changed (stats/cache.py) instead of the whole year. Old entries
    are pruned: a table further behind than they reach is computed again in full."""

    period = models.ForeignKey(
        "reporting.ReportingPeriod", on_delete=models.CASCADE, related_name="+", verbose_name=_("reporting period")
    )
    counter = models.PositiveBigIntegerField(_("changes"))
    unit_id = models.BigIntegerField(_("library"), null=True)  # no key: the report may be gone, its library too

    class Meta:
        verbose_name = _("change of a reporting year")
        verbose_name_plural = _("changes of reporting years")
        indexes = [models.Index(fields=["period", "counter"], name="stats_period_change_counter")]

    def __str__(self) -> str:
        return f"{self.period_id}: {self.counter} ({self.unit_id})"


class ImputationRun(models.Model):
    """One imputation of a year's missing numbers, run by the methodologist. Its values are kept apart
    from reported ones (ImputedValue); undoing the run sets `undone_at` and the figures are as before.
    At most one run of a year is in force: a new run supersedes the previous one."""

    period = models.ForeignKey(
        "reporting.ReportingPeriod", on_delete=models.CASCADE, related_name="imputation_runs", verbose_name=_("period")
    )
    methods = models.JSONField(_("methods"), default=dict, help_text=_("The imputation settings the run used."))
    created_at = models.DateTimeField(_("run"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Published by the methodologist while the year's collection is open: the public figures of the
    # year then show these estimates, labelled preliminary, until the reports replace them.
    published_at = models.DateTimeField(_("published as preliminary"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("imputation run")
        verbose_name_plural = _("imputation runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"], condition=models.Q(undone_at__isnull=True), name="imputation_one_active_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.undone_at is None


class ImputedValue(models.Model):
    """An estimate of a number a library did not report, with how it was made. It never changes a
    reported value and is ignored wherever the library's own number is counted."""

    run = models.ForeignKey(ImputationRun, on_delete=models.CASCADE, related_name="values", verbose_name=_("run"))
    unit = models.ForeignKey(
        "network.OrgUnit", on_delete=models.CASCADE, related_name="imputed_values", verbose_name=_("library")
    )
    indicator = models.ForeignKey(
        "catalogue.Indicator", on_delete=models.CASCADE, related_name="imputed_values", verbose_name=_("indicator")
    )
    number = models.DecimalField(_("number"), max_digits=18, decimal_places=3)
    method = models.CharField(_("method"), max_length=32)
    inputs = models.JSONField(_("inputs"), default=dict, help_text=_("What the estimate was computed from."))

    class Meta:
        verbose_name = _("imputed value")
        verbose_name_plural = _("imputed values")
        constraints = [
            models.UniqueConstraint(fields=["run", "unit", "indicator"], name="imputed_value_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.indicator_id}={self.number} ({self.method})"
