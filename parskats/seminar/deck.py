"""The seminar deck (.pptx, python-pptx): 16:9, large type, one idea per slide, speaker notes.

The slides follow the agenda: the title and the agenda, the region's figures with like-for-like
changes, completeness and the charts for the overview, per county a divider with its libraries'
chart and then each library's slide, a slide for every break and guest, the insights and a closing
slide. Each slide is named by its kind ("title", "agenda", "library", "break", …). Text boxes are
measured (slides.py), so none runs off its slide.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pptx import Presentation
from pptx.enum.text import PP_ALIGN
from pptx.opc.packuri import PackURI
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide
from pptx.util import Inches

from parskats.core.numbers import format_number
from parskats.stats import charts
from parskats.stats.marks import marked

from .agenda import RIGA, TimedItem
from .content import Figure, LibrarySlide, Pack, legend_of, values_note
from .library_slide import library_slide
from .models import AgendaItem
from .slides import (
    ACCENT,
    BAD,
    FOOTNOTE_TOP,
    HEIGHT,
    INK,
    MARGIN,
    MUTED,
    PALE,
    WIDTH,
    band,
    bar_chart,
    blank,
    change_label,
    colour,
    footnote,
    no_data,
    notes,
    spec_chart,
    text,
    title,
)  # fmt: skip

INSIGHTS_PER_SLIDE = 3
Kind = AgendaItem.Kind


@dataclass
class CountyBlock:
    """A county's run of library slots in the agenda: its divider slide and its agenda line."""

    name: str
    start: str
    end: str
    libraries: list[LibrarySlide] = field(default_factory=list)


def _span(row: TimedItem) -> str:
    return f"{row.start:%H:%M}–{row.end:%H:%M}"


def _blocks(pack: Pack) -> dict[int, CountyBlock]:
    """The county blocks by the agenda position of their first library."""
    libraries = iter(pack.libraries)
    blocks: dict[int, CountyBlock] = {}
    current: CountyBlock | None = None
    for index, row in enumerate(pack.agenda):
        if row.item.kind != Kind.LIBRARY or row.item.library_id is None:
            current = None if row.item.kind != Kind.LIBRARY else current
            continue
        lib = next(libraries)
        if current is None or current.name != lib.county:
            current = blocks[index] = CountyBlock(lib.county, f"{row.start:%H:%M}", f"{row.end:%H:%M}")
        current.libraries.append(lib)
        current.end = f"{row.end:%H:%M}"
    return blocks


def _agenda_lines(pack: Pack, blocks: dict[int, CountyBlock]) -> list[tuple[str, str, bool]]:
    """(time, what, is a break) per line: a county's library slots are one line."""
    lines = []
    for index, row in enumerate(pack.agenda):
        if row.item.kind == Kind.LIBRARY:
            if index in blocks:
                block = blocks[index]
                count = len(block.libraries)
                what = ngettext("%(county)s: %(n)s library", "%(county)s: %(n)s libraries", count) % {
                    "county": block.name or _("Libraries"),
                    "n": count,
                }
                lines.append((f"{block.start}–{block.end}", what, False))
            continue
        lines.append((_span(row), row.item.title, row.item.kind == Kind.BREAK))
    return lines


def _title_slide(deck: Deck, pack: Pack) -> None:
    seminar = pack.seminar
    slide = blank(deck, "title")
    band(slide, Inches(1.2), Inches(0.12), ACCENT, left=MARGIN, width=Inches(2))
    text(slide, seminar.title, MARGIN, Inches(1.7), WIDTH - 2 * MARGIN, Inches(1.6), (48, 44, 40), bold=True,
         name="title")  # fmt: skip
    start = seminar.starts_at.astimezone(RIGA)
    where = seminar.place or _("online")
    region = _("%(region)s · reporting year %(year)s") % {"region": seminar.network.name, "year": pack.year}
    text(slide, region, MARGIN, Inches(3.5), WIDTH - 2 * MARGIN, Inches(0.6), (28, 24), color=ACCENT, name="region")
    when = f"{formats.date_format(start, 'DATETIME_FORMAT')} · {where}"
    text(slide, when, MARGIN, Inches(4.2), WIDTH - 2 * MARGIN, Inches(1.0), (26, 22, 20), color=MUTED, name="when")
    if seminar.network.is_demo:
        text(slide, _("Demo data: every figure and name is invented."), MARGIN, Inches(6.3), WIDTH - 2 * MARGIN,
             Inches(0.5), (18, 16), color=BAD)  # fmt: skip
    notes(slide, _("Agenda") + ":\n" + "\n".join(f"{r.start:%H:%M} {r.item.title}" for r in pack.agenda))


def _agenda_slide(deck: Deck, pack: Pack, blocks: dict[int, CountyBlock]) -> None:
    slide = blank(deck, "agenda")
    top = title(slide, _("Agenda"))
    lines = _agenda_lines(pack, blocks)
    row_h = min(Inches(0.62), (HEIGHT - top - Inches(0.4)) // max(len(lines), 1))
    time_w = Inches(2.4)
    for index, (when, what, is_break) in enumerate(lines):
        y = top + index * row_h
        color = MUTED if is_break else ACCENT
        text(slide, when, MARGIN, y, time_w, row_h, (24, 20, 16, 12), color=color, name="agenda-time")
        text(slide, what, MARGIN + time_w, y, WIDTH - 2 * MARGIN - time_w, row_h, (24, 20, 16, 12),
             color=MUTED if is_break else INK, name="agenda-item")  # fmt: skip
    notes(slide, "\n".join(f"{r.start:%H:%M} {r.item.title}" for r in pack.agenda))


def _figure_cards(slide: Slide, figures: list[Figure], top: int, height: int, columns: int) -> None:
    gap = Inches(0.25)
    width = (WIDTH - 2 * MARGIN - gap * (columns - 1)) // columns
    rows = (len(figures) + columns - 1) // columns
    card_height = (height - gap * (rows - 1)) // max(rows, 1)
    for index, figure in enumerate(figures):
        left = MARGIN + (index % columns) * (width + gap)
        y = top + (index // columns) * (card_height + gap)
        text(slide, figure.value, left, y, width, Inches(0.8), (40, 34, 28), bold=True, color=ACCENT, name="figure")
        text(slide, figure.name, left, y + Inches(0.85), width, Inches(0.7), (20, 18, 16))
        found = figure.change
        if found is None:
            continue
        if found.text:
            text(slide, change_label(found, figure.change_marks), left, y + Inches(1.55), width, Inches(0.45),
                 (18, 16, 14), color=colour(found), name="change")  # fmt: skip
        text(slide, found.coverage, left, y + Inches(2.0), width, Inches(0.5), (13, 12), color=MUTED)


def _note_line(figure: Figure) -> str:
    """ "Lietotāji: 1 234 ▲ +8,4 % pieaugums pret 2021 (salīdzinot 22 bibliotēkas, kas ziņoja abos gados)"."""
    line = f"{figure.name}: {figure.value}"
    if figure.change is not None and figure.change.text:
        line += f" {change_label(figure.change, figure.change_marks)}"
    if figure.change is not None:
        line += f" ({figure.change.coverage})"
    return line


def _overview(deck: Deck, pack: Pack) -> None:
    slide = blank(deck, "region")
    subtitle = _("Approved reports; change on %(year)s") % {"year": pack.previous_year} if pack.previous_year else ""
    # What the figures count and what their marks mean, at the foot: the cards need the room a subtitle takes.
    top = title(slide, _("The region in %(year)s") % {"year": pack.year})
    _figure_cards(slide, pack.headline, top + Inches(0.2), FOOTNOTE_TOP - top - Inches(0.3), 3)
    legend = " ".join([f"{subtitle}." if subtitle else "", values_note(), *pack.headline_legend]).strip()
    footnote(slide, legend)
    notes(slide, "\n".join([*(_note_line(f) for f in pack.headline), legend]))

    slide = blank(deck, "completeness")
    top = title(slide, _("Completeness of the data"), _("Approved reports of the libraries, by county"))
    points = [
        (
            c.label,
            Decimal(c.reports * 100) / c.libraries if c.libraries else None,
            f"{c.share} · {c.reports}/{c.libraries}",
        )
        for c in pack.completeness
    ]
    box = (MARGIN, top, WIDTH - 2 * MARGIN, HEIGHT - top - Inches(0.4))
    axis = _("approved reports as a share of the libraries") + ", %"
    bar_chart(slide, points, axis, box, maximum=140, name="completeness")
    notes(
        slide,
        "\n".join(f"{c.label}: {c.reports} / {c.libraries} ({c.share})" for c in pack.completeness)
        + "\n"
        + _("Libraries without an approved report are not in the totals."),
    )
    for chart in pack.all_charts:
        _chart_slide(deck, chart, _("The same chart as on the region's figures page."))


def _chart_slide(deck: Deck, chart: charts.Chart, note: str) -> None:
    slide = blank(deck, "chart")
    top = title(slide, chart.title)
    spec_chart(slide, chart.spec, (MARGIN, top, WIDTH - 2 * MARGIN, FOOTNOTE_TOP - top - Inches(0.1)))
    footnote(slide, values_note())
    rows = "\n".join(" · ".join(cells) for cells in chart.rows)
    notes(slide, f"{chart.title}\n{rows}\n{note}\n{values_note()}".strip())


def _divider(deck: Deck, pack: Pack, block: CountyBlock) -> None:
    slide = blank(deck, "county")
    band(slide, 0, Inches(1.85))
    count = len(block.libraries)
    subtitle = ngettext("%(n)s library", "%(n)s libraries", count) % {"n": count} + f" · {block.start}–{block.end}"
    top = title(slide, block.name or _("Libraries"), subtitle)
    shown = [lib for lib in block.libraries if lib.approved]
    points = [
        (
            lib.name,
            lib.chart_value,
            marked(format_number(lib.chart_value, 0), lib.chart_marks) if lib.chart_value is not None else "",
        )
        for lib in shown
    ]
    if not any(value is not None for _name, value, _written in points) or not pack.library_axis:
        no_data(slide, top)
    else:
        box = (MARGIN, top + Inches(0.1), WIDTH - 2 * MARGIN, FOOTNOTE_TOP - top - Inches(0.2))
        bar_chart(slide, points, pack.library_axis, box, name="county-chart")
        footnote(slide, legend_of([mark for lib in shown for mark in lib.chart_marks]))
    notes(slide, "\n".join(f"{lib.start} {lib.name}" for lib in block.libraries))


def _break(deck: Deck, row: TimedItem, following: TimedItem | None) -> None:
    slide = blank(deck, "break")
    band(slide, Inches(2.2), Inches(2.6))
    text(slide, row.item.title, MARGIN, Inches(2.5), WIDTH - 2 * MARGIN, Inches(1.1), (54, 48, 40), bold=True,
         color=ACCENT, align=PP_ALIGN.CENTER, name="title")  # fmt: skip
    text(slide, _span(row), MARGIN, Inches(3.7), WIDTH - 2 * MARGIN, Inches(0.7), (32, 28), align=PP_ALIGN.CENTER)
    if following is not None:
        what = following.county if following.item.kind == Kind.LIBRARY and following.county else following.item.title
        after = _("After the break, at %(time)s: %(what)s") % {"time": f"{following.start:%H:%M}", "what": what}
        text(slide, after, MARGIN, Inches(5.2), WIDTH - 2 * MARGIN, Inches(0.8), (24, 20), color=MUTED,
             align=PP_ALIGN.CENTER, name="next")  # fmt: skip
    notes(slide, f"{row.item.title} {_span(row)}")


def _guest(deck: Deck, row: TimedItem) -> None:
    slide = blank(deck, "guest")
    band(slide, Inches(1.2), Inches(0.12), ACCENT, left=MARGIN, width=Inches(2))
    guest = row.item.guest
    text(slide, _("Guest remarks"), MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(0.6), (28, 24), color=MUTED,
         name="kind")  # fmt: skip
    text(slide, guest.name if guest else row.item.title, MARGIN, Inches(2.4), WIDTH - 2 * MARGIN, Inches(1.2),
         (48, 40, 32), bold=True, color=ACCENT, name="title")  # fmt: skip
    if guest and guest.role:
        text(slide, guest.role, MARGIN, Inches(3.7), WIDTH - 2 * MARGIN, Inches(1.0), (28, 24, 20), name="role")
    text(slide, _span(row), MARGIN, Inches(5.0), WIDTH - 2 * MARGIN, Inches(0.6), (24, 20), color=MUTED)
    notes(slide, str(guest) if guest else row.item.title)


def _insights(deck: Deck, pack: Pack) -> None:
    chunks = [pack.insights[i : i + INSIGHTS_PER_SLIDE] for i in range(0, len(pack.insights), INSIGHTS_PER_SLIDE)]
    for number, chunk in enumerate(chunks or [[]], start=1):
        slide = blank(deck, "insights")
        heading = _("Insights of the year")
        if len(chunks) > 1:
            heading = f"{heading} ({number}/{len(chunks)})"
        top = title(slide, heading)
        if not chunk:
            text(slide, _("No insights were written this year."), MARGIN, top, WIDTH - 2 * MARGIN, Inches(1), (28,))
        height = (HEIGHT - top - Inches(0.4)) // INSIGHTS_PER_SLIDE
        for index, (name, quote) in enumerate(chunk):
            text(slide, f"„{quote}“ — {name}", MARGIN, top + index * height, WIDTH - 2 * MARGIN,
                 height - Inches(0.15), (24, 22, 20, 18), italic=True, name="insight")  # fmt: skip
        notes(slide, "\n".join(f"{name}: {quote}" for name, quote in chunk))


def _closing(deck: Deck, pack: Pack, row: TimedItem | None) -> None:
    slide = blank(deck, "closing")
    band(slide, Inches(2.0), Inches(3.2), PALE)
    text(slide, _("Thank you!"), MARGIN, Inches(2.4), WIDTH - 2 * MARGIN, Inches(1.2), (60, 54, 48), bold=True,
         color=ACCENT, align=PP_ALIGN.CENTER, name="title")  # fmt: skip
    line = f"{row.item.title} · {_span(row)}" if row else pack.seminar.title
    text(slide, line, MARGIN, Inches(3.8), WIDTH - 2 * MARGIN, Inches(0.6), (26, 22), align=PP_ALIGN.CENTER)
    text(slide, pack.seminar.network.name, MARGIN, Inches(4.5), WIDTH - 2 * MARGIN, Inches(0.6), (24, 20),
         color=MUTED, align=PP_ALIGN.CENTER, name="region")  # fmt: skip
    notes(slide, _("Closing and insights"))


def _known_partnames(deck: Deck) -> None:
    """python-pptx finds each new slide's and notes page's file name by walking every part of the
    package, which at 300 libraries is a quarter of the deck's time (quadratic in slides). The same
    names, kept in a set as they are handed out."""
    package = deck.part.package
    used: dict[str, set[str]] = {}

    def next_partname(tmpl: str) -> PackURI:  # python-pptx's name for the argument
        prefix = tmpl[: (tmpl % 42).find("42")]
        if prefix not in used:
            used[prefix] = {part.partname for part in package.iter_parts() if part.partname.startswith(prefix)}
        names = used[prefix]
        for number in range(len(names) + 1, 0, -1):  # as python-pptx: from the end downward
            candidate = tmpl % number
            if candidate not in names:
                names.add(candidate)
                return PackURI(candidate)
        raise RuntimeError(f"no free part name for {tmpl}")  # pragma: no cover - the loop always finds one

    package.next_partname = next_partname  # type: ignore[method-assign]


def build_deck(pack: Pack) -> bytes:
    seminar = pack.seminar
    deck = Presentation()
    _known_partnames(deck)
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    deck.core_properties.title = seminar.title
    deck.core_properties.language = "lv-LV"
    blocks = _blocks(pack)
    _title_slide(deck, pack)
    _agenda_slide(deck, pack, blocks)
    kinds = {row.item.kind for row in pack.agenda}
    if Kind.OVERVIEW not in kinds:
        _overview(deck, pack)  # the figures are the seminar's point even when the agenda leaves them out
    libraries = iter(pack.libraries)
    closing: TimedItem | None = None
    for index, row in enumerate(pack.agenda):
        kind = row.item.kind
        if kind == Kind.OVERVIEW:
            _overview(deck, pack)
        elif kind == Kind.LIBRARY and row.item.library_id is not None:
            if index in blocks:
                _divider(deck, pack, blocks[index])
            library_slide(deck, next(libraries))
        elif kind == Kind.BREAK:
            _break(deck, row, pack.agenda[index + 1] if index + 1 < len(pack.agenda) else None)
        elif kind == Kind.GUEST:
            _guest(deck, row)
        elif kind == Kind.CLOSING:
            closing = row
            _insights(deck, pack)
    if closing is None:
        _insights(deck, pack)
    _closing(deck, pack, closing)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
