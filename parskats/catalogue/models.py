"""Surveys (forms) and their bilingual indicator catalogues, versioned by year. Loaded from data
files in catalogue/data by the load_catalogue command, never written in code."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Bilingual(models.Model):
    """name_lv / name_en picked by the active language, Latvian as the fallback."""

    name_lv = models.CharField(_("name (Latvian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def localised(self, field: str, language: str | None = None) -> str:
        lang = (language or get_language() or "lv").split("-")[0]
        value = getattr(self, f"{field}_{lang}", "") if lang in ("lv", "en") else ""
        return value or getattr(self, f"{field}_lv")

    @property
    def name(self) -> str:
        return self.localised("name")


class Survey(Bilingual):
    code = models.SlugField(_("code"), unique=True)
    source_file = models.CharField(_("loaded from"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["code"]


class Section(Bilingual):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections", verbose_name=_("survey"))
    code = models.SlugField(_("code"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["survey", "order"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="section_code_unique")]


class Unit(Bilingual):
    """A unit of measurement, as data: the catalogue's own (persons, EUR, m², …) come with the
    migration that made units data; a survey's configuration adds its own (GBP, staff-years, …)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code when the unit is money, e.g. GBP.")
    )
    plain = models.BooleanField(_("plain count"), default=False, help_text=_("Not shown beside a name."))

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units of measurement")
        ordering = ["code"]

    @property
    def name(self) -> str:
        return self.localised("name") or self.name_en


_unit_names: dict[str, Unit] = {}


def unit_named(code: str) -> Unit | None:
    """The unit of a code, read once per process; a code not seen yet (a survey's new unit) reloads."""
    if code not in _unit_names:
        _unit_names.clear()
        _unit_names.update({u.code: u for u in Unit.objects.all()})
    return _unit_names.get(code)


class Indicator(Bilingual):
    # The catalogue's own units, as constants for code that treats them specially; the units an
    # indicator may have are the rows of Unit.
    class Unit(models.TextChoices):
        PERSONS = "persons", _("persons")
        COUNT = "count", _("count")
        ITEMS = "items", _("items")
        UNITS = "units", _("units")
        TITLES = "titles", _("titles")
        HOURS = "hours", _("hours")
        DAYS = "days", _("days")
        FTE = "fte", _("full-time equivalents")
        EUR = "eur", _("EUR")
        USD = "usd", _("USD")
        SQM = "sqm", _("m²")
        SQFT = "sqft", _("ft²")

    class ValueType(models.TextChoices):
        INTEGER = "integer", _("whole number")
        DECIMAL = "decimal", _("decimal number")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("sum")
        AVERAGE = "average", _("average")
        NONE = "none", _("not totalled")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("survey"))
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("section"))
    code = models.CharField(_("code"), max_length=64)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("part of"),
        help_text=_("An “of which” indicator is a part of this one."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    definition_lv = models.TextField(_("definition (Latvian)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    unit = models.CharField(_("unit"), max_length=16)
    value_type = models.CharField(_("value type"), max_length=16, choices=ValueType.choices)
    aggregation = models.CharField(_("aggregation"), max_length=16, choices=Aggregation.choices)
    library_types = models.JSONField(_("library types"), default=list, help_text=_("Which library types report it."))
    first_year = models.PositiveSmallIntegerField(_("first year on the form"))
    last_year = models.PositiveSmallIntegerField(_("last year on the form"), null=True, blank=True)
    stable = models.BooleanField(
        _("stable"), default=False, help_text=_("Changes rarely: can be copied from last year in one action.")
    )
    concept = models.CharField(
        _("shared concept"),
        max_length=64,
        blank=True,
        help_text=_("Links indicators of different surveys that mean the same thing."),
    )
    # Not a column: reporting.checks sets it on the form's indicators (its total's code, no extra query).
    parent_code: str

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["survey", "order"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="indicator_code_unique")]

    @property
    def unit_label(self) -> str:
        """The unit to show beside the name, or "" when it would repeat the name: a plain count says
        nothing ("Apmeklējumu kopskaits", not "… skaits"), nor does a unit the name already holds
        ("Slodzes", not "Slodzes slodzes"; "Darba stundas nedēļā", not "… stundas")."""
        if self.unit == self.Unit.COUNT:
            return ""
        if (found := unit_named(self.unit)) is not None and found.plain:
            return ""
        label = self.get_unit_display()
        stem = label.casefold()[:5]
        return "" if stem in self.name.casefold() else label

    def get_unit_display(self) -> str:
        found = unit_named(self.unit)
        return found.name if found is not None else self.unit

    @property
    def name(self) -> str:
        # A foreign survey's indicator may have no Latvian name: its English one is shown instead.
        return self.localised("name") or self.name_en

    @property
    def definition(self) -> str:
        return self.localised("definition")

    def on_form(self, year: int, library_type: str | None = None) -> bool:
        in_years = self.first_year <= year and (self.last_year is None or year <= self.last_year)
        return in_years and (library_type is None or library_type in self.library_types)


class FormPart(models.Model):
    """Something on a survey's form for some years and library types (narrative sections, checks)."""

    library_types = models.JSONField(_("library types"), default=list, help_text=_("Which library types report it."))
    first_year = models.PositiveSmallIntegerField(_("first year on the form"))
    last_year = models.PositiveSmallIntegerField(_("last year on the form"), null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        abstract = True

    def on_form(self, year: int, library_type: str | None = None) -> bool:
        in_years = self.first_year <= year and (self.last_year is None or year <= self.last_year)
        return in_years and (library_type is None or library_type in self.library_types)

    def localised(self, field: str, language: str | None = None) -> str:
        lang = (language or get_language() or "lv").split("-")[0]
        value = getattr(self, f"{field}_{lang}", "") if lang in ("lv", "en") else ""
        return value or getattr(self, f"{field}_lv")


class NarrativeSection(FormPart):
    """A written part of the report (success story, pandemic experience, key insight, …), defined as
    data in the survey's manifest ([[narratives]] tables)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="narrative_sections", verbose_name=_("survey")
    )
    code = models.SlugField(_("code"), max_length=64)
    title_lv = models.CharField(_("title (Latvian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    guidance_lv = models.TextField(_("guidance (Latvian)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    max_words = models.PositiveIntegerField(_("length guide (words)"), null=True, blank=True)
    single_sentence = models.BooleanField(_("one sentence"), default=False)

    class Meta:
        verbose_name = _("narrative section")
        verbose_name_plural = _("narrative sections")
        ordering = ["survey", "order"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="narrative_section_code_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.localised("title")

    @property
    def guidance(self) -> str:
        return self.localised("guidance")


class CheckRule(FormPart):
    """A check on a report's values: an expression in the check language (reporting/expressions.py)
    that must hold. Loaded from <survey>-checks.toml; errors block submission, warnings need an
    explanation."""

    class Severity(models.TextChoices):
        ERROR = "error", _("error")
        WARNING = "warning", _("warning")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="check_rules", verbose_name=_("survey"))
    code = models.SlugField(_("code"), max_length=64)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    # "{field}" in the expression and messages stands for each indicator the rule is applied to.
    expression = models.TextField(_("expression"))
    fields = models.JSONField(_("applies to"), default=list, help_text=_("Indicator codes, or empty: every field."))
    message_lv = models.TextField(_("message (Latvian)"))
    message_en = models.TextField(_("message (English)"), blank=True)
    at_entry = models.BooleanField(
        _("refused at entry"),
        default=False,
        help_text=_("A value that fails this check is refused as it is typed or uploaded, never saved."),
    )

    class Meta:
        verbose_name = _("check rule")
        verbose_name_plural = _("check rules")
        ordering = ["survey", "order"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="check_rule_code_unique")]

    def __str__(self) -> str:
        return self.code

    @property
    def message(self) -> str:
        return self.localised("message")
