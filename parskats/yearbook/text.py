"""Library texts made safe and typeset for the review: pasted Word or HTML cleaned away, Markdown
parsed into paragraphs of plain runs (bold, italic), and Latvian (or English) typography applied.

Both exports (DOCX and PDF) take the same `Para` list, so the documents say the same thing.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["image"])

# Zero-width and bidi marks, BOM, and Word's soft hyphen leftovers are dropped; other control
# characters (except line breaks) would make an invalid DOCX (XML refuses them).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_YEAR_START = re.compile(r"^([ \t]*\d{4})\.(?=[ \t])", re.MULTILINE)
_BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|tr|blockquote)\s*>|<br\s*/?>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li(\s[^>]*)?>", re.IGNORECASE)
_WORD_BULLET = re.compile(r"^[ \t]*[•·▪◦§o][ \t\u00a0]+", re.MULTILINE)


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Para:
    """A paragraph: kind is "p", "bullet", "number" or "quote"."""

    runs: list[Run] = field(default_factory=list)
    kind: str = "p"

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def clean(text: str) -> str:
    """Pasted HTML and Word markup (tags, comments, styles, conditional comments) removed, entities
    resolved, invisible and control characters dropped, Word bullets turned into Markdown ones."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text:
        # Block ends of pasted HTML become paragraph breaks before the tags go.
        text = _BLOCK_END.sub("\n\n", text)
        text = _LIST_ITEM.sub("\n- ", text)
        text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style", "xml", "head"}))
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text).replace("\t", " ")
    text = _WORD_BULLET.sub("- ", text)
    return unicodedata.normalize("NFC", text).strip()


def typeset(text: str, language: str = "lv") -> str:
    """Typographic quotes („…“ in Latvian, “…” in English), dashes, ellipsis and no-break spaces
    before % and units, so a number never ends a line apart from its unit."""
    opening, closing = ("„", "“") if language == "lv" else ("“", "”")
    text = re.sub(r'"([^"\n]*)"', lambda m: f"{opening}{m.group(1)}{closing}", text)
    text = re.sub(r"(?<=\d)-(?=\d)", "–", text)  # ranges: 2019–2021
    text = text.replace(" - ", " – ").replace(" -- ", " – ").replace("...", "…")
    text = re.sub(r"(?<=\d) (?=(%|EUR|€|gab\.|h)\b)", "\u00a0", text)
    text = re.sub(r"(?<=\d) %", "\u00a0%", text)
    return text


def paragraphs(text: str, language: str = "lv") -> list[Para]:
    """Markdown (CommonMark, no raw HTML) as paragraphs; headings inside a text become bold lines
    so a library's text never adds entries to the review's own outline."""
    # "2021. gads …" opens many Latvian sentences: a year is not a list number.
    source = _YEAR_START.sub(r"\1\\.", clean(text))
    tokens = _md.parse(source)
    out: list[Para] = []
    kinds: list[str] = []
    quote = 0
    heading = False
    for token in tokens:
        if token.type == "bullet_list_open":
            kinds.append("bullet")
        elif token.type == "ordered_list_open":
            kinds.append("number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            kinds.pop()
        elif token.type == "blockquote_open":
            quote += 1
        elif token.type == "blockquote_close":
            quote -= 1
        elif token.type in ("heading_open", "heading_close"):
            heading = token.type == "heading_open"
        elif token.type == "inline":
            kind = kinds[-1] if kinds else ("quote" if quote else "p")
            runs = _runs(token.children or [], language, heading)
            if runs:
                out.append(Para(runs, kind))
        elif token.type in ("code_block", "fence"):
            out.extend(Para([Run(typeset(line, language))]) for line in token.content.splitlines() if line)
    return [p for p in out if p.text.strip()]


def _runs(children: list[Token], language: str, heading: bool = False) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    for child in children:
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        elif child.type == "em_open":
            italic += 1
        elif child.type == "em_close":
            italic -= 1
        elif child.type in ("text", "code_inline"):
            if child.content:
                runs.append(Run(typeset(child.content, language), bool(bold) or heading, bool(italic)))
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bool(bold) or heading, bool(italic)))
    return runs


def plain(text: str, language: str = "lv") -> str:
    """The text as one plain string (for previews and word counts)."""
    return "\n\n".join(p.text for p in paragraphs(text, language))


def word_count(text: str) -> int:
    return len(plain(text).split())
