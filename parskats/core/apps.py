from django.apps import AppConfig
from django.db.models.signals import pre_save


class CoreConfig(AppConfig):
    name = "parskats.core"
    label = "core"
    verbose_name = "Pārskats"

    def ready(self) -> None:
        from .freetext import clean_instance_text

        pre_save.connect(clean_instance_text, dispatch_uid="parskats.core.freetext.clean_instance_text")
