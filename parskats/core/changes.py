"""How a change and a figure's marks are written, the same on pages, slides and documents.

A change is written with a real minus (−, not a hyphen), in the active language's number format
("+8,4 %", "−16,6 %"), a change of a percentage in percentage points ("+2,3 p. p."), and with its
direction as data ("up", "down", "same") so that a page or a slide can colour it while the words
still say it. Each marker means one thing everywhere.

Plain numbers in, text out: this module knows no app, so every app can write changes alike.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.utils.translation import override as language_override

from .numbers import MINUS, format_number, format_percentage

NBSP = "\u00a0"


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    SAME = "same"


class Marker(StrEnum):
    """The marks after a figure. One meaning each, on every page, slide and document."""

    ESTIMATED = "*"  # includes estimated or imputed values
    PENDING = "†"  # includes values of reports not yet approved
    INCOMPLETE = "‡"  # not every library expected to give the figure did
    # An imputation run's estimate for a number a library did not report: its own mark, so that a
    # total "with imputed values" is never read as reported (or as the source's own estimates).
    IMPUTED = "≈"

    @property
    def meaning(self) -> str:
        return {
            Marker.ESTIMATED: _("includes estimated values"),
            Marker.PENDING: _("includes values not yet approved"),
            Marker.INCOMPLETE: _("not every library expected to gave this figure"),
            Marker.IMPUTED: _("includes values imputed by the methodologist"),
        }[self]


def direction(value: Decimal | int | float | None) -> Direction | None:
    if value is None:
        return None
    return Direction.UP if value > 0 else Direction.DOWN if value < 0 else Direction.SAME


def _sign(value: Decimal | int | float) -> str:
    return "+" if value > 0 else MINUS if value < 0 else ""


def signed_number(value: Decimal | int | float, decimals: int = 0, language: str | None = None) -> str:
    """+1 234, −56, 0: a difference of two figures."""
    text = format_number(abs(Decimal(value)), decimals, language)
    return _sign(_rounded(value, decimals)) + text


def signed_percent(ratio: Decimal | float, decimals: int = 1, language: str | None = None) -> str:
    """A relative change (0.084) as +8,4 % in Latvian; a change that rounds to zero has no sign."""
    text = format_percentage(abs(Decimal(ratio)), decimals, language)
    return _sign(_rounded(Decimal(ratio) * 100, decimals)) + text


def percentage_points(difference: Decimal | float, decimals: int = 1, language: str | None = None) -> str:
    """A change of a percentage (25,0 % → 27,3 %) as +2,3 p. p.: a percent of a percent would mislead."""
    with _in(language):
        unit = _("pp")
    return f"{signed_number(difference, decimals, language)}{NBSP}{unit}"


def versus(year: int, language: str | None = None) -> str:
    """ "pret 2020": what a change compares with."""
    with _in(language):
        return _("vs %(year)s") % {"year": year}


def compared_libraries(libraries: int, language: str | None = None) -> str:
    """ "salīdzinot 22 bibliotēkas, kas ziņoja abos gados": who a like-for-like change rests on."""
    with _in(language):
        if not libraries:
            return _("no library reported this figure in both years")
        return ngettext(
            "comparing %(n)s library that reported in both years",
            "comparing %(n)s libraries that reported in both years",
            libraries,
        ) % {"n": libraries}


def direction_word(found: Direction | None, language: str | None = None) -> str:
    """The direction in words, for those who cannot tell colours apart and for screen readers."""
    if found is None:
        return ""
    with _in(language):
        return {Direction.UP: _("increase"), Direction.DOWN: _("decrease"), Direction.SAME: _("no change")}[found]


@dataclass(frozen=True)
class ChangeText:
    """A change as words and data: `text` ("+8,4 %"), `direction` for the colour, `versus`
    ("pret 2020") and `coverage` (who it compares). `text` is "" when there is nothing to compare."""

    text: str
    direction: Direction | None
    versus: str
    coverage: str
    word: str

    def __str__(self) -> str:
        return self.text

    @property
    def css(self) -> str:
        return f"change-{self.direction}" if self.direction else "change-none"


def describe(
    absolute: Decimal | None,
    ratio: Decimal | None,
    previous_year: int | None,
    libraries: int,
    *,
    points: bool = False,
    decimals: int = 1,
    language: str | None = None,
) -> ChangeText:
    """One change written out: relative (+8,4 %) when there is a base, in percentage points for a
    percentage (`points`), else the difference itself."""
    if points and absolute is not None:
        text, moved = percentage_points(absolute, decimals, language), _rounded(absolute, decimals)
    elif ratio is not None:
        text, moved = signed_percent(ratio, 1, language), _rounded(ratio * 100, 1)
    elif absolute is not None and libraries:
        text, moved = signed_number(absolute, decimals, language), _rounded(absolute, decimals)
    else:
        text, moved = "", None
    found = direction(moved)
    return ChangeText(
        text,
        found,
        versus(previous_year, language) if previous_year is not None else "",
        compared_libraries(libraries, language),
        direction_word(found, language),
    )


def _rounded(value: Decimal | int | float, decimals: int) -> Decimal:
    """The value as it is shown, so that −0,04 % shown as 0,0 % is no change rather than a fall."""
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals))


def _in(language: str | None) -> AbstractContextManager[object]:
    """The given language, or the active one when None."""
    return language_override(language) if language else nullcontext()
