"""The seminar pack: the deck and the handout written side by side (the command and the download).

The two belong together, so a build that dies half-way (killed, disk full) must leave the previous
pack or none, never a half-written file or a new deck next to an old handout: both are made in
memory, written under temporary names and only then moved over the old ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _

from parskats.core.files import write_together

from .content import build_pack
from .deck import build_deck
from .handout import build_handout
from .models import Seminar


@dataclass
class Written:
    pptx: Path
    pdf: Path


def file_stem(seminar: Seminar) -> str:
    return slugify(f"seminars-{seminar.year}-{seminar.pk}") or f"seminars-{seminar.pk}"


def write_pack(
    seminar: Seminar, out: Path, base_url: str = "", progress: Callable[[str, int, int], None] | None = None
) -> Written:
    """Build and write the pack; `progress(stage, done, total)` hears of each step (and may raise to stop)."""
    step = progress or (lambda _stage, _done, _total: None)
    step(_("Gathering the figures and stories"), 0, 4)
    pack = build_pack(seminar, base_url)
    step(_("Making the slides"), 1, 4)
    deck = build_deck(pack)
    step(_("Making the handout"), 2, 4)
    files = {"pptx": deck, "pdf": build_handout(pack)}
    step(_("Writing the files"), 3, 4)
    stem = file_stem(seminar)
    for leftover in out.glob(f".{stem}.*.partial"):  # of a build killed under the earlier way of writing
        leftover.unlink(missing_ok=True)
    write_together(out, {f"{stem}.{suffix}": data for suffix, data in files.items()})
    step(_("Writing the files"), 4, 4)
    return Written(out / f"{stem}.pptx", out / f"{stem}.pdf")
