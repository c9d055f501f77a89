"""The audit trail: one append-only row for every change to a value, a narrative or a status.

Rows are written only through `record()` inside the transaction of the change they describe, so a
change and its record land together or not at all. The application never updates or deletes them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Channel(models.TextChoices):
        FORM = "form", _("form")
        SPREADSHEET = "spreadsheet", _("spreadsheet upload")
        API = "api", _("API")
        ADMIN = "admin", _("administration")
        IMPORT = "import", _("data import")
        SYSTEM = "system", _("system")

    class Action(models.TextChoices):
        VALUE = "value", _("value changed")
        NARRATIVE = "narrative", _("text changed")
        STATUS = "status", _("status changed")
        EXPLANATION = "explanation", _("explanation changed")
        COMMENT = "comment", _("comment")
        OTHER = "other", _("other change")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # The actor may later be erased (GDPR); the name at the time stays as text.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("who"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    network = models.ForeignKey("network.Network", on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(
        "reporting.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    # What changed inside the report: an indicator code, a narrative section code, "status", …
    target = models.CharField(_("what"), max_length=64, blank=True)
    old = models.JSONField(_("old value"), null=True, blank=True)
    new = models.JSONField(_("new value"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Not a column: pages that list entries set it to the target's readable name (review history).
    label: str

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["report", "target", "-at"], name="audit_report_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target}"


def record(
    *,
    actor: Any,
    channel: str,
    action: str,
    network: Any,
    report: Any = None,
    target: str = "",
    old: Any = None,
    new: Any = None,
    note: str = "",
) -> AuditEntry:
    """Append one audit entry; call it inside the transaction that makes the change."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=(user.get_full_name() or user.email) if user else "",
        channel=channel,
        action=action,
        network=network,
        report=report,
        target=target,
        old=old,
        new=new,
        note=note,
    )
