"""A library's slide, laid out by what it has: a consented photo large beside the figures and the
story when there is one, otherwise the figures in a row and the insight beside the story. A story
too long for its box is cut after its last whole sentence (or list line) that fits; the notes keep it
whole. List lines stay lines; the insight is set as a quotation."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide
from pptx.util import Emu, Inches

from .content import Figure, LibrarySlide
from .fit import EMU_PER_POINT, fit_sentences, fits
from .slides import (
    ACCENT,
    BAD,
    HEIGHT,
    MARGIN,
    MUTED,
    WIDTH,
    blank,
    change_label,
    colour,
    footnote,
    notes,
    plain_shape,
    text,
    title,
)

STORY_SIZES = (22, 20, 18)
BOTTOM = HEIGHT - Inches(0.6)  # the legend line is under it


def _figures(slide: Slide, figures: list[Figure], left: int, top: int, width: int, columns: int) -> int:
    """The library's key numbers as cards (value, change with its word, name); returns their bottom."""
    gap = Inches(0.2)
    card_w = (width - gap * (columns - 1)) // columns
    row_h = Inches(1.4)
    for index, figure in enumerate(figures[:4]):
        x = left + (index % columns) * (card_w + gap)
        y = top + (index // columns) * row_h
        text(slide, figure.value, x, y, card_w, Inches(0.5), (28, 24, 20), bold=True, color=ACCENT, name="figure")
        if figure.change is not None and figure.change.text:
            label = change_label(figure.change, figure.change_marks)
            # Two lines at most: large enough to read, never below 12 pt.
            text(slide, label, x, y + Inches(0.52), card_w, Inches(0.42), (14, 13, 12), color=colour(figure.change),
                 name="change")  # fmt: skip
        text(slide, figure.name, x, y + Inches(0.97), card_w, Inches(0.4), (14, 13, 12), color=MUTED)
    rows = (min(len(figures), 4) + columns - 1) // columns
    return top + rows * row_h


def _story(slide: Slide, lib: LibrarySlide, left: int, top: int, width: int, bottom: int) -> None:
    """The story in its box, cut at a sentence when it would not fit, with where to read it all."""
    full = lib.story_full or _("No success story was written.")
    more = _("Full story: %(url)s") % {"url": lib.story_url} if lib.story_url else _("Full story in the notes.")
    height = bottom - top
    width_pt, smallest = width / EMU_PER_POINT, STORY_SIZES[-1]
    story = full
    if not fits(full, smallest, width_pt, height / EMU_PER_POINT):
        height -= Inches(0.45)  # room for the line saying where the rest is
        story = fit_sentences(full, smallest, width_pt, height / EMU_PER_POINT) or full
        text(slide, more, left, top + height + Inches(0.1), width, Inches(0.35), (14, 12), color=ACCENT, name="more")
    text(slide, story, left, top, width, height, STORY_SIZES, name="story")


def _quote(slide: Slide, insight: str, left: int, top: int, width: int, height: int) -> None:
    """The insight as a quotation: an accent rule on its left and the words in italics."""
    if height < Inches(0.6):
        return
    rule = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(left), Emu(top), Inches(0.08), Emu(height))
    rule.fill.solid()
    rule.fill.fore_color.rgb = ACCENT
    plain_shape(rule)
    rule.name = "quote-rule"
    text(slide, f"„{insight}“", left + Inches(0.25), top, width - Inches(0.25), height, (26, 24, 22, 20, 18),
         italic=True, color=ACCENT, name="insight")  # fmt: skip


def _events(slide: Slide, lib: LibrarySlide, left: int, top: int, width: int) -> None:
    events = _("Events: %(in_person)s in person, %(online)s online") % {
        "in_person": lib.events_in_person,
        "online": lib.events_virtual,
    }
    text(slide, events, left, top, width, Inches(0.4), (18, 16, 14), color=MUTED, name="events")


def library_slide(deck: Deck, lib: LibrarySlide) -> None:
    slide = blank(deck, "library")
    subtitle = " · ".join(part for part in (lib.county, lib.library_type, lib.start) if part)
    top = title(slide, lib.name, subtitle)
    if not lib.approved:
        text(
            slide,
            _("This library's report for the year is not approved yet: its figures and story are not shown."),
            MARGIN, top + Inches(1), WIDTH - 2 * MARGIN, Inches(2), (32, 28), color=MUTED, align=PP_ALIGN.CENTER,
            name="not-approved",
        )  # fmt: skip
        notes(slide, _("No approved report."))
        return
    if lib.photo:
        _with_photo(slide, lib, top)
    else:
        _without_photo(slide, lib, top)
    footnote(slide, lib.legend)
    lines = [lib.story_full or _("No success story was written.")]
    if lib.pandemic:
        lines += ["", _("Working during the pandemic") + ":", lib.pandemic]
    if lib.activities:
        lines += ["", _("Activities") + ":"] + [f"• {name} ({mode})" for name, mode in lib.activities]
    notes(slide, "\n".join([*lines, "", lib.legend]))


def _with_photo(slide: Slide, lib: LibrarySlide, top: int) -> None:
    """Figures and story on the left, the photo large on the right with the insight under it."""
    left_w = Inches(6.7)
    right_x = MARGIN + left_w + Inches(0.4)
    right_w = WIDTH - right_x - MARGIN
    story_top = _figures(slide, lib.figures, MARGIN, top, left_w, 2) + Inches(0.1)
    _story(slide, lib, MARGIN, story_top, left_w, BOTTOM)
    assert lib.photo is not None
    picture = slide.shapes.add_picture(io.BytesIO(lib.photo), Emu(right_x), Emu(top))
    room_h = Inches(3.7) if lib.insight else BOTTOM - top - Inches(0.5)
    ratio = min(right_w / picture.width, room_h / picture.height)
    picture.width, picture.height = Emu(int(picture.width * ratio)), Emu(int(picture.height * ratio))
    picture.left = Emu(right_x + (right_w - picture.width) // 2)
    picture.name = "photo"
    picture._element.xpath("./p:nvPicPr/p:cNvPr")[0].set("descr", lib.photo_alt)  # the text alternative
    y = top + picture.height + Inches(0.25)
    events_top = BOTTOM - Inches(0.4)
    if lib.insight:
        _quote(slide, lib.insight, right_x, y, right_w, events_top - Inches(0.15) - y)
    _events(slide, lib, right_x, events_top, right_w)


def _without_photo(slide: Slide, lib: LibrarySlide, top: int) -> None:
    """The figures in one row across, the story on the left, the insight quoted on the right."""
    story_top = _figures(slide, lib.figures, MARGIN, top, WIDTH - 2 * MARGIN, 4) + Inches(0.15)
    has_quote = bool(lib.insight)
    story_w = Inches(7.6) if has_quote else WIDTH - 2 * MARGIN
    _story(slide, lib, MARGIN, story_top, story_w, BOTTOM - (0 if has_quote else Inches(0.5)))
    right_x = MARGIN + story_w + Inches(0.5)
    right_w = WIDTH - right_x - MARGIN
    if lib.photo_note:
        text(slide, lib.photo_note, right_x, story_top, right_w, Inches(0.6), (14,), color=BAD)
        story_top += Inches(0.7)
    if has_quote:
        _quote(slide, lib.insight, right_x, story_top, right_w, BOTTOM - Inches(0.55) - story_top)
        _events(slide, lib, right_x, BOTTOM - Inches(0.4), right_w)
    else:
        _events(slide, lib, MARGIN, BOTTOM - Inches(0.4), WIDTH - 2 * MARGIN)
