"""RSS and Atom feeds, as a feed reader (feedparser) sees them."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from django.utils import timezone

from parskats.news.models import Article, Tag

from .conftest import client_for
from .factories import article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(world):
    first = article(
        world.network,
        "Valkas reģiona bibliotekāru tikšanās tiešsaistē",
        body="Seminārs **tiešsaistē** <script>alert(1)</script>",
        lead="Seminārs tiešsaistē.",
        signature="Māra Parauga\ndirektore",
        publish_at=timezone.now() - dt.timedelta(days=2),
    )
    first.tags.add(Tag.objects.create(name="seminārs", slug="seminars"))
    article(world.network, "Otrais raksts", publish_at=timezone.now() - dt.timedelta(days=1))
    article(world.network, "Melnraksts", status=Article.Status.DRAFT, publish_at=None)
    article(
        world.network,
        "Nākotnē",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + dt.timedelta(days=1),
    )
    return first


@pytest.mark.parametrize(("url", "version"), [("/jaunumi/rss/", "rss20"), ("/jaunumi/atom/", "atom10")])
def test_feed_parses_and_lists_public_articles_newest_first(articles, url, version):
    response = client_for(None).get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == version
    assert [e.title for e in feed.entries] == ["Otrais raksts", "Valkas reģiona bibliotekāru tikšanās tiešsaistē"]
    entry = feed.entries[1]
    assert entry.link == f"http://testserver{articles.get_absolute_url()}"
    assert [t.term for t in entry.tags] == ["seminārs"]
    assert entry.author == "Māra Parauga"
    assert entry.published_parsed is not None
    content = entry.summary if version == "rss20" else entry.content[0].value if "content" in entry else entry.summary
    assert "<script" not in content
    assert feed.feed.title == "Pārskats — jaunumi"


def test_pages_link_to_their_feeds(articles):
    html = client_for(None).get("/jaunumi/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
