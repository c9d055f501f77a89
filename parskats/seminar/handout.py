"""The PDF handout: the deck's content on A4 pages (WeasyPrint), for print and email.

A cover, the contents with page numbers (CSS target-counter), the agenda as one table, the region's
figures and completeness, the charts two to a page, then the libraries packed as they fit (two to a
page for the usual story), every page footed with the region's name and its number. Charts are SVG
(vector, and WeasyPrint need not re-encode a bitmap); photos are the uploaded JPEGs as they are.

Laid out in pieces at once (`Pieces`, for core.apart): 300 libraries are ~160 pages and 16 s of one
core. The cover with the contents and agenda, the region with its charts, and the libraries in
groups are laid out each in a process of its own; the pieces then say how many pages they took and
which library opens each page, and their page numbers, footers and contents are written from that.
The pages are the ones the whole document would have: a group is laid out a few libraries past
its end, and the join is made at the first library that opens a page in both it and the next
group, where the layout of what follows no longer depends on what came before. Where no such
library turns up, the next group is laid out again from one that does, here.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from django.template.loader import render_to_string
from weasyprint import HTML, Document
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.matrix import Matrix

from parskats.core.apart import TwoStep
from parskats.stats import charts

from .agenda import RIGA
from .content import Pack
from .models import AgendaItem
from .wall import slide_spec

LIBRARIES_PER_PIECE = 100  # libraries laid out in one process, about; the demo's 33 are one piece
OVERLAP = 6  # libraries a group is laid out past its end, to find where the next one joins it
PT = 0.75  # PDF points per CSS pixel


def _data_uri(data: bytes, kind: str) -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _chart_pairs(pack: Pack) -> list[list[tuple[charts.Chart, str]]]:
    """The charts two to a page; an odd last one shares its page with the one before (three), so no
    page holds a single small chart."""
    drawn = [
        (chart, _data_uri(charts.render_svg(slide_spec(chart.spec)).encode(), "image/svg+xml"))
        for chart in pack.all_charts
    ]
    pages = [drawn[i : i + 2] for i in range(0, len(drawn), 2)]
    if len(pages) > 1 and len(pages[-1]) == 1:
        pages[-2].extend(pages.pop())
    return pages


def _context(pack: Pack) -> dict[str, Any]:
    """What every piece's template reads; the charts are drawn here, once (not in a forked child)."""
    return {
        "pack": pack,
        "seminar": pack.seminar,
        "start": pack.seminar.starts_at.astimezone(RIGA),
        "chart_pages": _chart_pairs(pack),
        "photos": {lib.code: _data_uri(lib.photo, "image/jpeg") for lib in pack.libraries if lib.photo},
        "break_kind": AgendaItem.Kind.BREAK,
    }


WHOLE = {"front": True, "region": True, "libraries_heading": True, "insights": True}


def handout_html(pack: Pack, context: dict[str, Any] | None = None) -> str:
    """The handout as one HTML document, what WeasyPrint lays out."""
    context = context or _context(pack)
    return render_to_string(
        "seminar/handout.html", {**context, "show": WHOLE, "libraries": list(enumerate(pack.libraries))}
    )


def pdf_of(html: str) -> bytes:
    """Only the layout: no database, no chart renderer (its runtime's threads do not survive a fork),
    so this part may run in a forked process (core.apart)."""
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def build_handout(pack: Pack) -> bytes:
    return pdf_of(handout_html(pack))


# The handout in pieces ---------------------------------------------------------------------------


class _Piece:
    """One piece's layout in a child: `first` lays it out and says what the join needs to know,
    `then` foots the pages it keeps and writes them."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.document: Document | None = None

    def lay_out(self, html: str) -> Document:
        return HTML(string=html).render()

    def first(self) -> dict[str, Any]:
        self.document = self.lay_out(self.html)
        return _describe(self.document)

    def then(self, answer: dict[str, Any]) -> bytes:
        assert self.document is not None
        return _write(self.document, answer)


class _Front(_Piece):
    """The cover, the contents and the agenda: laid out once to learn its pages, then again with the
    contents' numbers, which only the other pieces' pages give (a number does not move a line)."""

    def first(self) -> dict[str, Any]:
        self.document = self.lay_out(re.sub(f"{MARK}[a-z]+", "0", self.html))  # the numbers come in `then`
        return _describe(self.document)

    def then(self, answer: dict[str, Any]) -> bytes:
        numbered = self.html
        for anchor, number in answer["contents"].items():
            numbered = numbered.replace(f"{MARK}{anchor}", str(number))
        # The other pieces' anchors, out of the flow, so WeasyPrint keeps the contents' links to them;
        # the joined PDF's destinations are the real ones (Pieces.join), not these.
        assert self.document is not None
        own = {anchor for page in self.document.pages for anchor in page.anchors}
        stand_ins = "".join(
            f'<i id="{anchor}" class="stand-in"></i>' for anchor in answer["contents"] if anchor not in own
        )
        return _write(self.lay_out(numbered.replace(STAND_INS, stand_ins)), answer)


MARK = "§page-"  # where the front's contents take a page number
STAND_INS = "<!-- the other pieces' anchors -->"


def _describe(document: Document) -> dict[str, Any]:
    """Per page: the library that opens it (at its top, not a part carried over), its bookmarks and
    its anchors (in PDF points)."""
    pages = []
    before: set[str] = set()
    for page in document.pages:
        on_page: list[str] = []
        for box in page._page_box.descendants():
            number = box.element.get("data-n") if getattr(box, "element", None) is not None else None
            if number is not None and box.element_tag == "section" and number not in on_page:
                on_page.append(number)
        matrix = Matrix(a=PT, d=-PT, f=page.height * PT)
        pages.append(
            {
                "opens": int(on_page[0]) if on_page and on_page[0] not in before else None,
                "height": page.height,
                "bookmarks": [[level, label, list(point), state] for level, label, point, state in page.bookmarks],
                "anchors": {name: matrix.transform_point(x, y) for name, (x, y, _w, _h) in page.anchors.items()},
            }
        )
        before = set(on_page)
    return {"pages": pages}


def _write(document: Document, answer: dict[str, Any]) -> bytes:
    """The kept pages, each footed with the region's name and its number in the whole handout."""
    start, end = answer["keep"]
    kept = document.pages[start:end]
    if not kept:
        return b""
    folios = HTML(string=answer["folios"]).render()
    footed = iter(folios.pages)
    for page in kept:
        if page._page_box.page_type.name != "cover":
            margins = tuple(box for box in next(footed)._page_box.children if isinstance(box, MarginBox))
            page._page_box.children = (*page._page_box.children, *margins)
    pdf: bytes = document.copy(kept).write_pdf()
    return pdf


def _openers(pages: list[dict[str, Any]], after: int) -> dict[int, int]:
    """The libraries that open a page (after page `after`), and the page each opens."""
    return {page["opens"]: at for at, page in enumerate(pages) if at > after and page["opens"] is not None}


@dataclass
class _Group:
    """A run of libraries laid out in one piece: `first` to `end` are its own, the rest overlap."""

    name: str
    first: int
    end: int


class Pieces:
    """The handout as pieces for core.apart: `makers` lay them out, `settle` joins their pages into
    one numbering, `join` makes the PDF of their kept pages."""

    def __init__(self, pack: Pack, per_piece: int = LIBRARIES_PER_PIECE, overlap: int = OVERLAP) -> None:
        self.pack = pack
        self.context = _context(pack)
        self.overlap = overlap
        count = len(pack.libraries)
        pieces = max(1, round(count / per_piece))
        # Even boundaries: where libraries go two to a page from the first, each group then starts on
        # a page's top in the whole document too, and the join is found on its first page.
        bounds = sorted({count * i // pieces // 2 * 2 for i in range(pieces)} | {count}) if count else [0, 0]
        self.groups = [_Group(f"pdf-{i}", bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
        self.redone: dict[str, bytes] = {}  # a group laid out again here, when no join was found
        self.pages: dict[str, list[dict[str, Any]]] = {}
        self.keep: dict[str, tuple[int, int]] = {}

    def _html(self, show: dict[str, bool], libraries: list[tuple[int, Any]], pages: dict[str, str]) -> str:
        return render_to_string(
            "seminar/handout.html",
            {**self.context, "piece": True, "show": show, "libraries": libraries, "pages": pages},
        )

    def _group_html(self, index: int, first: int) -> str:
        group = self.groups[index]
        last = index == len(self.groups) - 1
        end = len(self.pack.libraries) if last else min(group.end + self.overlap, len(self.pack.libraries))
        show = {"libraries_heading": first == 0, "insights": last}
        return self._html(show, list(enumerate(self.pack.libraries))[first:end], {})

    def makers(self) -> dict[str, TwoStep]:
        marks = {name: f"{MARK}{name}" for name in ("agenda", "region", "charts", "libraries", "insights")}
        pieces: dict[str, _Piece] = {
            "pdf-front": _Front(self._html({"front": True}, [], marks)),
            "pdf-region": _Piece(self._html({"region": True}, [], {})),
        }
        for index, group in enumerate(self.groups):
            pieces[group.name] = _Piece(self._group_html(index, group.first))
        return {name: TwoStep(piece.first, piece.then) for name, piece in pieces.items()}

    def settle(self, heard: dict[str, Any]) -> dict[str, Any]:
        """Which pages of each piece the handout keeps, and so every page's number."""
        pages: dict[str, list[dict[str, Any]]] = {name: said["pages"] for name, said in heard.items()}
        again: dict[str, _Piece] = {}
        keep = {"pdf-front": (0, len(pages["pdf-front"])), "pdf-region": (0, len(pages["pdf-region"]))}
        start = 0  # the first page of the group being joined that the handout keeps
        for index, group in enumerate(self.groups):
            if index + 1 == len(self.groups):
                keep[group.name] = (start, len(pages[group.name]))
                break
            following = self.groups[index + 1]
            opens = _openers(pages[group.name], start)
            theirs = _openers(pages[following.name], -1)
            join = next((n for n in sorted(opens) if n >= following.first and n in theirs), None)
            if join is None:  # no library opens a page in both: lay the next group out again from one that does here
                join = next((n for n in sorted(opens) if n >= following.first), max(opens, default=None))
                if join is None:
                    raise RuntimeError(f"no page of {group.name} opens with a library to join {following.name} at")
                piece = _Piece(self._group_html(index + 1, join))
                pages[following.name] = piece.first()["pages"]
                again[following.name] = piece
                theirs = _openers(pages[following.name], -1)
            keep[group.name] = (start, opens[join])
            start = theirs[join]
        order = ["pdf-front", "pdf-region", *(group.name for group in self.groups)]
        total = sum(keep[name][1] - keep[name][0] for name in order)
        numbers: dict[str, int] = {}  # the first page number of each piece
        anchors: dict[str, int] = {}
        number = 1
        for name in order:
            numbers[name] = number
            first, end = keep[name]
            for at in range(first, end):
                for anchor in pages[name][at]["anchors"]:
                    anchors.setdefault(anchor, number + at - first)
            number += end - first
        self.pages, self.keep = pages, keep
        answers = {}
        for name in order:
            first, end = keep[name]
            folios = [
                f"{numbers[name] + at - first} / {total}"
                for at in range(first, end)
                if not (name == "pdf-front" and at == 0)  # the cover has no footer
            ]
            answers[name] = {
                "keep": [first, end],
                "folios": render_to_string(
                    "seminar/handout_folios.html", {"seminar": self.pack.seminar, "folios": folios}
                ),
                "contents": anchors if name == "pdf-front" else {},
            }
        for name, piece in again.items():
            self.redone[name] = piece.then(answers[name])
            answers[name] = {**answers[name], "keep": [0, 0]}
        return answers

    def join(self, data: dict[str, bytes]) -> bytes:
        """One PDF of the pieces' kept pages, with the whole handout's outline and links."""
        from pypdf import PdfReader, PdfWriter
        from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, TextStringObject

        writer = PdfWriter()
        order = ["pdf-front", "pdf-region", *(group.name for group in self.groups)]
        described: list[dict[str, Any]] = []  # every page of the handout, in order
        for name in order:
            reader = PdfReader(io.BytesIO(self.redone.get(name) or data[name]))
            if name == "pdf-front":
                writer.add_metadata(reader.metadata or {})
                catalog = cast(DictionaryObject, reader.trailer["/Root"])
                if "/Lang" in catalog:
                    writer._root_object[NameObject("/Lang")] = catalog["/Lang"]
            first, end = self.keep[name]
            for page, said in zip(reader.pages, self.pages[name][first:end], strict=True):
                writer.add_page(page)
                described.append(said)
        named: set[str] = set()
        for at, said in enumerate(described):
            reference = writer.pages[at].indirect_reference
            for anchor, (x, y) in said["anchors"].items():
                if anchor not in named:
                    named.add(anchor)
                    destination = ArrayObject(
                        [reference, NameObject("/XYZ"), FloatObject(x), FloatObject(y), NumberObject(0)]
                    )
                    writer.add_named_destination_array(TextStringObject(anchor), destination)
        stand_in = SimpleNamespace(
            pages=[
                SimpleNamespace(
                    height=said["height"],
                    bookmarks=[(lv, text, tuple(at), state) for lv, text, at, state in said["bookmarks"]],
                )
                for said in described
            ]
        )
        self._outline(writer, Document.make_bookmark_tree(stand_in, PT, transform_pages=True), None)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    def _outline(self, writer: Any, tree: list[Any], parent: Any) -> None:
        """The bookmarks as WeasyPrint makes them for one document (h1–h3), into the joined PDF."""
        from pypdf.generic import Fit

        for title, (page, x, y), children, state in tree:
            item = writer.add_outline_item(
                title=title, page_number=page, parent=parent, fit=Fit.xyz(x, y, 0), is_open=state != "closed"
            )
            self._outline(writer, children, item)
