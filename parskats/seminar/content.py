"""What the deck and the handout say, gathered once from the aggregation core and the reports.

The region's figures and charts are the dashboard's own (`stats.pages.build_figures`); the library
slides read each library's row of the same core (grouped by library) and its approved report's
narratives, activities and consented photos. Nothing here adds numbers up by itself.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from parskats.core.changes import ChangeText, Marker, describe
from parskats.core.numbers import format_number, format_percentage
from parskats.core.text import plain, shorten
from parskats.reporting.models import Activity, Narrative, Photo, Report
from parskats.stats import charts
from parskats.stats.aggregate import (
    Cell,
    Scope,
    Table,
    aggregate_years,
    default_survey,
    indicator_by_concept,
    survey_years,
)
from parskats.stats.compare import Change, year_change
from parskats.stats.marks import cell_marks, legend_lines, marked, marks, values_shown
from parskats.stats.pages import Figures, Query, axis_title, build_figures, dashboard_config, decimals_for

from .agenda import TimedItem, timed
from .models import AgendaItem, Seminar

STORY_CHARS = 420  # what fits the story box of a library slide in large type
INSIGHT_CHARS = 200
COUNTY_CHART_CONCEPTS = ("users", "visits", "loans")
COUNTY_BARS_CONCEPT = "visits"  # a county's divider compares its libraries by this figure


@dataclass
class Figure:
    name: str
    value: str  # with its marks ("1 650*"), as on the pages
    change: ChangeText | None  # like for like ("+8,4 %", who it compares); None without a previous year
    marks: list[Marker] = field(default_factory=list)  # the value's and the change's marks
    change_marks: str = ""  # the change's marks, written after it as on the pages

    @classmethod
    def of(cls, name: str, cell: Cell, decimals: int, found: Change | None) -> Figure:
        """A figure with its marks: the total's (stats.marks, the pages' choice) and its change's."""
        of_change = marks(found.estimated, found.pending) if found is not None else []
        used = cell_marks(cell) if cell.value is not None else []
        return cls(name, _value(cell, decimals), change_text(found), [*used, *of_change], "".join(of_change))


def values_note() -> str:
    """What the deck's and the handout's figures count: reported values only. The region's figures
    and the library rows are the core's default Scope (no imputation run's estimates), approved
    reports only; numbers the source itself flagged estimated or imputed are counted, marked *."""
    return values_shown(False)


def legend_of(used: list[Marker]) -> str:
    """The legend line of a slide: what its figures count, then each mark used and its meaning."""
    return " ".join([values_note(), *legend_lines(used)])


@dataclass
class LibrarySlide:
    code: str
    name: str
    county: str
    library_type: str
    start: str  # agenda time, "10:35"
    approved: bool
    figures: list[Figure] = field(default_factory=list)
    story: str = ""  # shortened for the slide
    story_full: str = ""  # plain text (list items as "• " lines), for the speaker notes and the handout
    story_url: str = ""  # the full text on the web, when the slide shortens it
    insight: str = ""
    pandemic: str = ""
    photo: bytes | None = None
    photo_alt: str = ""
    photo_note: str = ""  # why a photo is not shown
    events_in_person: str = "—"
    events_virtual: str = "—"
    events_marks: list[Marker] = field(default_factory=list)
    activities: list[tuple[str, str]] = field(default_factory=list)  # (title, mode label)
    chart_value: Decimal | None = None  # the county divider's chart: this library's bar
    chart_marks: list[Marker] = field(default_factory=list)  # the bar's marks

    @property
    def shortened(self) -> bool:
        return self.story != self.story_full

    @property
    def used_marks(self) -> list[Marker]:
        return [mark for f in self.figures for mark in f.marks] + self.events_marks

    @property
    def legend(self) -> str:
        """What the slide's figures count and what their marks mean."""
        return legend_of(self.used_marks)


@dataclass
class Completeness:
    label: str
    reports: int
    libraries: int

    @property
    def share(self) -> str:
        return format_percentage(Decimal(self.reports) / Decimal(self.libraries), 0) if self.libraries else "—"


@dataclass
class Pack:
    seminar: Seminar
    year: int
    previous_year: int | None
    agenda: list[TimedItem]
    headline: list[Figure]
    region_charts: list[charts.Chart]
    county_charts: list[charts.Chart]
    completeness: list[Completeness]
    libraries: list[LibrarySlide]
    insights: list[tuple[str, str]]  # (library names, quote)
    library_axis: str = ""  # what the county dividers' bars count, with the unit

    @property
    def all_charts(self) -> list[charts.Chart]:
        return self.region_charts + self.county_charts

    @property
    def values_shown(self) -> str:
        return values_note()

    @property
    def headline_legend(self) -> list[str]:
        """The region's figures' legend: each mark they carry and its meaning, the pages' words."""
        return legend_lines([mark for f in self.headline for mark in f.marks])


def has_data(chart: charts.Chart) -> bool:
    """A chart without a single value is left out (nothing approved yet) rather than drawn empty."""
    return bool(chart.spec.get("data", {}).get("values"))


def change_text(found: Change | None, decimals: int = 1) -> ChangeText | None:
    """The like-for-like change written as on the dashboard: "+8,4 %", its direction, "vs 2021"
    and "comparing 22 libraries that reported in both years"; None without a previous year."""
    if found is None:
        return None
    return describe(found.absolute, found.ratio, found.previous_year, found.libraries, decimals=decimals)


def _value(cell: Cell, decimals: int) -> str:
    """The figure as written, with its marks (stats.marks, as on the pages)."""
    return marked(format_number(cell.value, decimals), cell_marks(cell)) if cell.value is not None else "—"


def _photo(report: Report) -> tuple[bytes | None, str, str]:
    """The first consented photo that opens as an image; otherwise why there is none."""
    photos = list(Photo.objects.filter(report=report, consent=True).order_by("uploaded_at", "id"))
    if not photos:
        return None, "", ""
    for photo in photos:
        try:
            with photo.image.open("rb") as handle:
                data = handle.read()
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            return data, photo.alt_text, ""
        except (OSError, ValueError, UnidentifiedImageError, SyntaxError):
            continue
    return None, "", _("The photo could not be read; upload it again.")


def build_pack(seminar: Seminar, base_url: str = "") -> Pack:
    network = seminar.network
    survey = default_survey(network)
    years = survey_years(network, survey)
    query = Query(survey, years, seminar.year, None, "year", True)
    # A region's seminar counts the region's libraries on the year's map, still grouped by county.
    figures: Figures = build_figures(network, query, within=seminar.region, group_by="county")
    table = figures.table
    previous_year = figures.series_years[-2] if len(figures.series_years) > 1 else None

    headline = [Figure.of(h.name, h.cell, h.decimals, h.change) for h in figures.headline]

    county_charts = []
    for concept in COUNTY_CHART_CONCEPTS:
        if concept == dashboard_config()["compare"]:
            continue  # the dashboard's own chart already shows it
        indicator = indicator_by_concept(table.indicators, concept)
        if indicator is None:
            continue
        county_charts.append(
            charts.bar(
                f"county-{concept}",
                _("%(indicator)s by county, %(year)s") % {"indicator": indicator.name, "year": seminar.year},
                axis_title(indicator),
                [(row.label, row.cell(indicator.code).value) for row in table.rows],
                decimals_for(indicator),
            )
        )
    events = [indicator_by_concept(table.indicators, c) for c in ("events_inperson", "events_virtual")]
    if all(events):
        data = [
            {"year": row.label, "series": name, "value": float(row.cell(ind.code).value or 0)}
            for row in table.rows
            for ind, name in zip(events, (_("in person"), _("online")), strict=True)
            if ind is not None and row.cell(ind.code).value is not None
        ]
        title = _("Events in person and online by county, %(year)s") % {"year": seminar.year}
        spec = charts.series_chart(data, title=title, value_title=_("number of events"))
        # Counties, not years, along the axis: wider bands and labels that do not collide.
        spec["width"] = 480
        spec["encoding"]["x"]["axis"] = {"labelAngle": 0, "labelLimit": 200}
        rows = [
            [row.label, *[_value(row.cell(ind.code), 0) for ind in events if ind is not None]] for row in table.rows
        ]
        county_charts.append(charts.Chart("county-events", title, spec, ["", _("in person"), _("online")], rows))

    completeness = [Completeness(row.label, row.reports, len(row.library_ids)) for row in table.rows]
    whole = seminar.region.name if seminar.region is not None else _("Region")
    completeness.append(Completeness(whole, table.total.reports, len(table.total.library_ids)))

    agenda = timed(seminar)
    libraries, library_axis = _library_slides(seminar, table, agenda, previous_year, base_url)
    # The same words from several libraries are quoted once, with every library's name.
    said: dict[str, list[str]] = {}
    for slide in libraries:
        if slide.insight:
            said.setdefault(slide.insight, []).append(slide.name)
    insights = [(", ".join(names), quote) for quote, names in said.items()]
    return Pack(
        seminar,
        seminar.year,
        previous_year,
        agenda,
        headline,
        [chart for chart in figures.charts if has_data(chart)],
        [chart for chart in county_charts if has_data(chart)],
        completeness,
        libraries,
        insights,
        library_axis=library_axis,
    )


def _library_slides(
    seminar: Seminar, region: Table, agenda: list[TimedItem], previous_year: int | None, base_url: str
) -> tuple[list[LibrarySlide], str]:
    """The library slides in agenda order, and what their county dividers' bars count."""
    rows = [row for row in agenda if row.item.kind == AgendaItem.Kind.LIBRARY and row.item.library is not None]
    if not rows:
        return [], ""
    years = [y for y in (previous_year, seminar.year) if y is not None]
    tables = aggregate_years(
        seminar.network, region.survey, years, Scope(group_by="library", approved_only=True, within=seminar.region)
    )
    table = tables[seminar.year]
    before = tables.get(previous_year) if previous_year else None
    headline = [
        i for i in (indicator_by_concept(table.indicators, c) for c in dashboard_config()["headline"]) if i is not None
    ]
    in_person = indicator_by_concept(table.indicators, "events_inperson")
    virtual = indicator_by_concept(table.indicators, "events_virtual")
    bars = indicator_by_concept(table.indicators, COUNTY_BARS_CONCEPT)

    unit_ids = [row.item.library_id for row in rows]
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(
            unit_id__in=unit_ids, period__network=seminar.network, period__year=seminar.year
        ).select_related("period")
    }
    approved = {pk: r for pk, r in reports.items() if r.status == Report.Status.APPROVED}
    texts: dict[tuple[int, str], str] = {}
    for narrative in Narrative.objects.filter(report__in=approved.values()).select_related("section"):
        texts[(narrative.report.unit_id, narrative.section.code)] = narrative.text
    activities: dict[int, list[Activity]] = {}
    for activity in Activity.objects.filter(report__in=approved.values()).select_related("report"):
        activities.setdefault(activity.report.unit_id, []).append(activity)

    slides = []
    for timed_row in rows:
        unit = timed_row.item.library
        assert unit is not None
        slide = LibrarySlide(
            unit.code,
            unit.name,
            timed_row.county,
            unit.get_library_type_display(),
            f"{timed_row.start:%H:%M}",
            unit.pk in approved,
        )
        slides.append(slide)
        if not slide.approved:
            continue
        row = table.row(unit.code)
        old = before.row(unit.code) if before else None
        for indicator in headline:
            if not indicator.on_form(seminar.year, unit.library_type):
                continue
            cell = row.cell(indicator.code) if row else Cell(None, 0, 0)
            found = year_change(table, before, indicator.code, unit.code) if (row and old and before) else None
            slide.figures.append(Figure.of(indicator.name, cell, decimals_for(indicator), found))
        if row and bars:
            slide.chart_value = row.cell(bars.code).value
            slide.chart_marks = cell_marks(row.cell(bars.code)) if slide.chart_value is not None else []
        if row and in_person:
            slide.events_in_person = _value(row.cell(in_person.code), 0)
            slide.events_marks += cell_marks(row.cell(in_person.code))
        if row and virtual:
            slide.events_virtual = _value(row.cell(virtual.code), 0)
            slide.events_marks += cell_marks(row.cell(virtual.code))
        story = plain(texts.get((unit.pk, "success_story"), ""))
        slide.story_full = story
        slide.story = shorten(story, STORY_CHARS)
        if slide.shortened and base_url:
            slide.story_url = base_url.rstrip("/") + reverse(
                "public:story", args=[seminar.network.slug, seminar.year, unit.code]
            )
        slide.insight = shorten(plain(texts.get((unit.pk, "insight"), "")), INSIGHT_CHARS)
        slide.pandemic = plain(texts.get((unit.pk, "pandemic"), ""))
        slide.photo, slide.photo_alt, slide.photo_note = _photo(approved[unit.pk])
        modes = dict(Activity.Mode.choices)
        slide.activities = [(a.title, str(modes.get(a.mode, a.mode))) for a in activities.get(unit.pk, [])[:4]]
    return slides, axis_title(bars) if bars else ""
