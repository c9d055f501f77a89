from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "parskats.news"
    label = "news"
    verbose_name = _("News")

    def ready(self) -> None:
        from parskats.core import media, pagecache

        from .access import image_file_visibility

        media.register("news", image_file_visibility)
        pagecache.follow_app("news", "news")
