from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from parskats.reporting.models import Narrative

from .models import Article
from .stories import public_stories


class ArticleSitemap(Sitemap[Article]):
    changefreq = "monthly"

    def items(self) -> list[Article]:
        return list(Article.objects.public().only("slug", "publish_at", "updated_at"))

    def lastmod(self, item: Article) -> dt.datetime:
        return item.updated_at


class NewsPagesSitemap(Sitemap[str]):
    changefreq = "daily"

    def items(self) -> list[str]:
        years = [d.year for d in Article.objects.public().dates("publish_at", "year")]
        return ["list", *[str(year) for year in years]]

    def location(self, item: str) -> str:
        return reverse("news:list") if item == "list" else reverse("news:year", args=[int(item)])


class StorySitemap(Sitemap[Narrative]):
    changefreq = "yearly"

    def items(self) -> list[Narrative]:
        return list(public_stories())

    def location(self, item: Narrative) -> str:
        report = item.report
        return reverse("public:story", args=[report.period.network.slug, report.period.year, report.unit.code])

    def lastmod(self, item: Narrative) -> dt.datetime:
        return item.updated_at


SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
    "news": NewsPagesSitemap,
    "articles": ArticleSitemap,
    "stories": StorySitemap,
}
