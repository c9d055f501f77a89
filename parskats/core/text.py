"""Every text people write (a library's story, a news article, the annual review's texts) is Markdown
read by one parser with one rule for Latvian ordinals, then written out by one of four profiles:

- `REPORT` (HTML): libraries' stories on the review screen and the public story page;
- `NEWS` (HTML): articles, with tables and headings one level below the page's title;
- `REVIEW` (HTML for the editor, `paragraphs` for the DOCX and the PDF): the annual review;
- plain text (`plain`, `summary`): slides, speaker notes, handouts, excerpts and meta descriptions,
  with paragraphs as lines and list items as "• item" lines, so a list never runs into a sentence.

Raw HTML is never passed through: the parser has HTML off, so a tag in the source is shown as text
(the review's `clean` removes pasted Word and web markup first, since it goes to print), and nh3
cleans every HTML output to the profile's allow-list. A Markdown image becomes a link to the
picture with its alternative text: pictures on pages come from uploads that require alternative text.

Numbered lists and Latvian ordinals. Latvian writes an ordinal with a full stop ("2021. gadā",
"5. martā", "3. vietā"), and CommonMark takes "<number>. " at a line start for a numbered list item:
the number leaves the sentence for list numbering ("1." on a page, nothing in plain text). So a line
starting "<number>. " stays text when
  - the number has four digits (a year: "2021. Gads" too), or nothing follows it ("2021."), or
  - the next word starts with a lowercase letter, unless the line is one of a run of numbered lines:
    the numbered line before it in the same list, or the next non-blank line, has the number one less
    or one more. "1. pirmais" then "2. otrais" is a list; so is "5. martā …" then "6. martā …", which
    still shows 5. and 6. (every profile keeps the list's start, the review's paragraphs their number).
A real numbered list is written "1) item" (always a list), "1. Item" (a capital or a digit), or as a
run of consecutive numbers. Fenced code is left exactly as written.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = [
    "NEWS",
    "REPORT",
    "REVIEW",
    "Para",
    "Profile",
    "Run",
    "clean",
    "paragraphs",
    "plain",
    "shorten",
    "summary",
    "to_html",
    "typeset",
    "word_count",
]


@dataclass(frozen=True)
class Profile:
    """What one kind of text may become in HTML: its tags, attributes and heading levels."""

    name: str
    tags: frozenset[str]
    attributes: tuple[tuple[str, frozenset[str]], ...] = ()
    tables: bool = False
    top_heading: int = 3  # "#" becomes this level: the page's own headings stay above the text's
    lowest_heading: int = 4
    pasted: bool = False  # pasted Word or web markup is removed first (it is dropped from print, too)


_BASE_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a", "code", "pre"})
_LINK = ("a", frozenset({"href", "title"}))
_LIST = ("ol", frozenset({"start"}))

REPORT = Profile("report", _BASE_TAGS | {"h3", "h4"}, (_LINK, _LIST))
REVIEW = Profile("review", _BASE_TAGS | {"h3", "h4"}, (_LINK, _LIST), pasted=True)
NEWS = Profile(
    "news",
    _BASE_TAGS | {"hr", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"},
    (_LINK, _LIST, ("th", frozenset({"style"})), ("td", frozenset({"style"}))),
    tables=True,
    top_heading=2,
    lowest_heading=6,
)

_PARSERS = {
    False: MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}),
    True: MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table"),
}

# Control characters (but line breaks and tabs) are invalid in XML (DOCX, PPTX) and mean nothing on a page.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ORDINAL = re.compile(
    r"^(?P<lead>[ \t]{0,3}(?:>[ \t]?)*(?:[ \t]*[-*+][ \t]+)?)(?P<number>\d{1,9})\."
    r"(?:[ \t]+(?P<next>\S)|[ \t]*$)"
)
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


def _ordinals(lines: list[str]) -> dict[int, re.Match[str]]:
    """The lines (by index) that start "<number>. ", outside fenced code (shown as written)."""
    found: dict[int, re.Match[str]] = {}
    fence = ""
    for index, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
        elif opening:
            fence = opening.group(1)
        elif match := _ORDINAL.match(line):
            found[index] = match
    return found


def _protect_ordinals(source: str) -> str:
    """Escapes the full stop of an ordinal at a line start ("2021\\. gadā"), by the rule above."""
    lines = source.split("\n")
    found = _ordinals(lines)
    # The next non-blank line after each line: does a numbered list go on there?
    following: list[int | None] = [None] * len(lines)
    upcoming: int | None = None
    for index in range(len(lines) - 1, -1, -1):
        following[index] = upcoming
        if lines[index].strip():
            upcoming = index

    def item_number(index: int | None) -> int | None:
        match = found.get(index) if index is not None else None
        return int(match["number"]) if match and match["next"] and len(match["number"]) != 4 else None

    previous: int | None = None  # the number of the list item above, while that list goes on
    blank = False
    for index, line in enumerate(lines):
        match = found.get(index)
        if match is None:
            if not line.strip():
                blank = True
            elif blank and not line[:1].isspace():
                previous, blank = None, False  # a new paragraph ends the list
            else:
                blank = False
            continue
        number, word = int(match["number"]), match["next"]
        in_list = previous == number - 1 or item_number(following[index]) == number + 1
        if len(match["number"]) == 4 or word is None or (word.islower() and not in_list):
            lines[index] = f"{line[: match.end('number')]}\\{line[match.end('number') :]}"
            previous = None
        else:
            previous = number
        blank = False
    return "\n".join(lines)


def _tokens(source: str, tables: bool = False) -> list[Token]:
    text = _CONTROL.sub("", (source or "").replace("\r\n", "\n").replace("\r", "\n"))
    return _PARSERS[tables].parse(_protect_ordinals(text))


def _image_as_link(image: Token) -> list[Token]:
    src = str(image.attrGet("src") or "")
    alt = image.content or src
    return [
        Token("link_open", "a", 1, attrs={"href": src}),
        Token("text", "", 0, content=alt),
        Token("link_close", "a", -1),
    ]


@lru_cache(maxsize=512)
def to_html(source: str, profile: Profile = REPORT) -> str:
    """Safe HTML of a Markdown text (cached: a page, a feed and a sitemap render the same text)."""
    parser = _PARSERS[profile.tables]
    tokens = _tokens(clean(source) if profile.pasted else source, profile.tables)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1]) + profile.top_heading - 1
            token.tag = f"h{min(level, profile.lowest_heading)}"
        elif token.type == "inline" and token.children:
            children: list[Token] = []
            for child in token.children:
                children.extend(_image_as_link(child) if child.type == "image" else [child])
            token.children = children
    return nh3.clean(
        parser.renderer.render(tokens, parser.options, {}),
        tags=set(profile.tags),
        attributes={tag: set(names) for tag, names in profile.attributes},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "text_special", "code_inline", "image"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts)


def plain(source: str, profile: Profile = REPORT) -> str:
    """The text without marks: a line per paragraph, heading or table row, "• item" per list item
    (nested items indented, numbered ones keep their number). `profile` says how the source is read
    (tables are Markdown in news only)."""
    lines: list[str] = []
    lists: list[list[int] | None] = []  # per open list: None for bullets, [next number] for numbered
    marker = ""
    row: list[str] | None = None
    for token in _tokens(source, profile.tables):
        kind = token.type
        if kind == "bullet_list_open":
            lists.append(None)
        elif kind == "ordered_list_open":
            lists.append([int(str(token.attrGet("start") or 1))])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            counter = lists[-1] if lists else None
            marker = "• " if counter is None else f"{counter[0]}. "
            if counter is not None:
                counter[0] += 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            lines.append(" · ".join(cell for cell in row if cell))
            row = None
        elif kind == "inline":
            text = _inline_text(token.children or [])
            if row is not None:
                row.append(" ".join(text.split()))
                continue
            indent = "  " * max(len(lists) - 1, 0) + ("" if marker or not lists else "  ")
            for number, part in enumerate(text.split("\n")):
                words = " ".join(part.split())
                if words:
                    lines.append(f"{indent}{marker if number == 0 else ''}{words}")
            marker = ""
        elif kind in ("code_block", "fence"):
            lines.extend(line.rstrip() for line in token.content.splitlines() if line.strip())
    return "\n".join(lines)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis; lines are kept."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if limit < 1 or not text[limit - 1].isspace():  # a word would be cut: back to its start
        boundary = max(cut.rfind(" "), cut.rfind("\n"))
        if boundary > 0:
            cut = cut[:boundary]
    return cut.rstrip(",.;:—–•· \n") + "…"  # no dangling "•" of an item that did not fit


def summary(source: str, limit: int = 300, profile: Profile = REPORT) -> str:
    """The text on one line (list items keep their "•"), shortened: meta descriptions, feeds, leads."""
    return shorten(" ".join(plain(source, profile).split()), limit)


# The annual review: pasted Word or web markup cleaned away, Latvian (or English) typography, and
# paragraphs of plain runs that the DOCX and the PDF set alike.

# Zero-width and bidi marks and the BOM are dropped: Word leaves them behind and they break search.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
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
    """A paragraph: kind is "p", "bullet", "number" or "quote" (the review adds "attribution", "lead")."""

    runs: list[Run] = field(default_factory=list)
    kind: str = "p"
    number: int | None = None  # a numbered item's own number, as written: exports show it, not a count

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
        text = html_lib.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style", "xml", "head"}))
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
    return re.sub(r"(?<=\d) %", "\u00a0%", text)


def paragraphs(text: str, language: str = "lv") -> list[Para]:
    """The review's form of a text: headings inside it become bold lines, so a library's text
    never adds entries to the review's own outline."""
    out: list[Para] = []
    kinds: list[str] = []
    counters: list[int] = []  # the next number of each open numbered list
    number: int | None = None  # the number of the item whose first paragraph comes next
    quote = 0
    heading = False
    for token in _tokens(clean(text)):
        if token.type == "bullet_list_open":
            kinds.append("bullet")
        elif token.type == "ordered_list_open":
            kinds.append("number")
            counters.append(int(str(token.attrGet("start") or 1)))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            if kinds.pop() == "number":
                counters.pop()
        elif token.type == "list_item_open" and kinds[-1:] == ["number"]:
            number = counters[-1]
            counters[-1] += 1
        elif token.type == "blockquote_open":
            quote += 1
        elif token.type == "blockquote_close":
            quote -= 1
        elif token.type in ("heading_open", "heading_close"):
            heading = token.type == "heading_open"
        elif token.type == "inline":
            kind = kinds[-1] if kinds else ("quote" if quote else "p")
            runs = _runs(token.children or [], language, heading)
            if kind == "number" and number is None:
                kind = "p"  # a further paragraph of a numbered item: not an item of its own
            if runs:
                out.append(Para(runs, kind, number if kind == "number" else None))
            if kind == "number":
                number = None
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
        elif child.type in ("text", "text_special", "code_inline", "image"):
            if child.content:
                runs.append(Run(typeset(child.content, language), bool(bold) or heading, bool(italic)))
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bool(bold) or heading, bool(italic)))
    return runs


def word_count(text: str) -> int:
    return sum(len(para.text.split()) for para in paragraphs(text))
