from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeminarConfig(AppConfig):
    name = "parskats.seminar"
    label = "seminar"
    verbose_name = _("Seminars")

    def ready(self) -> None:
        from parskats.accounts import personal_data
        from parskats.jobs import registry

        from . import jobs
        from . import personal_data as ours

        personal_data.register("seminar guests", erase=ours.erase)
        registry.register(jobs.KIND_SPEC)
