from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YearbookConfig(AppConfig):
    name = "parskats.yearbook"
    label = "yearbook"
    verbose_name = _("Annual review")

    def ready(self) -> None:
        from parskats.core import pagecache
        from parskats.jobs import registry

        from . import jobs

        pagecache.follow_app("yearbook", "yearbook")
        registry.register(jobs.KIND_SPEC)
