from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "parskats.stats"
    label = "stats"
    verbose_name = _("Figures")

    def ready(self) -> None:
        from . import cache

        cache.connect()

        from parskats.accounts import personal_data

        from . import personal_data as ours

        personal_data.register("API tokens", erase=ours.erase)
