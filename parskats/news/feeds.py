"""RSS 2.0 and Atom feeds of the public news."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from parskats.core.text import NEWS, summary, to_html
from parskats.network.models import OrgUnit

from .access import public_region
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


class RegionNewsFeed(Feed[Article, OrgUnit]):
    """One region's own news (its articles only), for its readers to follow."""

    def get_object(self, request: HttpRequest, network: str, code: str) -> OrgUnit:
        return public_region(network, code)

    def title(self, obj: OrgUnit) -> str:
        return _("Pārskats — news of %(region)s") % {"region": obj.name}

    def link(self, obj: OrgUnit) -> str:
        return reverse("news:region", args=[obj.network.slug, obj.code])

    def description(self, obj: OrgUnit) -> str:
        return _("News of %(region)s (%(network)s).") % {"region": obj.name, "network": obj.network.name}

    def feed_url(self, obj: OrgUnit) -> str:
        return reverse("news:region_rss", args=[obj.network.slug, obj.code])

    def items(self, obj: OrgUnit) -> list[Article]:
        found = Article.objects.public().filter(region=obj).select_related("author").prefetch_related("tags")
        return list(found[:30])

    item_title = NewsFeed.item_title
    item_description = NewsFeed.item_description
    item_pubdate = NewsFeed.item_pubdate
    item_updateddate = NewsFeed.item_updateddate
    item_author_name = NewsFeed.item_author_name
    item_categories = NewsFeed.item_categories
    item_extra_kwargs = NewsFeed.item_extra_kwargs


class AtomRegionNewsFeed(RegionNewsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: OrgUnit) -> str:
        return self.description(obj)

    def feed_url(self, obj: OrgUnit) -> str:
        return reverse("news:region_atom", args=[obj.network.slug, obj.code])
