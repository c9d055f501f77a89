"""Public story pages under /stasti/: per network and year, and one library's story."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from parskats.core.collation import sorted_by_name
from parskats.core.pagecache import public_page
from parskats.core.text import plain, shorten, summary

from .models import Article
from .stories import get_public_story, photos_for, stories_of_year, story_years

EXCERPT_CHARS = 220  # a few lines of each story on the year's page


def robots(request: HttpRequest) -> HttpResponse:
    """Crawlers: the public pages via the sitemap; nothing behind a login."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /n/",
        f"Disallow: {reverse('news:desk')}",
        f"Sitemap: {request.build_absolute_uri(reverse('public:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@public_page("figures", "news", clock=Article.objects.last_appeared)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "news/stories_index.html", {"years": story_years()})


@public_page("figures", "news", clock=Article.objects.last_appeared)
def year(request: HttpRequest, network: str, year: int) -> HttpResponse:
    stories = stories_of_year(network, year)
    rows: list[dict[str, Any]] = [
        {
            "story": s,
            "unit": s.report.unit,
            "name": s.report.unit.name,
            "excerpt": shorten(plain(s.text), EXCERPT_CHARS),
        }
        for s in stories
    ]
    rows = sorted_by_name(rows, key=lambda row: row["name"])
    net = stories[0].report.period.network
    return render(request, "news/stories_year.html", {"rows": rows, "network": net, "year": year})


@public_page("figures", "news", clock=Article.objects.last_appeared)
def story(request: HttpRequest, network: str, year: int, library: str) -> HttpResponse:
    item = get_public_story(network, year, library)
    photos = list(photos_for(item.report))
    context = {
        "story": item,
        "unit": item.report.unit,
        "network": item.report.period.network,
        "year": year,
        "photos": photos,
        "summary": summary(item.text),
        "og_image": request.build_absolute_uri(photos[0].image.url) if photos else "",
    }
    return render(request, "news/story.html", context)
