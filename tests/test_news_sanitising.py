"""Article Markdown is sanitised: no script, frame, event handler or script link survives.
(The browser test tests/browser/test_news.py checks in Chromium that none of them runs.)"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parskats.core.text import NEWS, summary, to_html

from .news_payloads import PAYLOADS

SAFE_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "blockquote", "ul", "ol", "li", "a", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


class Elements(HTMLParser):
    """The elements and attributes a browser would build from the HTML (not what the text mentions)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_safe(html: str) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in SAFE_TAGS, html
        for name, value in attrs:
            assert not name.startswith("on"), html
            if name == "href":
                # Browsers drop tabs and newlines inside a scheme: "jav&#x09;ascript:" is javascript:.
                url = re.sub(r"[\x00-\x20]", "", value or "").lower()
                # A scheme is letters, digits, + - . before the first colon; anything else is a relative path.
                match = re.match(r"([a-z][a-z0-9+.-]*):", url)
                scheme = match.group(1) if match else ""
                assert scheme in ("", "http", "https", "mailto"), html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_is_neutralised(payload):
    assert_safe(to_html(payload, NEWS))
    assert_safe(to_html(f"Ievads\n\n{payload}\n\n- punkts {payload}\n\n> {payload}", NEWS))


def test_ordinary_markdown_survives():
    html = to_html("# Virsraksts\n\n**Treknraksts**, *slīpraksts* un [saite](https://example.org).\n\n- a\n- b", NEWS)
    assert "<h2>Virsraksts</h2>" in html  # the page's own h1 is the title
    assert "<strong>Treknraksts</strong>" in html and "<em>slīpraksts</em>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">saite</a>' in html
    assert "<ul>" in html


def test_raw_html_is_shown_as_text():
    assert to_html("<b>x</b>", NEWS) == "<p>&lt;b&gt;x&lt;/b&gt;</p>\n"


def test_plain_text_summary_has_no_markup():
    assert (
        summary("**Sveiki** <script>x</script> [saite](https://e.org)", profile=NEWS)
        == "Sveiki <script>x</script> saite"
    )
    assert summary("vārds " * 100, 20, NEWS).endswith("…")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*PAYLOADS, "**", "[", "](", "<", ">", '"', "'", "\n", "javascript:", " on"]), max_size=8)
)
def test_any_mix_of_payload_fragments_stays_safe(parts):
    assert_safe(to_html("".join(parts), NEWS))


def test_a_sentence_starting_with_a_latvian_date_is_not_a_numbered_list():
    assert to_html("5. martā aizvadīts seminārs.", NEWS) == "<p>5. martā aizvadīts seminārs.</p>\n"
    assert to_html("2021. gadā bibliotēkas strādāja.", NEWS) == "<p>2021. gadā bibliotēkas strādāja.</p>\n"
    assert "<ol>" in to_html("1. Pirmais\n2. Otrais", NEWS)
