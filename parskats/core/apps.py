from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.models.signals import pre_save


class CoreConfig(AppConfig):
    name = "parskats.core"
    label = "core"
    verbose_name = "Pārskats"

    def ready(self) -> None:
        from .freetext import clean_instance_text
        from .observability import end_request

        pre_save.connect(clean_instance_text, dispatch_uid="parskats.core.freetext.clean_instance_text")
        request_finished.connect(end_request, dispatch_uid="parskats.core.observability.end_request")
