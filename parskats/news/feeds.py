"""RSS 2.0 and Atom feeds of the public news."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from parskats.core.text import NEWS, summary, to_html

from .models import Article


class NewsFeed(Feed[Article, None]):
    title = _("Pārskats — news")
    link = reverse_lazy("news:list")
    description = _("News of the regional library network.")
    feed_url = reverse_lazy("news:rss")

    def items(self) -> list[Article]:
        return list(Article.objects.public().select_related("author").prefetch_related("tags")[:30])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        # Sanitised HTML: feed readers render it, so it gets the same cleaning as the page.
        return to_html(item.body, NEWS)

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.publish_at

    def item_updateddate(self, item: Article) -> dt.datetime:
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return item.signature.splitlines()[0].strip() if item.signature.strip() else ""

    def item_categories(self, item: Article) -> list[str]:
        return [tag.name for tag in item.tags.all()]

    def item_extra_kwargs(self, item: Article) -> dict[str, str]:
        return (
            {"summary": item.lead or summary(item.body, profile=NEWS)} if isinstance(self.feed_type, Atom1Feed) else {}
        )


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description
    feed_url = reverse_lazy("news:atom")
