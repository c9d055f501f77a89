"""Article Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3 as the last word.

Raw HTML in the source is shown as text, never passed through; nh3 then keeps only the tags and
attributes below and only http(s)/mailto links, so script, iframe, event handlers and javascript:
links cannot survive either step. Images come from the article's own image list (with required
alternative text), not from Markdown, so <img> is not allowed here.
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "blockquote", "ul", "ol", "li", "a", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"style"}, "td": {"style"}, "ol": {"start"}}


# Latvian sentences often start with a date ("5. martā …", "2021. gadā …"), which Markdown would
# take for a numbered list; a number followed by a month or "gad…" stays text.
_LATVIAN_DATE = re.compile(
    r"^(\s{0,3}\d{1,4})\.(?=[ \t]+(?:janvār|februār|mart|aprīl|maij|jūnij|jūlij|august|septembr|oktobr|novembr"
    r"|decembr|gad|g\.))",
    re.MULTILINE | re.IGNORECASE,
)


def _markup(source: str) -> str:
    tokens = _md.parse(_LATVIAN_DATE.sub(r"\1\\.", source or ""))
    # The article title is the page's only h1: Markdown headings start one level below it.
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    html: str = _md.renderer.render(tokens, _md.options, {})
    return html


@lru_cache(maxsize=512)
def render_markdown(source: str) -> str:
    """Cached by text: a page, the feed and the sitemap render the same article many times."""
    html = _markup(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def plain_text(source: str, limit: int = 300) -> str:
    """The text of an article's Markdown without markup, for summaries and OpenGraph."""
    text = " ".join(html_lib.unescape(nh3.clean(_markup(source), tags=set())).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
