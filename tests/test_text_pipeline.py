"""One text pipeline (parskats.core.text): a Latvian ordinal at a line start ("2021. gadā") stays
text in every profile and on every page that shows a story; a list stays a list ("• item" lines) in
plain text, on slides, in speaker notes and on the public stories page; every HTML profile is clean."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pptx import Presentation

from parskats.core.text import NEWS, REPORT, REVIEW, Profile, paragraphs, plain, shorten, summary, to_html, word_count
from parskats.reporting.models import Narrative, Report
from parskats.seminar.content import build_pack
from parskats.seminar.deck import build_deck

from .conftest import client_for
from .news_payloads import PAYLOADS
from .seminar_support import approved_reports, make_seminar

STORY = (
    "2021. gadā bibliotēka atvēra jaunu telpu.\n\n"
    "Mēs piedāvājām:\n\n"
    "- pasaku rītus ģimenēm\n"
    "- datorapmācību senioriem\n\n"
    "5. martā notika dzejas vakars."
)
HTML_PROFILES = [REPORT, NEWS, REVIEW]


class Elements(HTMLParser):
    """The elements and attributes a browser would build (not what the text mentions)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_clean(html: str, allowed: set[str] | frozenset[str]) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in allowed, html
        for name, value in attrs:
            assert not name.startswith("on") and name != "src", html
            if name == "href":
                url = re.sub(r"[\x00-\x20]", "", value or "").lower()
                match = re.match(r"([a-z][a-z0-9+.-]*):", url)
                assert (match.group(1) if match else "") in ("", "http", "https", "mailto"), html


# The rule, profile by profile.


@pytest.mark.parametrize("profile", HTML_PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize(
    "source",
    [
        "2021. gadā bibliotēkas strādāja.",
        "5. martā aizvadīts seminārs.",
        "3. vietā konkursā.",
        "2021. Gads bija grūts.",  # four digits: a year, whatever follows
        "2021.",
    ],
)
def test_a_latvian_ordinal_at_a_line_start_stays_text(source, profile):
    html = to_html(source, profile)
    assert "<ol" not in html and "<li>" not in html
    assert html == f"<p>{source}</p>\n"
    assert plain(source) == source
    assert [(p.kind, p.text) for p in paragraphs(source)] == [("p", source)]


@pytest.mark.parametrize(
    ("source", "items"),
    [
        ("1. Pirmais\n2. Otrais", ["Pirmais", "Otrais"]),
        ("1) pirmais\n2) otrais", ["pirmais", "otrais"]),
        ("1. Pirmais\n2. otrais\n3. trešais", ["Pirmais", "otrais", "trešais"]),  # a list goes on by its numbers
        ("1. pirmais\n2. otrais", ["pirmais", "otrais"]),  # a run of consecutive numbers is a list
    ],
)
def test_real_numbered_lists_are_still_lists(source, items):
    assert to_html(source) == "<ol>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ol>\n"
    assert plain(source) == "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))
    assert [(p.kind, p.number) for p in paragraphs(source)] == [("number", n) for n in range(1, len(items) + 1)]


def test_consecutive_dates_may_be_a_list_but_keep_their_numbers_everywhere():
    source = "5. martā seminārs\n6. martā ekskursija"
    assert to_html(source) == '<ol start="5">\n<li>martā seminārs</li>\n<li>martā ekskursija</li>\n</ol>\n'
    assert plain(source) == source
    assert [(p.number, p.text) for p in paragraphs(source)] == [(5, "martā seminārs"), (6, "martā ekskursija")]
    # Not consecutive, or apart: each stays a sentence.
    assert "<ol" not in to_html("5. martā seminārs\n7. martā ekskursija")
    assert "<ol" not in to_html("5. martā seminārs.\n\nCits teksts.\n\n6. martā ekskursija.")


def test_ordinals_inside_quotes_items_and_code():
    assert to_html("> 2021. gadā mēs") == "<blockquote>\n<p>2021. gadā mēs</p>\n</blockquote>\n"
    assert to_html("- 5. martā seminārs") == "<ul>\n<li>5. martā seminārs</li>\n</ul>\n"
    # Code is shown as written: no escaping backslash appears in it.
    assert to_html("```\n2021. gadā\n```") == "<pre><code>2021. gadā\n</code></pre>\n"
    # After a blank line and a paragraph the list is over: a lowercase ordinal is text again.
    assert "<p>2. martā" in to_html("1. Pirmais\n\nTeksts.\n\n2. martā atkal.")


def test_plain_text_keeps_paragraphs_and_lists_as_lines():
    assert plain(STORY) == (
        "2021. gadā bibliotēka atvēra jaunu telpu.\n"
        "Mēs piedāvājām:\n"
        "• pasaku rītus ģimenēm\n"
        "• datorapmācību senioriem\n"
        "5. martā notika dzejas vakars."
    )
    assert plain("- **a**\n  - b\n- c") == "• a\n  • b\n• c"
    assert plain("| a | b |\n|---|---|\n| 1 | 2 |", NEWS) == "a · b\n1 · 2"
    assert summary("Saraksts:\n\n- viens\n- divi") == "Saraksts: • viens • divi"
    assert shorten("• viens\n• divi trīs četri", 15) == "• viens\n• divi…"
    assert shorten("• viens\n• divi trīs četri", 12) == "• viens…"
    assert word_count(STORY) == len(plain(STORY).replace("• ", "").split())


def test_headings_sit_below_the_pages_own_and_images_become_links():
    assert to_html("# A\n\n## B", REPORT) == "<h3>A</h3>\n<h4>B</h4>\n"
    assert to_html("# A\n\n## B", NEWS) == "<h2>A</h2>\n<h3>B</h3>\n"
    html = to_html("![Lasītāji pie plaukta](https://example.org/a.jpg)", NEWS)
    assert "<img" not in html and ">Lasītāji pie plaukta</a>" in html and 'href="https://example.org/a.jpg"' in html
    assert plain("![Lasītāji](https://example.org/a.jpg)") == "Lasītāji"


def test_raw_html_is_text_in_stories_and_news_but_pasted_markup_goes_from_the_review():
    assert to_html("<b>x</b>", REPORT) == "<p>&lt;b&gt;x&lt;/b&gt;</p>\n"
    assert to_html("<b>x</b>", NEWS) == "<p>&lt;b&gt;x&lt;/b&gt;</p>\n"
    pasted = '<p class=MsoNormal style="mso-bidi-font-weight:bold">2021. gadā <b>labi</b><o:p></o:p></p>'
    assert to_html(pasted, REVIEW) == "<p>2021. gadā labi</p>\n"


# XSS in every profile.


@pytest.mark.parametrize("profile", HTML_PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_cleaned_in_every_profile(payload, profile: Profile):
    assert_clean(to_html(payload, profile), profile.tags)
    assert_clean(to_html(f"2021. gadā\n\n- {payload}\n\n> {payload}\n\n# {payload}", profile), profile.tags)
    text = plain(payload) + summary(payload) + "".join(p.text for p in paragraphs(payload))
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)  # safe for DOCX and PPTX XML


FRAGMENTS = [*PAYLOADS, "2021. gadā ", "5. martā", "1. ", "1) ", "- ", "> ", "# ", "```", "|", "**", "[", "](", "\n"]


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(FRAGMENTS), max_size=10).map("".join)))
def test_no_profile_raises_on_any_text(source):
    for profile in HTML_PROFILES:
        assert_clean(to_html(source, profile), profile.tags)
    lines = plain(source)
    assert len(summary(source, 50)) <= 50
    paragraphs(source, "lv")
    paragraphs(source, "en")
    assert word_count(source) >= 0
    assert "\x00" not in lines


# The pages and documents that show a library's story.


@pytest.fixture
def report(world):
    return Report.objects.create(unit=world.library_a, period=world.periods[2021])


@pytest.mark.django_db
def test_the_report_form_and_review_screen_keep_the_year(world, reporter_a, methodologist, report):
    response = client_for(reporter_a).post(
        f"/n/testa/reports/{report.pk}/narrative/success_story/",
        {"text": STORY, "version": "0"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    narrative = Narrative.objects.get(report=report, section__code="success_story")
    assert narrative.html.startswith("<p>2021. gadā bibliotēka atvēra jaunu telpu.</p>")
    assert "<p>5. martā notika dzejas vakars.</p>" in narrative.html and "<ol" not in narrative.html
    page = client_for(methodologist).get(f"/n/testa/review/reports/{report.pk}/").content.decode()
    assert "<p>2021. gadā bibliotēka atvēra jaunu telpu.</p>" in page
    assert "<li>pasaku rītus ģimenēm</li>" in page


@pytest.mark.django_db
def test_the_public_stories_pages_keep_the_year_and_the_list(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reports = approved_reports(world)
    reports["a21"].narratives.filter(section__code="success_story").update(text=STORY)
    story = client_for(None).get("/stasti/testa/2021/seda/").content.decode()
    assert "<p>2021. gadā bibliotēka atvēra jaunu telpu.</p>" in story
    assert "<ul>\n<li>pasaku rītus ģimenēm</li>\n<li>datorapmācību senioriem</li>\n</ul>" in story
    assert '<meta name="description" content="2021. gadā bibliotēka' in story
    year = client_for(None).get("/stasti/testa/2021/").content.decode()
    assert "2021. gadā bibliotēka atvēra jaunu telpu.<br>Mēs piedāvājām:<br>• pasaku rītus ģimenēm<br>" in year


@pytest.mark.django_db
def test_a_hostile_story_is_clean_on_the_public_pages(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reports = approved_reports(world)
    hostile = "\n\n".join(f"- {payload}" for payload in PAYLOADS)
    reports["a21"].narratives.filter(section__code="success_story").update(text=hostile)
    for path in ("/stasti/testa/2021/seda/", "/stasti/testa/2021/"):
        page = client_for(None).get(path).content.decode()
        body = page[page.index("<main") :] if "<main" in page else page
        parser = Elements()
        parser.feed(body)
        assert not any(tag in ("script", "iframe", "svg", "object", "embed") for tag, _ in parser.found), path
        assert not any(name.startswith("on") for _, attrs in parser.found for name, _ in attrs), path


@pytest.mark.django_db
def test_slides_and_speaker_notes_keep_the_year_and_the_list(world, methodologist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reports = approved_reports(world)
    reports["a21"].narratives.filter(section__code="success_story").update(text=STORY)
    reports["a21"].narratives.filter(section__code="pandemic").update(text="- durvis\n- tālrunis")
    pack = build_pack(make_seminar(world, methodologist), "https://parskats.example.org")
    seda = next(lib for lib in pack.libraries if lib.code == "seda")
    assert seda.story == seda.story_full == plain(STORY) and not seda.shortened
    deck = Presentation(io.BytesIO(build_deck(pack)))
    slide = next(s for s in deck.slides if s.shapes[0].text_frame.text == "Sedas bibliotēka")
    story_box = next(shape for shape in slide.shapes if shape.name == "story")
    lines = [paragraph.text for paragraph in story_box.text_frame.paragraphs]
    assert lines[0] == "2021. gadā bibliotēka atvēra jaunu telpu."
    assert "• pasaku rītus ģimenēm" in lines and "• datorapmācību senioriem" in lines
    notes = slide.notes_slide.notes_text_frame.text.splitlines()
    assert notes[:5] == plain(STORY).splitlines()
    assert "• durvis" in notes and "• tālrunis" in notes
