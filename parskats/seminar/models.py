"""A seminar of the network: when and where, who takes part, and its agenda.

Participants are the network's reporters (read from their roles when needed, never copied) and
guests, who are stored with the minimum we need to invite them: name, role, email and language.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Seminar(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public: anyone with the link")
        PARTICIPANTS = "participants", _("participants only")

    network = models.ForeignKey(
        "network.Network", on_delete=models.CASCADE, related_name="seminars", verbose_name=_("network")
    )
    # A region's own seminar (its libraries, its figures); empty: the whole network's.
    region = models.ForeignKey(
        "network.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "region"},
        verbose_name=_("region"),
    )
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("reporting year"))
    starts_at = models.DateTimeField(_("start"), help_text=_("Date and time in Riga time."))
    place = models.CharField(_("place"), max_length=300, blank=True)
    meeting_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("default minutes per library"), default=5)
    visibility = models.CharField(
        _("agenda page"), max_length=16, choices=Visibility.choices, default=Visibility.PARTICIPANTS
    )
    # A stable identifier for calendar programs: a re-sent invitation updates the same event.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE, bumped on every change.")
    invitations_sent_at = models.DateTimeField(_("invitations sent"), null=True, blank=True)
    news_article = models.ForeignKey(
        "news.Article", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("news")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("seminar")
        verbose_name_plural = _("seminars")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(place="") & models.Q(meeting_url="")), name="seminar_has_place_or_link"
            ),
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=1), name="seminar_slot_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Guest(models.Model):
    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="guests", verbose_name=_("seminar"))
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=200, blank=True, help_text=_("For example: head of education."))
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="lv")

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["seminar", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["seminar", "email"], name="guest_email_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        OPENING = "opening", _("opening")
        OVERVIEW = "overview", _("regional overview")
        LIBRARY = "library", _("library")
        BREAK = "break", _("break")
        GUEST = "guest", _("guest remarks")
        CLOSING = "closing", _("closing")
        OTHER = "other", _("other")

    seminar = models.ForeignKey(
        Seminar, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("seminar")
    )
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    # A slot may be pinned to a clock time (a guest who can only come at 11:00); the others follow.
    fixed_start = models.TimeField(_("fixed start"), null=True, blank=True)
    library = models.ForeignKey(
        "network.OrgUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("library")
    )
    guest = models.ForeignKey(
        Guest, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items", verbose_name=_("guest")
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["seminar", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="library") | models.Q(library__isnull=False), name="agenda_library_has_unit"
            ),
            models.CheckConstraint(condition=models.Q(minutes__gte=1), name="agenda_minutes_positive"),
        ]

    def __str__(self) -> str:
        return self.title
