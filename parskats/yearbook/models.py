"""The region's annual review ("pārskats"): one document per network, survey and year, and in a
network of regions one more per region (the network's own is then the national summary).

The outline is not stored: it follows the narrative sections of the year's form (catalogue data),
framed by the methodologist's own summary and conclusions. What is stored is the methodologist's
work on it: the text under each section, which libraries' texts are included, in which order,
shortened or quoted, and every saved version with who changed what.

Sections are referred to by code, not by a foreign key, so a review keeps its selections when a
section later leaves the catalogue (the editor then says so instead of failing).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SUMMARY = "summary"
CONCLUSIONS = "conclusions"


class AnnualReview(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        PUBLISHED = "published", _("published")

    network = models.ForeignKey(
        "network.Network", on_delete=models.CASCADE, related_name="annual_reviews", verbose_name=_("network")
    )
    survey = models.ForeignKey(
        "catalogue.Survey", on_delete=models.PROTECT, related_name="annual_reviews", verbose_name=_("survey")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # A region's own review (its libraries, its figures); empty: the whole network's, which for a
    # network of regions is the national annual summary with every region's headline figures.
    region = models.ForeignKey(
        "network.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "region"},
        verbose_name=_("region"),
    )
    title_lv = models.CharField(_("title (Latvian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    conclusions = models.TextField(_("conclusions"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Optimistic locking: every save bumps it; a save based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual review")
        verbose_name_plural = _("annual reviews")
        ordering = ["network", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "survey", "year"], condition=models.Q(region__isnull=True), name="review_unique_year"
            ),
            models.UniqueConstraint(
                fields=["network", "survey", "year", "region"],
                condition=models.Q(region__isnull=False),
                name="review_unique_region_year",
            ),
        ]

    def __str__(self) -> str:
        return self.title_lv

    def title(self, language: str = "lv") -> str:
        return (self.title_en if language == "en" else "") or self.title_lv

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ReviewSection(models.Model):
    """The methodologist's own text under one narrative section, and whether its figures are shown."""

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="sections")
    code = models.SlugField(_("section"), max_length=64)
    text = models.TextField(_("introduction"), blank=True)
    show_figures = models.BooleanField(_("show the region's figures"), default=True)

    class Meta:
        verbose_name = _("review section")
        verbose_name_plural = _("review sections")
        constraints = [models.UniqueConstraint(fields=["review", "code"], name="review_section_unique")]

    def __str__(self) -> str:
        return self.code


class Excerpt(models.Model):
    """One library's text for one section as the review uses it: included or not, its place, and a
    shortened version (empty: the whole text) or a quote."""

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="excerpts")
    section_code = models.SlugField(_("section"), max_length=64)
    report = models.ForeignKey("reporting.Report", on_delete=models.CASCADE, related_name="+", verbose_name=_("report"))
    included = models.BooleanField(_("included"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("shortened text"), blank=True, help_text=_("Empty: the library's whole text."))
    quote = models.BooleanField(_("as a quotation"), default=False)

    class Meta:
        verbose_name = _("excerpt")
        verbose_name_plural = _("excerpts")
        ordering = ["review", "section_code", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "section_code", "report"], name="excerpt_unique_text")]

    def __str__(self) -> str:
        return f"{self.section_code}/{self.report_id}"


class ReviewVersion(models.Model):
    """A saved draft: the whole editable state after the save, and what the save changed."""

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    saved_at = models.DateTimeField(_("saved"), auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saved_by_name = models.CharField(_("who"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=list)  # [{"target": …, "label": …}]
    snapshot = models.JSONField(_("content"), default=dict)

    class Meta:
        verbose_name = _("review version")
        verbose_name_plural = _("review versions")
        ordering = ["review", "-number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="review_version_unique")]

    def __str__(self) -> str:
        return f"{self.review_id} v{self.number}"
