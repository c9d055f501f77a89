"""The seminar pack: the deck and the handout written side by side (the command and the download)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify

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


def write_pack(seminar: Seminar, out: Path, base_url: str = "") -> Written:
    pack = build_pack(seminar, base_url)
    out.mkdir(parents=True, exist_ok=True)
    stem = file_stem(seminar)
    pptx, pdf = out / f"{stem}.pptx", out / f"{stem}.pdf"
    pptx.write_bytes(build_deck(pack))
    pdf.write_bytes(build_handout(pack))
    return Written(pptx, pdf)
