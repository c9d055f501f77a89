"""News under /jaunumi/: Latvian clean addresses (/jaunumi/2021/valkas-regiona-bibliotekaru-tiksanas/)."""

from django.urls import URLPattern, URLResolver, path

from parskats.core import converters  # noqa: F401  (registers <year:…>)
from parskats.core.pagecache import public_page

from . import editor_views, feeds, views
from .models import Article

app_name = "news"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.article_list, name="list"),
    path("<year:year>/", views.archive_year, name="year"),
    path("<year:year>/<slug:slug>/", views.article, name="article"),
    path("temats/<slug:slug>/", views.tag, name="tag"),
    path("rss/", public_page("news", clock=Article.objects.last_appeared)(feeds.NewsFeed()), name="rss"),
    path("atom/", public_page("news", clock=Article.objects.last_appeared)(feeds.AtomNewsFeed()), name="atom"),
    path("regions/<slug:network>/<str:code>/", views.region, name="region"),
    path(
        "regions/<slug:network>/<str:code>/rss/",
        public_page("news", clock=Article.objects.last_appeared)(feeds.RegionNewsFeed()),
        name="region_rss",
    ),
    path(
        "regions/<slug:network>/<str:code>/atom/",
        public_page("news", clock=Article.objects.last_appeared)(feeds.AtomRegionNewsFeed()),
        name="region_atom",
    ),
    path("redakcija/", editor_views.desk, name="desk"),
    path("redakcija/<slug:network>/jauns/", editor_views.new, name="new"),
    path("redakcija/<slug:network>/iestatijumi/", editor_views.network_settings, name="settings"),
    path("redakcija/raksts/<int:article_id>/", editor_views.edit, name="edit"),
    path("redakcija/raksts/<int:article_id>/attels/", editor_views.image_add, name="image_add"),
    path("redakcija/attels/<int:image_id>/dzest/", editor_views.image_remove, name="image_remove"),
    path("redakcija/komentari/", editor_views.moderation, name="moderation"),
    path("redakcija/komentari/<int:comment_id>/", editor_views.moderate, name="moderate"),
]
