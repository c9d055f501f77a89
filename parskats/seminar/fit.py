"""Does a text fit its box? Words are wrapped by their measured width in DejaVu Sans, the font the
deck is set in (wider than the usual slide fonts, so a text that fits here fits where another font
stands in), lines are 1.2 × the font size. The font files are checked at start (`missing_fonts`)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_NAME = "DejaVu Sans"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
# A sentence ends at . ! ? or … before a space; a line break ends a list item.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[ \t]+|\n")
LINE_HEIGHT = 1.2
EMU_PER_POINT = 12700


@lru_cache(maxsize=32)
def _font(size_pt: float, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        # Measured at 10 × the size for precision, in points.
        return ImageFont.truetype(str(FONT_DIR / name), int(size_pt * 10))
    except OSError:
        return ImageFont.load_default()


@lru_cache(maxsize=65536)
def text_width_pt(text: str, size_pt: float, bold: bool = False) -> float:
    return _font(size_pt, bold).getlength(text) / 10


def line_count(text: str, size_pt: float, width_pt: float, bold: bool = False) -> int:
    lines = 0
    for paragraph in text.split("\n"):
        words = paragraph.split()
        current = 0.0
        lines += 1
        space = text_width_pt(" ", size_pt, bold)
        for word in words:
            word_width = text_width_pt(word, size_pt, bold)
            if current and current + space + word_width > width_pt:
                lines += 1
                current = word_width
            else:
                current = current + space + word_width if current else word_width
            while current > width_pt:  # a word longer than the line breaks inside
                lines += 1
                current -= width_pt
    return lines


def fits(text: str, size_pt: float, width_pt: float, height_pt: float, bold: bool = False) -> bool:
    return line_count(text, size_pt, width_pt, bold) * size_pt * LINE_HEIGHT <= height_pt


def best_size(text: str, sizes: tuple[float, ...], width_pt: float, height_pt: float, bold: bool = False) -> float:
    """The largest of `sizes` (largest first) at which the text fits; the smallest one otherwise."""
    for size in sizes:
        if fits(text, size, width_pt, height_pt, bold):
            return size
    return sizes[-1]


def missing_fonts() -> list[str]:
    """The measuring font files that are not installed (fonts-dejavu-core); without them every
    measurement would be wrong, so the app's system check refuses to start."""
    return [str(FONT_DIR / name) for name in FONT_FILES if not (FONT_DIR / name).is_file()]


def fit_sentences(text: str, size_pt: float, width_pt: float, height_pt: float) -> str:
    """The longest run of whole sentences (and whole list lines) from the start that fits the box at
    `size_pt`, with "…" when something was left out; the text itself when it fits."""
    if fits(text, size_pt, width_pt, height_pt):
        return text
    pieces = _SENTENCE_END.split(text)
    separators = [match.group(0) for match in _SENTENCE_END.finditer(text)]
    kept = ""
    for index, piece in enumerate(pieces):
        candidate = (kept + (separators[index - 1] if index else "") + piece) if kept else piece
        if not fits(candidate + " …", size_pt, width_pt, height_pt):
            break
        kept = candidate
    return kept.rstrip() + " …" if kept else ""
