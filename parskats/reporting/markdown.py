"""Narratives are Markdown: rendered without raw HTML and cleaned again by nh3, so a script or an
event handler in a story never reaches a page."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["image"])
_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a", "h3", "h4", "code"}


def render_markdown(text: str) -> str:
    html = _md.render(text or "")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
