"""Review comments (general or on one field). Reminders sent are in jobs.SentMail (review.reminders)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parskats.core.freetext import TEXT

if TYPE_CHECKING:
    from parskats.catalogue.models import Indicator


class ReviewComment(models.Model):
    """A methodologist's remark on a report: general (no target) or on one indicator (its code)."""

    report = models.ForeignKey(
        "reporting.Report", on_delete=models.CASCADE, related_name="review_comments", verbose_name=_("report")
    )
    target = models.CharField(_("field"), max_length=64, blank=True, help_text=_("Indicator code; empty: general."))
    text = models.TextField(_("comment"), max_length=TEXT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(_("author"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    # Comments written while the report waits for review are sent with the next return.
    sent_at = models.DateTimeField(_("sent to the library"), null=True, blank=True)
    # Not a column: the feedback page and the return email set it to the field the comment is on.
    indicator: Indicator | None

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "target"], name="review_comment_target")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.target or '—'}: {self.text[:40]}"
