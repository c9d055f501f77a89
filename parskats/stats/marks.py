"""A figure's honesty marks and their legend, one way for every rendering: the pages (HTML, in
stats_tags), and the seminar deck, the handout and the annual review (plain text).

The marks are `core.changes.Marker`'s: `*` for numbers the source itself gave as estimated or
imputed, `≈` for an imputation run's estimates, `†` for values of reports not yet approved. The
legend's words are the pages' own (the same msgids), so a mark means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from parskats.core.changes import Marker

from .aggregate import Cell

ORDER = (Marker.ESTIMATED, Marker.IMPUTED, Marker.PENDING)


def marks(estimated: bool, pending: bool, imputed: bool = False) -> list[Marker]:
    """The marks a figure carries, in the one order they are written: * ≈ †."""
    on = {Marker.ESTIMATED: estimated, Marker.IMPUTED: imputed, Marker.PENDING: pending}
    return [mark for mark in ORDER if on[mark]]


def cell_marks(cell: Cell) -> list[Marker]:
    """A total's marks. `estimated` counts the run's estimates too; they get their own mark, and
    the source's estimates `*`."""
    return marks(cell.estimated > cell.imputed, cell.pending > 0, cell.imputed > 0)


def marked(text: str, found: Iterable[Marker]) -> str:
    """ "1 650*": the figure as written, then its marks."""
    return text + "".join(found)


def meaning(mark: Marker) -> str:
    """What a mark means in a legend, the pages' words (the methods of the run's estimates named)."""
    return {
        Marker.ESTIMATED: _("includes estimated values."),
        Marker.IMPUTED: _(
            "includes values imputed by the methodologist for numbers not reported: last year's value scaled by "
            "the change of the library's peer group, or the peer group's median per inhabitant (the method of each "
            "value is on the imputation page and in the exports)."
        ),
        Marker.PENDING: _("includes values not yet approved."),
    }[mark]


def legend(used: Iterable[Marker]) -> list[tuple[Marker, str]]:
    """(mark, meaning) for each mark used, in the marks' order; nothing when none is."""
    seen = set(used)
    return [(mark, meaning(mark)) for mark in ORDER if mark in seen]


def legend_lines(used: Iterable[Marker]) -> list[str]:
    """ "* ietver aplēstas vērtības." per mark used: a slide's, page's or table's legend."""
    return [f"{mark} {words}" for mark, words in legend(used)]


def values_shown(with_imputed: bool) -> str:
    """What the figures count, said where they are shown: reported values only, or with the run's."""
    if with_imputed:
        return _(
            "With imputed values: where a library has not reported a number, the methodologist's estimate stands "
            "in for it (marked ≈)."
        )
    return _("Reported values only.")
