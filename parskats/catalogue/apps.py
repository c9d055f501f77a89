from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "parskats.catalogue"
    label = "catalogue"
    verbose_name = _("Indicator catalogue")

    def ready(self) -> None:
        from .units import ensure_base_units

        # A flush (as transactional tests do between tests) empties the unit table too; units are
        # data the catalogue needs, so they come back with the signal flush sends.
        post_migrate.connect(ensure_base_units, sender=self, dispatch_uid="catalogue.base_units")
