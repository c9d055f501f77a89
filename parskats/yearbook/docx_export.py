"""The review as a DOCX the methodologist can keep editing: real Heading 1/2 styles, a table of
contents field (filled in already, refreshed by Word on opening), numbered captions (SEQ fields),
the charts as images with text alternatives, page numbers in the footer, Latvian as the proofing
language, A4."""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO

from docx import Document as new_docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from PIL import ImageFont

from parskats.core.text import Para

from .document import Document, FigureBlock, Heading, TableBlock
from .pdf_export import layout

PARA_STYLES = {
    "p": "Normal",
    "bullet": "List Bullet",
    "number": "List",  # not "List Number": Word would count on across every list of the document
    "quote": "Quote",
    "attribution": "Normal",
    "lead": "Normal",
}
LANG_TAGS = {"lv": "lv-LV", "en": "en-GB"}
TEXT_WIDTH_CM = 16.0
TEXT_WIDTH = Cm(TEXT_WIDTH_CM)
CELL_MARGINS_CM = 0.45  # Word's default cell margins, 0.19 cm a side, and a little air
HEAD_PT = 8.0


def render_docx(doc: Document) -> bytes:
    layout(doc)  # the contents' page numbers: where the PDF puts each heading
    word = new_docx()
    _setup(word, doc)
    _title_page(word, doc)
    _contents(word, doc)
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_heading(block.numbered, level=block.level)
        elif isinstance(block, Para):
            _para(word, block)
        elif isinstance(block, TableBlock):
            _caption(word, doc, doc.table_label, "Table", block.number, block.caption)
            _table(word, block)
            for note in block.notes:
                note_para = word.add_paragraph(style="Normal")
                run = note_para.add_run(note)
                run.italic = True
                run.font.size = Pt(8.5)
        elif isinstance(block, FigureBlock):
            _figure(word, block)
            _caption(word, doc, doc.figure_label, "Figure", block.number, block.caption)
    out = BytesIO()
    word.save(out)
    return out.getvalue()


def _setup(word: WordDocument, doc: Document) -> None:
    styles = word.styles
    normal = styles["Normal"]
    normal.font.name = "Liberation Serif"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    # The proofing language of every style that inherits from Normal (Latvian hyphenation/spelling).
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANG_TAGS[doc.language])
    lang.set(qn("w:eastAsia"), LANG_TAGS[doc.language])
    rpr.append(lang)
    for name in ("Heading 1", "Heading 2", "Title", "Subtitle"):
        styles[name].font.name = "Liberation Sans"
        styles[name].font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    styles["Caption"].font.size = Pt(9.5)
    styles["Caption"].font.color.rgb = RGBColor(0x1D, 0x23, 0x30)
    section = word.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    section.different_first_page_header_footer = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "1")
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header_run = header.add_run(doc.title)
    header_run.font.size = Pt(8.5)
    props = word.core_properties
    props.title = doc.title
    props.subject = doc.subtitle
    props.language = LANG_TAGS[doc.language]
    props.author = doc.network
    # Word refreshes the contents and the page numbers in it when the document is opened.
    settings = word.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _title_page(word: WordDocument, doc: Document) -> None:
    word.add_paragraph(doc.title, style="Title")
    word.add_paragraph(doc.subtitle, style="Subtitle")
    lines = [f"{doc.publisher_label}: {doc.publisher}"] + ([doc.network] if doc.publisher != doc.network else [])
    publisher = word.add_paragraph("\n".join(lines))
    publisher.paragraph_format.space_before = Pt(160)
    for note in (doc.demo_note, doc.draft_note):
        if note:
            para = word.add_paragraph()
            para.add_run(note).italic = True
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(word: WordDocument, doc: Document) -> None:
    """A TOC field whose result is already the list of headings with their page numbers (the PDF's,
    behind a dot leader), so the contents show where fields are never refreshed; Word refreshes them
    for its own pages on opening."""
    heading = word.add_paragraph(doc.contents_label, style="TOC Heading")
    heading.paragraph_format.space_after = Pt(12)
    entries = doc.headings
    first = word.add_paragraph()
    _fld_char(first, "begin")
    instr = first.add_run()._r
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = ' TOC \\o "1-2" \\h \\z \\u '
    instr.append(text)
    _fld_char(first, "separate")
    paragraph = first
    for index, entry in enumerate(entries):
        if index:
            paragraph = word.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(0.6 * (entry.level - 1))
        paragraph.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        paragraph.add_run(entry.numbered)
        if entry.anchor in doc.pages:
            paragraph.add_run(f"\t{doc.pages[entry.anchor]}")
    _fld_char(paragraph, "end")
    word.add_section(WD_SECTION.NEW_PAGE)


def _fld_char(paragraph: Paragraph, kind: str) -> None:
    run = paragraph.add_run()._r
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    _fld_char(paragraph, "begin")
    run = paragraph.add_run()._r
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run.append(text)
    _fld_char(paragraph, "separate")
    paragraph.add_run(shown)
    _fld_char(paragraph, "end")


def _caption(word: WordDocument, doc: Document, label: str, sequence: str, number: int, text: str) -> None:
    """“1. tabula. …” (Latvian) or “Table 1. …” with a SEQ field Word renumbers when edited."""
    para = word.add_paragraph(style="Caption")
    para.paragraph_format.keep_with_next = sequence == "Table"
    if doc.language == "lv":
        _field(para, f"SEQ {sequence} \\* ARABIC", str(number))
        para.add_run(f". {label.lower()}. {text}")
    else:
        para.add_run(f"{label} ")
        _field(para, f"SEQ {sequence} \\* ARABIC", str(number))
        para.add_run(f". {text}")


def _para(word: WordDocument, block: Para) -> None:
    para = word.add_paragraph(style=PARA_STYLES.get(block.kind, "Normal"))
    if block.kind == "attribution":
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if block.kind == "lead":
        para.paragraph_format.keep_with_next = True
        para.paragraph_format.space_before = Pt(6)
    if block.kind == "number" and block.number is not None:
        para.add_run(f"{block.number}. ")  # the number the text wrote, a date's day or a place
    for item in block.runs:
        run = para.add_run(item.text)
        run.bold = item.bold or None
        run.italic = item.italic or None


def _table(word: WordDocument, block: TableBlock) -> None:
    table = word.add_table(rows=1, cols=len(block.head))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = column_widths(block.head)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    header = table.rows[0]
    # The header row repeats on every page the table runs over.
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, width in zip(header.cells, widths, strict=True):
        cell.width = width
    for index, (cell, text) in enumerate(zip(header.cells, block.head, strict=True)):
        _cell(cell, text, bold=True, right=index > 0, size=HEAD_PT)
    for values in block.rows:
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            _cell(cell, text.strip(), indent=index == 0 and text.startswith("  "), right=index > 0)


def column_widths(head: list[str]) -> list[Cm]:
    """16 cm of text width. Each number column is at least as wide as its header's longest word
    (measured in DejaVu Sans Bold, wider than the document's font, plus the cell margins), so a
    header breaks only between words; the indicator names take what is left, at least 3 cm."""
    others = len(head) - 1
    if others < 1:
        return [TEXT_WIDTH]
    share = (TEXT_WIDTH_CM - 4.4) / others
    needed = [max(share, _longest_word_cm(text) + CELL_MARGINS_CM) for text in head[1:]]
    first = max(3.0, TEXT_WIDTH_CM - sum(needed))
    scale = min(1.0, (TEXT_WIDTH_CM - first) / sum(needed))
    return [Cm(first)] + [Cm(width * scale) for width in needed]


def _longest_word_cm(text: str) -> float:
    font = _head_font()
    widest = max((font.getlength(word) for word in text.split()), default=0.0)
    return widest / 10 / 72 * 2.54  # measured at 10 × the size, in points


@lru_cache(maxsize=1)
def _head_font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", int(HEAD_PT * 10))
    except OSError:  # without the font: an estimate of 0.62 em a letter
        return ImageFont.load_default(size=HEAD_PT * 10 * 0.62 * 1.6)


def _cell(
    cell: _Cell, text: str, bold: bool = False, right: bool = False, indent: bool = False, size: float = 8.5
) -> None:
    para = cell.paragraphs[0]
    para.paragraph_format.space_after = Pt(0)
    if right:
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if indent:
        para.paragraph_format.left_indent = Cm(0.4)
    run = para.add_run(text)
    run.bold = bold or None
    run.font.size = Pt(size)


def _figure(word: WordDocument, block: FigureBlock) -> None:
    para = word.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.paragraph_format.keep_with_next = True
    run = para.add_run()
    picture = run.add_picture(BytesIO(block.png), width=Cm(15))
    # The text alternative a screen reader announces (Word's "alt text").
    doc_pr = picture._inline.docPr
    doc_pr.set("descr", block.alt[:1000])
    doc_pr.set("title", block.caption[:250])
