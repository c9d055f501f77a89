"""Site-wide addresses the news app answers: the sitemap (and the public stories)."""

from functools import partial

from django.contrib.sitemaps.views import sitemap
from django.urls import URLPattern, URLResolver, path

from .sitemaps import SITEMAPS

app_name = "site"
urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "sitemap.xml",
        partial(sitemap, sitemaps=SITEMAPS, template_name="news/sitemap.xml"),
        name="sitemap",
    ),
]
