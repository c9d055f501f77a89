"""A library network as a tree of organisation units whose parent links are valid over time.

A library's county is not a column of the library: it is a Membership with valid_from / valid_to,
so the 2021 territorial reform (Strenči county joining Valmiera county) is two rows, and every
question about "where" is asked at a date. See timeline.py for the queries.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# A library, county or region; "unit" alone is also the unit of measurement (catalogue), a
# different word in Latvian.
ORG_UNIT = pgettext_lazy("organisation unit", "unit")


class Network(models.Model):
    """A library network; its reporting year is a calendar year unless it says otherwise (England's
    local authorities report by financial year, 1 April – 31 March, named by the year it ends in)."""

    class YearNamedBy(models.TextChoices):
        START = "start", _("the calendar year it starts in")
        END = "end", _("the calendar year it ends in")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Pages of a demo network say that its figures are invented.")
    )
    year_start_month = models.PositiveSmallIntegerField(
        _("reporting year starts: month"), default=1, help_text=_("Month 1 and day 1: a calendar year.")
    )
    year_start_day = models.PositiveSmallIntegerField(_("reporting year starts: day"), default=1)
    year_named_by = models.CharField(
        _("a reporting year is named by"),
        max_length=8,
        choices=YearNamedBy.choices,
        default=YearNamedBy.END,
        help_text=_("Only for a year that is not a calendar year: 2024 is the year 2023/24 or 2024/25."),
    )

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_start_month__gte=1, year_start_month__lte=12)
                & models.Q(year_start_day__gte=1, year_start_day__lte=31),
                name="network_year_start_a_day",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            dt.date(2001, self.year_start_month, self.year_start_day)  # not 29 February: a day of every year
        except ValueError:
            raise ValidationError({"year_start_day": _("Not a day of every year.")}) from None

    @property
    def calendar_year(self) -> bool:
        return (self.year_start_month, self.year_start_day) == (1, 1)

    def year_fields(self) -> dict[str, object]:
        """The fields that say the reporting year (a calendar year always named the same way)."""
        named_by = self.YearNamedBy.END if self.calendar_year else self.year_named_by
        return {
            "year_start_month": self.year_start_month,
            "year_start_day": self.year_start_day,
            "year_named_by": named_by,
        }

    def year_span(self, year: int) -> tuple[dt.date, dt.date]:
        """The first and the last day of reporting year `year`."""
        if self.calendar_year:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        first = year if self.year_named_by == self.YearNamedBy.START else year - 1
        start = dt.date(first, self.year_start_month, self.year_start_day)
        return start, dt.date(first + 1, self.year_start_month, self.year_start_day) - dt.timedelta(days=1)

    def year_text(self, year: int) -> str:
        """The days reporting year `year` covers, for pages that name the year; empty for a calendar year."""
        if self.calendar_year:
            return ""
        start, end = self.year_span(year)
        return gettext("Reporting year %(year)s: %(start)s – %(end)s") % {
            "year": year,
            "start": date_format(start, "SHORT_DATE_FORMAT"),
            "end": date_format(end, "SHORT_DATE_FORMAT"),
        }

    def year_of(self, day: dt.date) -> int:
        """The reporting year `day` falls in."""
        if self.calendar_year:
            return day.year
        started = day.year if (day.month, day.day) >= (self.year_start_month, self.year_start_day) else day.year - 1
        return started if self.year_named_by == self.YearNamedBy.START else started + 1


class OrgUnit(models.Model):
    class Level(models.TextChoices):
        COUNTRY = "country", _("country")
        REGION = "region", _("region")
        COUNTY = "county", _("county / municipality")
        LIBRARY = "library", _("library")
        BRANCH = "branch", _("branch or outlet")

    class LibraryType(models.TextChoices):
        PUBLIC = "public", _("public library")
        SCHOOL = "school", _("school library")
        OTHER = "other", _("other library")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="units", verbose_name=_("network"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    library_type = models.CharField(_("library type"), max_length=16, choices=LibraryType.choices, blank=True)
    code = models.CharField(_("code"), max_length=64, help_text=_("A stable identifier within the network."))
    name = models.CharField(_("name"), max_length=200)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        constraints = [
            models.UniqueConstraint(fields=["network", "code"], name="orgunit_code_unique"),
            models.CheckConstraint(
                condition=models.Q(level__in=["library", "branch"]) | models.Q(library_type=""),
                name="orgunit_type_only_for_libraries",
            ),
        ]
        indexes = [models.Index(fields=["network", "level"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_library(self) -> bool:
        return self.level in (self.Level.LIBRARY, self.Level.BRANCH)

    def is_open_on(self, on: dt.date) -> bool:
        return (self.opened_on is None or self.opened_on <= on) and (self.closed_on is None or self.closed_on >= on)

    def clean(self) -> None:
        if self.is_library and not self.library_type:
            raise ValidationError({"library_type": _("A library or branch needs a library type.")})
        if not self.is_library and self.library_type:
            raise ValidationError({"library_type": _("Only libraries and branches have a library type.")})


class Membership(models.Model):
    """child belongs to parent from valid_from to valid_to, both days included; no valid_to: still does."""

    child = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="parent_links", verbose_name=ORG_UNIT)
    parent = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="child_links", verbose_name=_("parent"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["child", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="membership_dates_ordered",
            ),
            models.CheckConstraint(condition=~models.Q(child=models.F("parent")), name="membership_not_self"),
            models.UniqueConstraint(fields=["child", "valid_from"], name="membership_one_start_per_day"),
        ]

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.child} → {self.parent} ({self.valid_from.isoformat()}–{end})"

    def clean(self) -> None:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date is before the start date.")})
        if self.child_id and self.parent_id:
            if self.child.network_id != self.parent.network_id:
                raise ValidationError({"parent": _("The parent belongs to another network.")})
            overlapping = Membership.objects.filter(child_id=self.child_id).exclude(pk=self.pk)
            overlapping = overlapping.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from))
            if self.valid_to:
                overlapping = overlapping.filter(valid_from__lte=self.valid_to)
            if overlapping.exists():
                raise ValidationError(_("This unit already has a parent for part of these dates."))


class PopulationServed(models.Model):
    """The population a library serves in a year: the denominator of every per-capita figure."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="populations", verbose_name=ORG_UNIT)
    year = models.PositiveSmallIntegerField(_("year"))
    persons = models.PositiveIntegerField(_("persons"))

    class Meta:
        verbose_name = _("population served")
        verbose_name_plural = _("populations served")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="population_unit_year_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.persons}"
