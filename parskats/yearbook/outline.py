"""What the review is made of, gathered once per request: the year's narrative sections in catalogue
order, under each the region's figures (from the one aggregation core, with change against the
previous year) and the libraries' texts grouped by county, with the methodologist's choices.

The editor page and both exports read this same `Outline`, so what is edited is what is exported.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override

from parskats.catalogue.models import Indicator, NarrativeSection
from parskats.core.changes import Marker, describe
from parskats.core.collation import sort_key
from parskats.core.numbers import format_number
from parskats.core.text import word_count
from parskats.network.models import OrgUnit
from parskats.network.timeline import hierarchy, year_end
from parskats.reporting.models import Narrative, Report
from parskats.stats import charts
from parskats.stats.aggregate import OFF_MAP, Cell, Scope, Table, aggregate_years, survey_years
from parskats.stats.compare import year_change
from parskats.stats.marks import cell_marks, legend_lines, marked, marks, values_shown

from .models import CONCLUSIONS, SUMMARY, AnnualReview, Excerpt, ReviewSection

FIGURES_FILE = Path(__file__).resolve().parent / "data" / "figures.toml"


@lru_cache(maxsize=1)
def figure_rules() -> dict[str, dict[str, Any]]:
    data = tomllib.loads(FIGURES_FILE.read_text(encoding="utf-8"))
    rules: dict[str, dict[str, Any]] = data.get("sections", {})
    return rules


@dataclass
class FigureTable:
    caption: str
    head: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    # The raw numbers behind the region's column, by indicator code, for checks against the core.
    totals: dict[str, Decimal | None] = field(default_factory=dict)


@dataclass
class FigureChart:
    caption: str
    chart: charts.Chart


@dataclass
class LibraryText:
    report: Report
    unit: OrgUnit
    text: str  # the library's whole text
    excerpt: Excerpt | None
    # What the methodologist typed in a form that was refused, shown again instead of the saved choice.
    posted: dict[str, Any] | None = None

    def _form(self, key: str, saved: object) -> object:
        return self.posted[key] if self.posted is not None and key in self.posted else saved

    @property
    def form_included(self) -> object:
        return self._form("included", self.included)

    @property
    def form_quote(self) -> object:
        return self._form("quote", bool(self.excerpt and self.excerpt.quote))

    @property
    def form_order(self) -> object:
        return self._form("order", self.excerpt.order if self.excerpt else 0)

    @property
    def form_text(self) -> object:
        return self._form("text", self.excerpt.text if self.excerpt else "")

    @property
    def included(self) -> bool:
        return bool(self.excerpt and self.excerpt.included)

    @property
    def shown_text(self) -> str:
        return (self.excerpt.text if self.excerpt and self.excerpt.text.strip() else "") or self.text

    @property
    def words(self) -> int:
        return word_count(self.text)


@dataclass
class CountyGroup:
    key: str
    label: str
    texts: list[LibraryText] = field(default_factory=list)
    missing: list[OrgUnit] = field(default_factory=list)

    @property
    def included(self) -> list[LibraryText]:
        chosen = [t for t in self.texts if t.included]
        return sorted(chosen, key=lambda t: (t.excerpt.order if t.excerpt else 0, sort_key(t.unit.name)))


@dataclass
class SectionPart:
    code: str
    title: str
    guidance: str = ""
    own: ReviewSection | None = None
    table: FigureTable | None = None
    chart: FigureChart | None = None
    problems: list[str] = field(default_factory=list)
    groups: list[CountyGroup] = field(default_factory=list)
    removed: bool = False  # saved choices for a section no longer on this year's form

    @property
    def own_text(self) -> str:
        return self.own.text if self.own else ""

    @property
    def show_figures(self) -> bool:
        return self.own.show_figures if self.own else True

    @property
    def has_content(self) -> bool:
        figures = self.show_figures and (self.table is not None or self.chart is not None)
        return bool(self.own_text.strip() or figures or any(g.included for g in self.groups))

    @property
    def missing_count(self) -> int:
        return sum(len(g.missing) for g in self.groups)


@dataclass
class Outline:
    review: AnnualReview
    language: str
    current: Table
    previous: Table | None
    sections: list[SectionPart]
    summary: str
    conclusions: str
    map_note: str = ""  # the county map the figures are counted on, and what changed on it

    def section(self, code: str) -> SectionPart | None:
        return next((s for s in self.sections if s.code == code), None)


def narrative_sections(review: AnnualReview) -> list[NarrativeSection]:
    sections = NarrativeSection.objects.filter(survey=review.survey).order_by("order")
    return [section for section in sections if section.on_form(review.year)]


def build_outline(review: AnnualReview, language: str = "lv") -> Outline:
    """Everything the editor and the exports show, in `language` (lv or en)."""
    with override(language):
        years = [review.year]
        has_previous = review.year - 1 in survey_years(review.network, review.survey)
        if has_previous:
            years.insert(0, review.year - 1)
        # Every year on the review year's county map, so a county's bars across a boundary change
        # compare the same libraries; the note says which counties changed.
        # A region's review counts the region's libraries (on the same map) and nothing else.
        scope = Scope(group_by="county", boundaries=year_end(review.year, review.network), within=review.region)
        tables = aggregate_years(review.network, review.survey, years, scope)
        current, previous = tables[review.year], tables.get(review.year - 1)
        map_note = _map_note(review, years)

        own = {s.code: s for s in review.sections.all()}
        excerpts = {(e.section_code, e.report_id): e for e in review.excerpts.all()}
        texts = _texts(review)
        sections = []
        on_form = narrative_sections(review)
        for section in on_form:
            part = SectionPart(
                code=section.code,
                title=section.localised("title", language),
                guidance=section.localised("guidance", language),
                own=own.get(section.code),
            )
            rule = figure_rules().get(section.code)
            if rule:
                part.table = _figure_table(part, rule, current, previous, language)
                part.chart = _figure_chart(part, rule, tables, language, map_note)
            part.groups = _groups(section, current, texts.get(section.code, {}), excerpts)
            sections.append(part)
        # Choices saved for sections that left the form are kept, and said to be out of the document.
        known = {s.code for s in on_form} | {SUMMARY, CONCLUSIONS}
        removed_codes = sorted(
            ({code for code in own if own[code].text.strip()} | {code for code, _r in excerpts}) - known
        )
        for code in removed_codes:
            part = SectionPart(code=code, title=_section_title(review, code, language), own=own.get(code), removed=True)
            part.problems.append(
                _("This section is not on the %(year)s form any more; what was saved for it is kept but not exported.")
                % {"year": review.year}
            )
            sections.append(part)
        outline = Outline(review, language, current, previous, sections, review.summary, review.conclusions)
        outline.map_note = map_note
        return outline


def _section_title(review: AnnualReview, code: str, language: str) -> str:
    section = NarrativeSection.objects.filter(survey=review.survey, code=code).first()
    return section.localised("title", language) if section else code


def _texts(review: AnnualReview) -> dict[str, dict[int, tuple[Report, str]]]:
    """section code → library id → (report, text) of the year's approved reports."""
    out: dict[str, dict[int, tuple[Report, str]]] = {}
    narratives = Narrative.objects.filter(
        report__period__network=review.network,
        report__period__survey=review.survey,
        report__period__year=review.year,
        report__status=Report.Status.APPROVED,
    ).select_related("report", "report__unit", "section")
    for narrative in narratives:
        if narrative.text.strip():
            out.setdefault(narrative.section.code, {})[narrative.report.unit_id] = (narrative.report, narrative.text)
    return out


def _groups(
    section: NarrativeSection,
    table: Table,
    texts: dict[int, tuple[Report, str]],
    excerpts: dict[tuple[str, int], Excerpt],
) -> list[CountyGroup]:
    labels = {row.key: row.label for row in table.rows}
    groups: dict[str, CountyGroup] = {}
    for library_id, unit in table.units.items():
        if not section.on_form(table.year, unit.library_type):
            continue
        key = table.group_of.get(library_id, OFF_MAP)
        group = groups.setdefault(key, CountyGroup(key, labels.get(key, _("Not on this map"))))
        found = texts.get(library_id)
        if found is None:
            group.missing.append(unit)
        else:
            report, text = found
            group.texts.append(LibraryText(report, unit, text, excerpts.get((section.code, report.pk))))
    for group in groups.values():
        group.texts.sort(key=lambda t: sort_key(t.unit.name))
        group.missing.sort(key=lambda u: sort_key(u.name))
    return sorted(groups.values(), key=lambda g: (g.key == OFF_MAP, sort_key(g.label)))


def _counties(review: AnnualReview, year: int) -> set[str]:
    tree = hierarchy(review.network, year_end(year, review.network))
    inside = {u.pk for u in tree.descendants(review.region_id)} if review.region_id is not None else None
    return {
        unit.name
        for unit in tree.units.values()
        if unit.level == OrgUnit.Level.COUNTY and unit.pk in tree.parent_of and (inside is None or unit.pk in inside)
    }


def _map_note(review: AnnualReview, years: list[int]) -> str:
    """ "Counted on the 2021 county map; in 2021 Strenču novads became part of …" when the map changed."""
    stated = _("Every year is counted on the county map of %(year)s.") % {"year": review.year}
    if len(years) < 2:
        return stated
    before, after = _counties(review, years[0]), _counties(review, years[-1])
    if before == after:
        return stated
    gone = ", ".join(sorted(before - after, key=sort_key)) or "—"
    new = ", ".join(sorted(after - before, key=sort_key)) or "—"
    change = _("The county map changed in %(year)s: %(gone)s no longer exist; new or changed: %(new)s.") % {
        "year": years[-1],
        "gone": gone,
        "new": new,
    }
    return f"{change} {stated}"


def unit_label(indicator: Indicator, language: str) -> str:
    """The indicator's name with its unit where the unit says more than "how many"
    ("Izdevumi, EUR", "Lietotāji, personas")."""
    name = indicator.localised("name", language)
    if indicator.unit in (Indicator.Unit.COUNT, Indicator.Unit.UNITS, Indicator.Unit.ITEMS, ""):
        return name
    return f"{name}, {indicator.get_unit_display()}"


def _indicators(codes: list[str], table: Table) -> list[Indicator]:
    on_form = {i.code: i for i in table.indicators}
    return [on_form[code] for code in codes if code in on_form]


def _decimals(indicator: Indicator) -> int:
    return 1 if indicator.value_type == Indicator.ValueType.DECIMAL else 0


def _cell_text(cell: Cell, indicator: Indicator, language: str) -> str:
    """ "1 650*‡": the total, the pages' marks (stats.marks) and, when not every library gave it, ‡."""
    if cell.value is None:
        return "—"
    text = marked(format_number(cell.value, _decimals(indicator), language), cell_marks(cell))
    return text if cell.complete else f"{text}{Marker.INCOMPLETE}"


def _figure_table(
    part: SectionPart, rule: dict[str, Any], current: Table, previous: Table | None, language: str
) -> FigureTable | None:
    indicators = _indicators(list(rule.get("indicators", [])), current)
    if not indicators:
        part.problems.append(_("None of this section's indicators is on the %(year)s form.") % {"year": current.year})
        return None
    rows_by_group = list(current.rows)
    head = [_("Indicator")] + [row.label for row in rows_by_group] + [_("Region %(year)s") % {"year": current.year}]
    if previous is not None:
        head += [_("Region %(year)s") % {"year": previous.year}, _("Change")]
    rows: list[list[str]] = []
    totals: dict[str, Decimal | None] = {}
    incomplete = False
    used: list[Marker] = []
    for indicator in indicators:
        name = unit_label(indicator, language)
        if indicator.parent_id:
            name = f"  {name}"
        cells = [_cell_text(row.cell(indicator.code), indicator, language) for row in rows_by_group]
        total = current.total.cell(indicator.code)
        totals[indicator.code] = total.value
        incomplete |= not total.complete or any(not row.cell(indicator.code).complete for row in rows_by_group)
        shown = [row.cell(indicator.code) for row in rows_by_group] + [total]
        line = [name, *cells, _cell_text(total, indicator, language)]
        if previous is not None:
            before = previous.total.cell(indicator.code)
            shown.append(before)
            delta = year_change(current, previous, indicator.code)
            written = describe(delta.absolute, delta.ratio, previous.year, delta.libraries, language=language)
            # Like for like: the libraries that gave the figure in both years, counted in brackets.
            of_change = marks(delta.estimated, delta.pending)
            used += of_change
            ratio = f"{written.text}{''.join(of_change)} ({delta.libraries})" if written.text else "—"
            line += [_cell_text(before, indicator, language), ratio]
        rows.append(line)
        used += [mark for found in shown if found.value is not None for mark in cell_marks(found)]
    if all(all(c == "—" for c in line[1:]) for line in rows):
        part.problems.append(_("No approved report gives these figures for %(year)s yet.") % {"year": current.year})
        return None
    # What the figures count (the core's default Scope: approved reports, no imputation run's
    # estimates), then each mark used and its meaning, in the pages' words.
    notes = [values_shown(False), *legend_lines(used)]
    if incomplete:
        notes.append(
            _("%(mark)s Not every library expected to gave this figure; the total covers those that did.")
            % {"mark": Marker.INCOMPLETE}
        )
    if previous is not None:
        notes.append(
            _(
                "Change: over the libraries that gave the figure in both years, their number in brackets; "
                "the region's columns show everyone who reported."
            )
        )
    caption = _("%(section)s: the region's figures by county, %(year)s") % {"section": part.title, "year": current.year}
    return FigureTable(caption, head, rows, notes, totals)


def _figure_chart(
    part: SectionPart, rule: dict[str, Any], tables: dict[int, Table], language: str, map_note: str
) -> FigureChart | None:
    code = rule.get("chart")
    if not code:
        return None
    current = tables[max(tables)]
    indicators = _indicators([code], current)
    if not indicators:
        return None
    indicator = indicators[0]
    points: dict[str, dict[int, Decimal | None]] = {}
    for year, table in sorted(tables.items()):
        for row in table.rows:
            points.setdefault(row.label, {})[year] = row.cell(indicator.code).value
    if not any(value is not None for by_year in points.values() for value in by_year.values()):
        message = _("The chart of “%(indicator)s” has no data for these years.")
        part.problems.append(message % {"indicator": indicator.localised("name", language)})
        return None
    name = indicator.localised("name", language)
    title = _("%(indicator)s by county") % {"indicator": name}
    # Money in whole euros on an axis: "400 000 EUR" reads, "400 000,0" does not.
    decimals = 0 if indicator.unit in (Indicator.Unit.EUR, Indicator.Unit.USD) else _decimals(indicator)
    chart = charts.series(f"yearbook-{part.code}", title, unit_label(indicator, language), points, decimals)
    years = sorted(tables)
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    caption = _("%(title)s, %(span)s, approved reports. %(map)s") % {"title": title, "span": span, "map": map_note}
    caption = f"{caption} {values_shown(False)}"
    return FigureChart(caption, chart)
