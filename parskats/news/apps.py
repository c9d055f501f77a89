from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "parskats.news"
    label = "news"
    verbose_name = _("News")

    def ready(self) -> None:
        from parskats.core import pagecache

        pagecache.follow_app("news", "news")
