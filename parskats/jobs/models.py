"""A background job as the people who started it see it: what it is, how far it got, how it ended.

The queue itself is Django's tasks API (django-tasks, its database backend in production); this
table is ours because the queue keeps no progress, no heartbeat and no one to show the job to."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)
    STOPPED = (Status.FAILED, Status.CANCELLED)  # finished without doing all of it

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=32)  # a key of jobs.registry
    network = models.ForeignKey("network.Network", on_delete=models.CASCADE, related_name="+")
    # The job's object (a seminar, a fiscal year, …) as the kind names it, e.g. "12" or "FY2017".
    subject = models.CharField(_("subject"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8, default="lv")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=120, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)  # the queue's id of the latest attempt
    result = models.JSONField(_("result"), null=True, blank=True)
    problems = models.JSONField(_("problems"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="jobs_stale"),
            models.Index(fields=["network", "kind", "subject", "-created_at"], name="jobs_of_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    def cancel_asked(self) -> bool:
        """Read afresh: has someone asked this job to stop since it started? (A kind that keeps each
        step's work asks between steps; the heartbeat reads it too, but only every few seconds.)"""
        return Job.objects.filter(pk=self.pk, cancel_requested=True).exists()

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return 100 * min(self.done, self.total) // self.total if self.total else 0


class SentMail(models.Model):
    """One row per email sent once per purpose (by a job, or by the reminder command): the unique
    (key, address) makes a retried job, a second worker, a second click or a second run send nothing
    twice. The row is written in the transaction that sends the message (jobs.mail.send_once) and
    pruned after jobs.mail.RETENTION. Personal data kept to the minimum: the address and the time."""

    # What the message was for, e.g. "seminar-invitation:<seminar id>:<edition>".
    key = models.CharField(_("purpose"), max_length=100)
    address = models.EmailField(_("address"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="sent_mail")

    class Meta:
        verbose_name = _("email sent")
        verbose_name_plural = _("emails sent")
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["key", "address"], name="sent_mail_once")]
        indexes = [models.Index(fields=["address"], name="sent_mail_address")]

    def __str__(self) -> str:
        return f"{self.key} → {self.address}"
