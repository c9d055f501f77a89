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
        # The report and its parts
        REPORT_STARTED = "report_started", _("report started")
        FIELDS_COPIED = "fields_copied", _("fields copied from last year")
        REPORT_WITHDRAWN = "report_withdrawn", _("submission withdrawn")
        REPORT_OPENED = "report_opened", _("opened for review")
        ACTIVITY_ADDED = "activity_added", _("activity added")
        ACTIVITY_REMOVED = "activity_removed", _("activity removed")
        PHOTO_ADDED = "photo_added", _("photo added")
        PHOTO_REMOVED = "photo_removed", _("photo removed")
        PERIOD_ADDED = "period_added", _("reporting year added")
        PERIOD_CHANGED = "period_changed", _("reporting year changed")
        NATIONAL_ACCEPTED = "national_accepted", _("accepted nationally")
        NATIONAL_RETURNED = "national_returned", _("returned to the area by the national level")
        # People and the network
        ROLE_GRANTED = "role_granted", _("role granted")
        ROLE_REMOVED = "role_removed", _("role removed")
        INVITATION_SENT = "invitation_sent", _("invitation sent")
        PERSON_ERASED = "person_erased", _("personal data erased")
        LIBRARY_ADDED = "library_added", _("library added")
        LIBRARY_CHANGED = "library_changed", _("library changed")
        LIBRARY_MOVED = "library_moved", _("library moved")
        TOKEN_ISSUED = "token_issued", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        DATA_IMPORTED = "data_imported", _("data imported")
        IMPUTATION_RUN = "imputation_run", _("missing values imputed")
        IMPUTATION_UNDONE = "imputation_undone", _("imputation undone")
        PRELIMINARY_PUBLISHED = "preliminary_published", _("preliminary figures published")
        # News
        ARTICLE_CREATED = "article_created", _("article created")
        ARTICLE_CHANGED = "article_changed", _("article changed")
        ARTICLE_IMAGE_ADDED = "article_image_added", _("article image added")
        ARTICLE_IMAGE_REMOVED = "article_image_removed", _("article image removed")
        EDITOR_ADDED = "editor_added", _("news editor added")
        EDITOR_REMOVED = "editor_removed", _("news editor removed")
        COMMENT_RULES_CHANGED = "comment_rules_changed", _("comment rules changed")
        # Seminars
        SEMINAR_CREATED = "seminar_created", _("seminar created")
        SEMINAR_CHANGED = "seminar_changed", _("seminar changed")
        AGENDA_PROPOSED = "agenda_proposed", _("agenda proposed")
        AGENDA_ITEM_ADDED = "agenda_item_added", _("agenda item added")
        AGENDA_ITEM_CHANGED = "agenda_item_changed", _("agenda item changed")
        AGENDA_ITEM_MOVED = "agenda_item_moved", _("agenda item moved")
        AGENDA_ITEM_REMOVED = "agenda_item_removed", _("agenda item removed")
        GUEST_ADDED = "guest_added", _("guest added")
        GUEST_REMOVED = "guest_removed", _("guest removed")
        SEMINAR_INVITATIONS_SENT = "seminar_invited", _("seminar invitations sent")
        NEWS_DRAFTED = "news_drafted", _("news draft written")

        JOB_STARTED = "job_started", _("background job started")
        JOB_CANCELLED = "job_cancelled", _("background job cancelled")
        JOB_FAILED = "job_failed", _("background job stopped by a dead worker")
        JOB_RESUMED = "job_resumed", _("background job started again for the rest")
        # Rows written before the kinds above existed say what they were in their note and target;
        # record() refuses it for new rows.
        OTHER = "other", _("other change (recorded before typed kinds)")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # The actor may later be erased (GDPR); the name at the time stays as text.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("who"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
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
    """Append one audit entry; call it inside the transaction that makes the change.

    `action` is one of AuditEntry.Action, never OTHER: a new row says what kind of change it was,
    so the trail can be filtered and read without parsing free text."""
    if action == AuditEntry.Action.OTHER or action not in AuditEntry.Action.values:
        raise ValueError(f"Audit action {action!r} is not a typed kind of change (AuditEntry.Action).")
    if channel not in AuditEntry.Channel.values:
        raise ValueError(f"Audit channel {channel!r} is not one of AuditEntry.Channel.")
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
