from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlsConfig(AppConfig):
    name = "parskats.pls"
    label = "pls"
    verbose_name = _("US Public Libraries Survey")

    def ready(self) -> None:
        from parskats.jobs import registry

        from . import jobs

        registry.register(jobs.KIND_SPEC)
        registry.register(jobs.SURVEY_KIND_SPEC)
