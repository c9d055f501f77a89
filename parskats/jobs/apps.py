from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "parskats.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from parskats.accounts import personal_data

        from . import personal_data as ours

        personal_data.register("emails sent by background jobs", erase=ours.erase, export=ours.export)
