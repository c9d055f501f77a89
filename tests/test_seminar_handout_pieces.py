"""The handout laid out in pieces (handout.Pieces through core.apart) is the handout laid out whole:
the same pages with the same text and footers, the same contents numbers, outline, anchors and
links, whether the groups join where a library opens a page in both or one is laid out again."""

from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader

from parskats.core.apart import build_apart
from parskats.seminar.content import build_pack
from parskats.seminar.handout import Pieces, build_handout

from .seminar_support import approved_reports, make_seminar
from .test_seminar_handout import pages_of

pytestmark = pytest.mark.django_db

STORY = "Pasaku rīti, ģimeņu dienas un digitālo prasmju nodarbības visu gadu. "


@pytest.fixture
def pack(world, methodologist, settings, tmp_path):
    """The test region's pack with its approved library told over as 23 libraries whose stories are
    of four lengths, so they fill pages unevenly (one, two or three to a page)."""
    settings.MEDIA_ROOT = tmp_path
    approved_reports(world)
    pack = build_pack(make_seminar(world, methodologist))
    shown = next(lib for lib in pack.libraries if lib.approved)
    pack.libraries = [
        dataclasses.replace(
            shown, name=f"{shown.name} {n:02d}", story_full=STORY * (1 + 9 * (n % 4 == 3) + 3 * (n % 3))
        )
        for n in range(23)
    ]
    return pack


def pieces_pdf(pack, fork: bool, **sizes) -> tuple[bytes, Pieces]:
    pieces = Pieces(pack, **sizes)
    parts = build_apart(pieces.makers(), fork, pieces.settle)
    return pieces.join({name: part.data for name, part in parts.items()}), pieces


def structure(data: bytes) -> dict[str, object]:
    """What a reader follows: the outline (depth, title, page), the anchors' pages and the links."""
    reader = PdfReader(io.BytesIO(data))

    def outline(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from outline(item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item)

    anchors = {name: reader.get_destination_page_number(dest) for name, dest in reader.named_destinations.items()}
    links = [
        (number, str(link.get_object()["/Dest"]), [round(float(v)) for v in link.get_object()["/Rect"]])
        for number, page in enumerate(reader.pages)
        for link in page.get("/Annots", [])
    ]
    return {"outline": list(outline(reader.outline)), "anchors": anchors, "links": sorted(links)}


@pytest.mark.parametrize("fork", [False, True])
def test_the_pieces_make_the_whole_handout(pack, fork):
    whole = build_handout(pack)
    data, pieces = pieces_pdf(pack, fork, per_piece=6, overlap=4)
    assert len(pieces.groups) == 4
    assert pages_of(data) == pages_of(whole)
    assert structure(data) == structure(whole)
    found = structure(data)
    assert {"agenda", "region", "charts", "libraries", "insights"} <= set(found["anchors"])  # type: ignore[arg-type]
    contents = {dest for page, dest, _rect in found["links"] if page == 1}  # type: ignore[union-attr]
    assert contents == {"agenda", "region", "charts", "libraries", "insights"}


def test_a_group_with_no_join_in_its_overlap_is_laid_out_again(pack):
    """With no overlap no library after a group's end is laid out with it, so the next group is laid
    out again here from the first page of the group before that starts with a library."""
    whole = build_handout(pack)
    data, pieces = pieces_pdf(pack, False, per_piece=6, overlap=0)
    assert pieces.redone
    assert pages_of(data) == pages_of(whole)
    assert structure(data) == structure(whole)


def test_a_region_without_libraries_is_one_piece_of_its_heading(pack):
    pack.libraries, pack.insights = [], []
    data, pieces = pieces_pdf(pack, False)
    assert [(group.first, group.end) for group in pieces.groups] == [(0, 0)]
    assert pages_of(data) == pages_of(build_handout(pack))
    assert "Bibliotēkas" in pages_of(data)[-1]
