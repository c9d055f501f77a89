"""The seminar pack: the deck and the handout written side by side (the command and the download).

The two belong together, so a build that dies half-way (killed, disk full) must leave the previous
pack or none, never a half-written file or a new deck next to an old handout: both are made in
memory, written under temporary names and only then moved over the old ones.

The content is gathered once, here; the deck and the handout's layout are then built at once in two
forked processes (core.apart), which halves the wait on two cores. The handout's HTML, charts
included, is made before the fork: the chart renderer cannot run in a forked child.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _

from parskats.core.apart import Part, build_apart, parallel
from parskats.core.files import write_together

from .content import build_pack
from .deck import build_deck
from .handout import Pieces, handout_html, pdf_of
from .models import Seminar


@dataclass
class Written:
    pptx: Path
    pdf: Path
    parts: dict[str, Part] = field(default_factory=dict)  # how each file was built: time, CPU, memory


def file_stem(seminar: Seminar) -> str:
    return slugify(f"seminars-{seminar.year}-{seminar.pk}") or f"seminars-{seminar.pk}"


def write_pack(
    seminar: Seminar,
    out: Path,
    base_url: str = "",
    progress: Callable[[str, int, int], None] | None = None,
    fork: bool | None = None,
) -> Written:
    """Build and write the pack; `progress(stage, done, total)` hears of each step (and may raise to stop)."""
    step = progress or (lambda _stage, _done, _total: None)
    step(_("Gathering the figures and stories"), 0, 3)
    pack = build_pack(seminar, base_url)
    step(_("Making the slides and the handout"), 1, 3)
    if parallel() if fork is None else fork:  # the handout in pieces, laid out at once beside the deck
        pieces = Pieces(pack)
        parts = build_apart({"pptx": lambda: build_deck(pack), **pieces.makers()}, True, pieces.settle)
        pdf = pieces.join({name: part.data for name, part in parts.items()})
    else:
        html = handout_html(pack)
        parts = build_apart({"pptx": lambda: build_deck(pack), "pdf": lambda: pdf_of(html)}, False)
        pdf = parts["pdf"].data
    step(_("Writing the files"), 2, 3)
    stem = file_stem(seminar)
    for leftover in out.glob(f".{stem}.*.partial"):  # of a build killed under the earlier way of writing
        leftover.unlink(missing_ok=True)
    write_together(out, {f"{stem}.pptx": parts["pptx"].data, f"{stem}.pdf": pdf})
    step(_("Writing the files"), 3, 3)
    return Written(out / f"{stem}.pptx", out / f"{stem}.pdf", parts)
