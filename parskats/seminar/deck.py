"""The seminar deck (.pptx, python-pptx): 16:9, large type, one idea per slide, speaker notes.

Every text goes through `_text`, which picks the largest font size at which the text fits its box
(measured, see fit.py) and shortens it when even the smallest size would overflow, so no text box
ever runs off its slide.
"""

from __future__ import annotations

import io

from django.utils import formats
from django.utils.translation import gettext as _
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from parskats.core.changes import ChangeText, Direction
from parskats.core.text import shorten
from parskats.stats import charts

from .agenda import RIGA
from .content import Figure, LibrarySlide, Pack
from .fit import EMU_PER_POINT, best_size, fits

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
FONT = "Arial"
INK = RGBColor(0x1D, 0x23, 0x30)
ACCENT = RGBColor(0x1F, 0x5F, 0x99)
MUTED = RGBColor(0x4F, 0x58, 0x68)
GOOD = RGBColor(0x1F, 0x6B, 0x3A)
BAD = RGBColor(0xA4, 0x26, 0x2C)
INSIGHTS_PER_SLIDE = 3
# Text boxes have no inner margins, so the measured box is the box.
ZERO = Emu(0)


def _text(
    slide: Slide,
    text: str,
    left: int,
    top: int,
    width: int,
    height: int,
    sizes: tuple[float, ...] = (24, 22, 20),
    *,
    bold: bool = False,
    italic: bool = False,
    color: RGBColor = INK,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
    name: str = "",
) -> None:
    width_pt, height_pt = width / EMU_PER_POINT, height / EMU_PER_POINT
    size = best_size(text, sizes, width_pt, height_pt, bold)
    limit = len(text)
    while not fits(text, size, width_pt, height_pt, bold) and limit > 10:
        limit = int(limit * 0.9)
        text = shorten(text, limit)
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = ZERO
    frame.vertical_anchor = anchor
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.line_spacing = 1.0
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        run.font.name = FONT
        run.font.color.rgb = color


def _title(slide: Slide, text: str, subtitle: str = "") -> int:
    """The slide's heading; returns where the content may start."""
    _text(slide, text, MARGIN, Inches(0.4), WIDTH - 2 * MARGIN, Inches(0.9), (36, 32, 28), bold=True, name="title")
    if subtitle:
        _text(slide, subtitle, MARGIN, Inches(1.3), WIDTH - 2 * MARGIN, Inches(0.45), (20, 18), color=MUTED)
        return Inches(1.95)
    return Inches(1.5)


def _notes(slide: Slide, text: str) -> None:
    frame = slide.notes_slide.notes_text_frame
    if frame is not None:
        frame.text = text


def _blank(deck: Deck) -> Slide:
    slide: Slide = deck.slides.add_slide(deck.slide_layouts[6])
    return slide


def _figure_cards(slide: Slide, figures: list[Figure], top: int, height: int, columns: int) -> None:
    gap = Inches(0.25)
    width = (WIDTH - 2 * MARGIN - gap * (columns - 1)) // columns
    rows = (len(figures) + columns - 1) // columns
    card_height = (height - gap * (rows - 1)) // max(rows, 1)
    for index, figure in enumerate(figures):
        left = MARGIN + (index % columns) * (width + gap)
        y = top + (index // columns) * (card_height + gap)
        _text(slide, figure.value, left, y, width, Inches(0.8), (40, 34, 28), bold=True, color=ACCENT)
        _text(slide, figure.name, left, y + Inches(0.85), width, Inches(0.75), (20, 18, 16))
        found: ChangeText | None = figure.change
        if found is None:
            continue
        if found.text:
            label = f"{found.text} {found.versus}"
            _text(slide, label, left, y + Inches(1.6), width, Inches(0.45), (18, 16), color=_colour(found))
        _text(slide, found.coverage, left, y + Inches(2.05), width, Inches(0.5), (13, 12), color=MUTED)


def _colour(found: ChangeText) -> RGBColor:
    """The colour says the direction the words already say (+/−), for a quick read from the back row."""
    return {Direction.UP: GOOD, Direction.DOWN: BAD}.get(found.direction, MUTED) if found.direction else MUTED


def _note_line(figure: object) -> str:
    """ "Lietotāji: 1 234 +8,4 % pret 2021 (salīdzinot 22 bibliotēkas, kas ziņoja abos gados)"."""
    found: ChangeText | None = getattr(figure, "change", None)
    line = f"{getattr(figure, 'name', '')}: {getattr(figure, 'value', '')}"
    if found is not None and found.text:
        line += f" {found.text} {found.versus}"
    if found is not None:
        line += f" ({found.coverage})"
    return line


def _chart_slide(deck: Deck, chart: charts.Chart, png: bytes, note: str) -> None:
    slide = _blank(deck)
    top = _title(slide, chart.title)
    picture = slide.shapes.add_picture(io.BytesIO(png), MARGIN, Emu(top))
    # Fit inside the free area, keeping the proportions.
    box_w, box_h = WIDTH - 2 * MARGIN, HEIGHT - top - Inches(0.4)
    ratio = min(box_w / picture.width, box_h / picture.height)
    picture.width, picture.height = Emu(int(picture.width * ratio)), Emu(int(picture.height * ratio))
    picture.left = Emu((WIDTH - picture.width) // 2)
    rows = "\n".join(" · ".join(cells) for cells in chart.rows)
    _notes(slide, f"{chart.title}\n{rows}\n{note}".strip())


def _library_slide(deck: Deck, lib: LibrarySlide) -> None:
    slide = _blank(deck)
    subtitle = " · ".join(part for part in (lib.county, lib.library_type, lib.start) if part)
    top = _title(slide, lib.name, subtitle)
    if not lib.approved:
        _text(
            slide,
            _("This library's report for the year is not approved yet: its figures and story are not shown."),
            MARGIN,
            top + Inches(1),
            WIDTH - 2 * MARGIN,
            Inches(2),
            (32, 28),
            color=MUTED,
            align=PP_ALIGN.CENTER,
            name="not-approved",
        )
        _notes(slide, _("No approved report."))
        return
    left_w = Inches(7.4)
    right_x = MARGIN + left_w + Inches(0.4)
    right_w = WIDTH - right_x - MARGIN
    # Key numbers: two rows of two.
    gap = Inches(0.2)
    card_w = (left_w - gap) // 2
    for index, figure in enumerate(lib.figures[:4]):
        x = MARGIN + (index % 2) * (card_w + gap)
        y = top + (index // 2) * Inches(1.05)
        line = f"{figure.value}  {figure.change.text if figure.change else ''}".strip()
        _text(slide, line, x, y, card_w, Inches(0.55), (28, 24, 20), bold=True, color=ACCENT, name="figure")
        _text(slide, figure.name, x, y + Inches(0.55), card_w, Inches(0.4), (16, 14), color=MUTED)
    story_top = top + Inches(2.2)
    story_bottom = HEIGHT - Inches(0.9)
    story = lib.story or _("No success story was written.")
    _text(slide, story, MARGIN, story_top, left_w, story_bottom - story_top, (22, 20, 18), name="story")
    if lib.shortened and lib.story_url:
        more = _("Full story: %(url)s") % {"url": lib.story_url}
        _text(slide, more, MARGIN, story_bottom + Inches(0.1), left_w, Inches(0.4), (14, 12), color=ACCENT)

    y = top
    if lib.photo:
        picture = slide.shapes.add_picture(io.BytesIO(lib.photo), Emu(right_x), Emu(y))
        ratio = min(right_w / picture.width, Inches(2.4) / picture.height)
        picture.width, picture.height = Emu(int(picture.width * ratio)), Emu(int(picture.height * ratio))
        picture.left = Emu(right_x + (right_w - picture.width) // 2)
        picture._element.xpath("./p:nvPicPr/p:cNvPr")[0].set("descr", lib.photo_alt)  # the text alternative
        y += picture.height + Inches(0.2)
    elif lib.photo_note:
        _text(slide, lib.photo_note, right_x, y, right_w, Inches(0.6), (14,), color=BAD)
        y += Inches(0.7)
    events_top = HEIGHT - Inches(1.3)
    if lib.insight and events_top - y > Inches(0.6):
        quote = f"„{lib.insight}“"
        _text(
            slide, quote, right_x, y, right_w, events_top - Inches(0.1) - y, (24, 22, 20, 18), italic=True,
            color=ACCENT, name="insight",
        )  # fmt: skip
    events = _("Events: %(in_person)s in person, %(online)s online") % {
        "in_person": lib.events_in_person,
        "online": lib.events_virtual,
    }
    _text(slide, events, right_x, events_top, right_w, Inches(0.9), (20, 18, 16), name="events")

    notes = [lib.story_full or _("No success story was written.")]
    if lib.pandemic:
        notes += ["", _("Working during the pandemic") + ":", lib.pandemic]
    if lib.activities:
        notes += ["", _("Activities") + ":"] + [f"• {title} ({mode})" for title, mode in lib.activities]
    _notes(slide, "\n".join(notes))


def build_deck(pack: Pack) -> bytes:
    seminar = pack.seminar
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    deck.core_properties.title = seminar.title
    deck.core_properties.language = "lv-LV"

    start = seminar.starts_at.astimezone(RIGA)
    slide = _blank(deck)
    _text(
        slide,
        seminar.title,
        MARGIN,
        Inches(2.0),
        WIDTH - 2 * MARGIN,
        Inches(1.6),
        (48, 44, 40),
        bold=True,
        name="title",
    )
    where = seminar.place or _("online")
    details = f"{seminar.network.name}\n{formats.date_format(start, 'DATETIME_FORMAT')} · {where}"
    _text(slide, details, MARGIN, Inches(3.8), WIDTH - 2 * MARGIN, Inches(1.2), (28, 24, 20), color=MUTED)
    if seminar.network.is_demo:
        _text(
            slide,
            _("Demo data: every figure and name is invented."),
            MARGIN,
            Inches(6.3),
            WIDTH - 2 * MARGIN,
            Inches(0.5),
            (18, 16),
            color=BAD,
        )
    _notes(slide, _("Agenda") + ":\n" + "\n".join(f"{r.start:%H:%M} {r.item.title}" for r in pack.agenda))

    slide = _blank(deck)
    subtitle = _("Approved reports; change on %(year)s") % {"year": pack.previous_year} if pack.previous_year else ""
    top = _title(slide, _("The region in %(year)s") % {"year": pack.year}, subtitle)
    _figure_cards(slide, pack.headline, top + Inches(0.2), HEIGHT - top - Inches(0.6), 3)
    _notes(slide, "\n".join(_note_line(f) for f in pack.headline))

    slide = _blank(deck)
    top = _title(slide, _("Completeness of the data"), _("Approved reports of the libraries, by county"))
    lines = "\n".join(f"{c.label}: {c.reports} / {c.libraries} ({c.share})" for c in pack.completeness)
    _text(
        slide,
        lines,
        MARGIN,
        top + Inches(0.2),
        WIDTH - 2 * MARGIN,
        HEIGHT - top - Inches(0.8),
        (32, 28, 24, 20),
        name="completeness",
    )
    _notes(slide, _("Libraries without an approved report are not in the totals."))

    for chart in pack.all_charts:
        _chart_slide(deck, chart, pack.picture(chart), _("The same chart as on the region's figures page."))

    for lib in pack.libraries:
        _library_slide(deck, lib)

    chunks = [pack.insights[i : i + INSIGHTS_PER_SLIDE] for i in range(0, len(pack.insights), INSIGHTS_PER_SLIDE)]
    for number, chunk in enumerate(chunks or [[]], start=1):
        slide = _blank(deck)
        title = _("Insights of the year")
        if len(chunks) > 1:
            title = f"{title} ({number}/{len(chunks)})"
        top = _title(slide, title)
        if not chunk:
            _text(slide, _("No insights were written this year."), MARGIN, top, WIDTH - 2 * MARGIN, Inches(1), (28,))
        height = (HEIGHT - top - Inches(0.4)) // INSIGHTS_PER_SLIDE
        for index, (name, quote) in enumerate(chunk):
            _text(
                slide,
                f"„{quote}“ — {name}",
                MARGIN,
                top + index * height,
                WIDTH - 2 * MARGIN,
                height - Inches(0.15),
                (24, 22, 20, 18),
                italic=True,
                name="insight",
            )
        _notes(slide, "\n".join(f"{name}: {quote}" for name, quote in chunk))

    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
