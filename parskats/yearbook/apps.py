from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YearbookConfig(AppConfig):
    name = "parskats.yearbook"
    label = "yearbook"
    verbose_name = _("Annual review")

    def ready(self) -> None:
        from parskats.jobs import registry

        from . import jobs

        registry.register(jobs.KIND_SPEC)
