from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "parskats.reporting"
    label = "reporting"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from parskats.core import media

        from .access import photo_file_visibility

        media.register("reports", photo_file_visibility)
