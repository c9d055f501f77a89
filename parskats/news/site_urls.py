"""Site-wide addresses the news app answers: the public stories (/stasti/), robots.txt and the sitemap."""

from functools import partial

from django.contrib.sitemaps.views import sitemap
from django.urls import URLPattern, URLResolver, path

from parskats.core import converters  # noqa: F401  (registers <year:…>)

from . import story_views
from .sitemaps import SITEMAPS

app_name = "public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("stasti/", story_views.index, name="stories"),
    path("stasti/<slug:network>/<year:year>/", story_views.year, name="stories_year"),
    path("stasti/<slug:network>/<year:year>/<slug:library>/", story_views.story, name="story"),
    path("robots.txt", story_views.robots, name="robots"),
    path("sitemap.xml", partial(sitemap, sitemaps=SITEMAPS, template_name="news/sitemap.xml"), name="sitemap"),
]
