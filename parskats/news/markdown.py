"""Article Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3 as the last word.

Raw HTML in the source is shown as text, never passed through; nh3 then keeps only the tags and
attributes below and only http(s)/mailto links, so script, iframe, event handlers and javascript:
links cannot survive either step. Images come from the article's own image list (with required
alternative text), not from Markdown, so <img> is not allowed here.
"""

from __future__ import annotations

import html as html_lib

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "blockquote", "ul", "ol", "li", "a", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"style"}, "td": {"style"}, "ol": {"start"}}


def _markup(source: str) -> str:
    tokens = _md.parse(source or "")
    # The article title is the page's only h1: Markdown headings start one level below it.
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return _md.renderer.render(tokens, _md.options, {})


def render_markdown(source: str) -> str:
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
