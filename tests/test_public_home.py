"""The anonymous home page leads to what is public: news, figures, stories, published annual reviews."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

from parskats.catalogue.models import NarrativeSection
from parskats.news.stories import SUCCESS_STORY
from parskats.reporting.models import Narrative, Report
from parskats.yearbook.models import AnnualReview
from parskats.yearbook.workflow import create_review

from .conftest import client_for
from .factories import article, report_with

pytestmark = pytest.mark.django_db


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_a_reader_finds_news_figures_stories_and_published_reviews(world):
    article(world.network, "Bibliotēkas atsāk darbu klātienē")
    article(world.network, "Melnraksts", status="draft")
    report = report_with(world.library_a, world.periods[2021], users=40)
    story = NarrativeSection.objects.get(survey=world.survey, code=SUCCESS_STORY)
    Narrative.objects.create(report=report, section=story, text="Lasīšanas nedēļa.")
    Report.objects.filter(pk=report.pk).update(status=Report.Status.APPROVED)
    for year in (2020, 2021):
        create_review(None, world.network, world.survey, year)
    AnnualReview.objects.filter(network=world.network, year=2020).update(
        status=AnnualReview.Status.PUBLISHED, published_at=timezone.now()
    )

    response = client_for(None).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bibliotēkas atsāk darbu klātienē" in html and "Melnraksts" not in html
    found = links(html)
    slug = world.network.slug
    assert {"/jaunumi/", f"/skaitli/{slug}/", f"/stasti/{slug}/2021/", f"/n/{slug}/annual-review/2020/public/"} <= found
    # The draft review of 2021 is nobody's business yet.
    assert f"/n/{slug}/annual-review/2021/public/" not in found
    assert "/accounts/login/" in found
    # Every link the home offers opens for a reader who is not logged in.
    for href in sorted(h for h in found if h.startswith(("/jaunumi/", "/skaitli/", "/stasti/", "/n/"))):
        assert client_for(None).get(href).status_code == 200, href


def test_a_network_without_published_reviews_says_so(world):
    html = client_for(None).get("/").content.decode()
    assert "neviens vēl nav publicēts" in html
    # A network without reporting years has no figures to show, so it is not offered.
    assert world.other_network.name not in html
    assert "Jaunumu vēl nav." in html


def test_a_logged_in_person_is_not_shown_the_public_home(reporter_a):
    response = client_for(reporter_a).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Jaunākās ziņas" not in page and "atskait" in page  # her own job, not the readers' page


def test_every_page_names_the_favicon_and_the_files_are_vendored(world):
    from django.contrib.staticfiles import finders

    html = client_for(None).get("/jaunumi/").content.decode()
    icons = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', html)
    assert len(icons) == 3 and all(href.startswith("/static/parskats/") for href in icons)
    for href in icons:
        path = finders.find(href.removeprefix("/static/"))
        assert path is not None and Path(path).read_bytes()[:4] in (b"<svg", b"\x00\x00\x01\x00", b"\x89PNG")
